import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { defaultSyncIdempotencyKey, randomIdempotencyKey } from "./idempotency.js";
import type { NeuroonProduct } from "./types.js";

const shirt: NeuroonProduct = {
  externalId: "p-1",
  name: "Shirt",
  price: 10,
  url: "https://s.example/p-1",
};
const socks: NeuroonProduct = {
  externalId: "p-2",
  name: "Socks",
  price: 3,
  url: "https://s.example/p-2",
};

describe("defaultSyncIdempotencyKey", () => {
  it("is nrn- plus 64 hex characters", () => {
    expect(defaultSyncIdempotencyKey("shop_1", "INCREMENTAL", [shirt])).toMatch(
      /^nrn-[0-9a-f]{64}$/,
    );
  });

  it("matches an independent computation of the documented recipe", () => {
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    // Canonical JSON of the payload: keys sorted, array order kept.
    const payload =
      '[{"externalId":"p-1","name":"Shirt","price":10,"url":"https://s.example/p-1"},' +
      '{"externalId":"p-2","name":"Socks","price":3,"url":"https://s.example/p-2"}]';
    const expected = `nrn-${sha(JSON.stringify(["shop_1", "FULL", ["p-1", "p-2"], sha(payload)]))}`;
    expect(defaultSyncIdempotencyKey("shop_1", "FULL", [shirt, socks])).toBe(expected);
  });

  it("is stable across property order and undefined members", () => {
    // A JavaScript caller may pass explicit undefined members; they must not change the key.
    const reordered = {
      url: shirt.url,
      price: 10,
      name: "Shirt",
      externalId: "p-1",
      sku: undefined,
    } as unknown as NeuroonProduct;
    expect(defaultSyncIdempotencyKey("shop_1", "INCREMENTAL", [reordered])).toBe(
      defaultSyncIdempotencyKey("shop_1", "INCREMENTAL", [shirt]),
    );
  });

  it("changes when a product in the same id set changes", () => {
    expect(defaultSyncIdempotencyKey("shop_1", "INCREMENTAL", [{ ...shirt, price: 11 }])).not.toBe(
      defaultSyncIdempotencyKey("shop_1", "INCREMENTAL", [shirt]),
    );
  });

  it("changes with the shop and the sync type", () => {
    const base = defaultSyncIdempotencyKey("shop_1", "INCREMENTAL", [shirt]);
    expect(defaultSyncIdempotencyKey("shop_2", "INCREMENTAL", [shirt])).not.toBe(base);
    expect(defaultSyncIdempotencyKey("shop_1", "FULL", [shirt])).not.toBe(base);
  });
});

describe("randomIdempotencyKey", () => {
  it("is prefixed and unique per call", () => {
    const a = randomIdempotencyKey();
    expect(a).toMatch(/^nrn-[0-9a-f-]{36}$/);
    expect(randomIdempotencyKey()).not.toBe(a);
  });
});
