import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { call, product, SHOP_A, SHOP_B, shopPath, start, sync } from "./helpers.js";

describe("persistence", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "neuroon-emulator-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the state on close and restores it on start", async () => {
    const persistPath = join(dir, "state.ndjson");
    let now = Date.UTC(2026, 4, 6);
    const first = await startEmulator({ shops: [SHOP_A, SHOP_B], persistPath, now: () => now });
    await sync(first, [product("p1"), product("p2", { attributes: { size: "M" } })]);
    now += 1000;
    await sync(first, [product("p1", { price: 3 })]);
    await call(first, "POST", shopPath("/verify"), { body: { domain: SHOP_A.url } });
    await call(first, "POST", shopPath("/track/conversion"), {
      body: { orderId: "o1", conversions: [{ productId: "p1", searchLogId: "l" }] },
    });
    const key = first.rotateApiKey(SHOP_B.shopId);
    const before = first.snapshot(SHOP_A.shopId);
    await first.close();
    const text = await readFile(persistPath, "utf8");
    expect(text.split("\n")[0]).toBe('{"type":"neuroon-emulator-state","version":1}');

    const second = await startEmulator({ persistPath });
    try {
      expect(second.snapshot(SHOP_A.shopId)).toEqual(before);
      expect(second.shops.find((s) => s.shopId === SHOP_A.shopId)).toMatchObject({
        verified: true,
        productsCount: 2,
      });
      expect(second.shops.find((s) => s.shopId === SHOP_B.shopId)?.apiKey).toBe(key);
      expect(second.conversions(SHOP_A.shopId)).toHaveLength(1);
      const dup = await call(second, "POST", shopPath("/track/conversion"), {
        body: { orderId: "o1", conversions: [{ productId: "p1", searchLogId: "l" }] },
      });
      expect(dup.body.duplicate).toBe(true);
    } finally {
      await second.close();
    }
  });

  it("lets configured shops override persisted keys while keeping their catalog", async () => {
    const persistPath = join(dir, "state.ndjson");
    const first = await startEmulator({ shops: [SHOP_A], persistPath });
    await sync(first, [product("p1")]);
    await first.persist();
    await first.close();
    const newKey = "sk_0000000000000000000000000000beef";
    const second = await startEmulator({ shops: [{ ...SHOP_A, apiKey: newKey }], persistPath });
    try {
      expect(second.shops).toMatchObject([
        { shopId: SHOP_A.shopId, apiKey: newKey, productsCount: 1 },
      ]);
    } finally {
      await second.close();
    }
  });

  it("writes periodically when something changed, and refuses foreign files", async () => {
    const persistPath = join(dir, "state.ndjson");
    const emu = await startEmulator({ shops: [SHOP_A], persistPath, persistIntervalMs: 20 });
    try {
      await sync(emu, [product("p1")]);
      await expect
        .poll(async () => (await readFile(persistPath, "utf8").catch(() => "")).includes('"p1"'), {
          timeout: 2000,
        })
        .toBe(true);
    } finally {
      await emu.close();
    }
    const foreign = join(dir, "foreign.ndjson");
    await writeFile(foreign, '{"hello":1}\n');
    await expect(startEmulator({ persistPath: foreign })).rejects.toThrow(
      /not a neuroon emulator state file/,
    );
  });
});

describe("indexing latency", () => {
  it("hides new and updated products from GET and list until indexed, but counts them for sync", async () => {
    let now = Date.UTC(2026, 4, 6);
    const emu = await start({ now: () => now, indexingLatency: { minMs: 2000, maxMs: 5000 } });
    const created = await sync(emu, [product("p1"), product("p2")]);
    expect(created.body).toMatchObject({ newProducts: 2, productsCount: 2 });
    expect((await call(emu, "GET", shopPath("/products/p1"))).status).toBe(404);
    expect((await call(emu, "GET", shopPath("/products"))).body.totalElements).toBe(0);
    expect((await call(emu, "GET", "/api/plugin/shops/me")).body.productsCount).toBe(2);
    // A parent that is still indexing counts for its variants.
    const variant = await sync(emu, [
      product("v1", { parentExternalId: "p1" }),
      product("p1", { price: 1 }),
    ]);
    expect(variant.body).toMatchObject({ newProducts: 1, updatedProducts: 1, productsCount: 3 });
    now += 5001;
    expect((await call(emu, "GET", shopPath("/products"))).body.totalElements).toBe(3);
    expect((await call(emu, "GET", shopPath("/products/p1"))).body.price).toBe(1);

    // An update keeps serving the indexed version until the new one is indexed.
    await sync(emu, [product("p2", { price: 99 })]);
    expect((await call(emu, "GET", shopPath("/products/p2"))).body.price).toBe(10);
    now += 5001;
    expect((await call(emu, "GET", shopPath("/products/p2"))).body.price).toBe(99);

    // Deletes apply at once, also to writes still indexing.
    await sync(emu, [product("p3")]);
    await call(emu, "DELETE", shopPath("/products/p3"));
    now += 5001;
    expect((await call(emu, "GET", shopPath("/products/p3"))).status).toBe(404);
    expect(emu.shops.find((s) => s.shopId === SHOP_A.shopId)?.productsCount).toBe(3);
  });

  it("indexes writes in due order and never lets an older write overwrite a newer one", async () => {
    let now = 0;
    const emu = await start({ now: () => now, indexingLatency: { minMs: 1000, maxMs: 1000 } });
    await sync(emu, [product("p1", { price: 1 })]);
    now += 500;
    await sync(emu, [product("p1", { price: 2 })]);
    now += 600;
    expect((await call(emu, "GET", shopPath("/products/p1"))).body.price).toBe(1);
    now += 1000;
    expect((await call(emu, "GET", shopPath("/products/p1"))).body.price).toBe(2);
    expect(emu.snapshot(SHOP_A.shopId)).toHaveLength(1);
  });

  it("lets a later write with a shorter latency win over an earlier, slower one", async () => {
    let now = 0;
    const random = [1, 0];
    const emu = await start({
      now: () => now,
      indexingLatency: { minMs: 1000, maxMs: 5000 },
      random: () => random.shift() ?? 0,
    });
    await sync(emu, [product("p1", { price: 1 })]);
    await sync(emu, [product("p1", { price: 2 })]);
    now += 1000;
    expect((await call(emu, "GET", shopPath("/products/p1"))).body.price).toBe(2);
    now += 4000;
    expect((await call(emu, "GET", shopPath("/products/p1"))).body.price).toBe(2);
  });

  it("refuses an inverted range", async () => {
    await expect(startEmulator({ indexingLatency: { minMs: 5, maxMs: 1 } })).rejects.toThrow(
      /minMs/,
    );
  });
});
