import { describe, expect, test } from "vitest";
import { defaultSyncIdempotencyKey } from "../idempotency.js";
import type { NeuroonProduct } from "../types.js";
import { contentHash, stableStringify } from "./stable-hash.js";

describe("stableStringify / contentHash", () => {
  test("ignores key order at every depth and undefined members", () => {
    const a = { name: "x", price: 1, attributes: { size: "M", color: "red" }, sku: undefined };
    const b = { attributes: { color: "red", size: "M" }, price: 1, name: "x" };
    expect(stableStringify(a)).toBe(stableStringify(b));
    expect(contentHash(a)).toBe(contentHash(b));
  });

  test("changes when any value changes, arrays keep their order", () => {
    const base = { name: "x", categories: ["a", "b"] };
    expect(contentHash(base)).not.toBe(contentHash({ ...base, name: "y" }));
    expect(contentHash(base)).not.toBe(contentHash({ ...base, categories: ["b", "a"] }));
  });

  test("matches JSON.stringify for already sorted input", () => {
    const value = { a: [1, "two", null, true], b: { c: 1.5 } };
    expect(stableStringify(value)).toBe(JSON.stringify(value));
  });
});

describe("persisted formats", () => {
  // Content hashes live in every merchant's sync state and keys in the server's idempotency
  // store: a format change would resend every catalog once. These values were produced by the
  // first release's implementation; a faster implementation must reproduce them.
  const product = {
    name: "Tee \u00e9\u2028",
    externalId: "p-1",
    price: 19.99,
    salePrice: undefined,
    categories: ["Men > Tees", "Sale"],
    attributes: { size: ["S", undefined, "M"], color: "red", 'z"q': { b: 1, a: null } },
    inStock: true,
    stockQuantity: 0,
  };

  test("stableStringify and contentHash are unchanged", () => {
    expect(stableStringify(product)).toBe(
      '{"attributes":{"color":"red","size":["S",null,"M"],"z\\"q":{"a":null,"b":1}},' +
        '"categories":["Men > Tees","Sale"],"externalId":"p-1","inStock":true,' +
        '"name":"Tee \u00e9\u2028","price":19.99,"stockQuantity":0}',
    );
    expect(contentHash(product)).toBe(
      "43e4bebb66f1cb45c67d5128ce761e314ddd04e45deb8d1c59439053af95121e",
    );
  });

  test("the default sync idempotency key is unchanged", () => {
    const products = [product, { externalId: "p-0", name: "x" }] as unknown as NeuroonProduct[];
    expect(defaultSyncIdempotencyKey("shop_1", "INCREMENTAL", products)).toBe(
      "nrn-f3e75ea9cde45d82d6404dc5a4e5d931a429b1af968e7cdcfb7aa77de2b02f59",
    );
  });
});
