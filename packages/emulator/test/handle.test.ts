import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateApiKey, startEmulator } from "../src/index.js";
import { call, product, SHOP_A, SHOP_B, shopPath, start, sync } from "./helpers.js";

describe("EmulatorHandle", () => {
  it("adds shops, rotates keys and invalidates widget tokens signed with the old key", async () => {
    const emu = await start();
    const token = emu.signWidgetToken(SHOP_A.shopId);
    expect(emu.verifyWidgetToken(token)).toMatchObject({ ok: true, shopId: SHOP_A.shopId });
    const newKey = emu.rotateApiKey(SHOP_A.shopId);
    expect(emu.verifyWidgetToken(token)).toEqual({ ok: false, reason: "signature mismatch" });
    expect((await call(emu, "GET", "/api/plugin/shops/me")).status).toBe(401);
    expect((await call(emu, "GET", "/api/plugin/shops/me", { key: newKey })).status).toBe(200);
    expect(() => emu.rotateApiKey(SHOP_A.shopId, SHOP_B.apiKey)).toThrow(/already in use/);
    expect(() => emu.rotateApiKey("shop_missing")).toThrow(/Unknown shop shop_missing/);

    const added = emu.addShop({
      shopId: "shop_c0000003",
      apiKey: generateApiKey(),
      url: "https://c.example",
      maxProducts: 5,
    });
    expect(added).toMatchObject({
      shopId: "shop_c0000003",
      name: "shop_c0000003",
      maxProducts: 5,
      productsCount: 0,
    });
    const res = await call(emu, "POST", shopPath("/products/sync", added.shopId), {
      key: added.apiKey,
      body: { products: [product("p1")] },
    });
    expect(res.body).toMatchObject({ productsCount: 1, remainingProducts: 4 });
    expect(() => emu.snapshot("shop_missing")).toThrow(/Unknown shop/);
  });

  it("records requests and resets everything programmatically", async () => {
    const emu = await start({ rateLimits: { buckets: { "shop-info": { limit: 1 } } } });
    await sync(emu, [product("p1")], "INCREMENTAL", { headers: { "x-idempotency-key": "k" } });
    await call(emu, "GET", "/api/plugin/shops/me");
    expect((await call(emu, "GET", "/api/plugin/shops/me")).status).toBe(429);
    emu.rotateApiKey(SHOP_B.shopId);
    emu.faults.failNext(1, 500);
    expect(emu.requests.map((r) => r.status)).toEqual([200, 200, 429]);
    emu.clearRequests();
    expect(emu.requests).toEqual([]);

    emu.reset();
    expect(emu.faults.list()).toEqual([]);
    expect(emu.snapshot(SHOP_A.shopId)).toEqual([]);
    expect(emu.shops.find((s) => s.shopId === SHOP_B.shopId)?.apiKey).toBe(SHOP_B.apiKey);
    expect((await call(emu, "GET", "/api/plugin/shops/me")).status).toBe(200);
    const again = await sync(emu, [product("p2")], "INCREMENTAL", {
      headers: { "x-idempotency-key": "k" },
    });
    expect(again.body.newProducts).toBe(1);
  });

  it("persists products that are still indexing and shows them after a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "neuroon-emulator-"));
    try {
      const persistPath = join(dir, "state.ndjson");
      const first = await startEmulator({
        shops: [SHOP_A],
        persistPath,
        indexingLatency: { minMs: 60_000, maxMs: 60_000 },
      });
      await sync(first, [product("p1")]);
      expect(first.snapshot(SHOP_A.shopId)).toEqual([]);
      await first.close();
      const second = await startEmulator({ persistPath });
      try {
        expect(second.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["p1"]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
