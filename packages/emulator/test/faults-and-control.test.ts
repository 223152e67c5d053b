import { request } from "undici";
import { describe, expect, it } from "vitest";
import { DEMO_API_KEY, DEMO_SHOP_ID, generateApiKey, startEmulator } from "../src/index.js";
import { call, product, SHOP_A, shopPath, start, sync } from "./helpers.js";

describe("programmatic fault injection", () => {
  it("fails the next N matching requests with a status and body, then recovers", async () => {
    const emu = await start();
    emu.faults.failNext(2, 503, { match: { method: "POST", path: shopPath("/products") } });
    expect((await call(emu, "GET", shopPath("/products"))).status).toBe(200);
    const first = await sync(emu, [product("p1")]);
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({
      status: 503,
      error: "Service Unavailable",
      message: "Injected fault",
    });
    expect((await sync(emu, [product("p1")])).status).toBe(503);
    expect((await sync(emu, [product("p1")])).status).toBe(200);
    emu.faults.failNext(1, 500, {
      body: { custom: true },
      headers: { "x-extra": "1" },
      match: { path: /\/sync$/ },
    });
    const custom = await sync(emu, [product("p1")]);
    expect(custom).toMatchObject({ status: 500, body: { custom: true } });
    expect(custom.headers["x-extra"]).toBe("1");
    expect(emu.requests.at(-1)?.faultId).toMatch(/^fault_/);
    expect(emu.faults.list()).toEqual([]);
  });

  it("adds latency", async () => {
    const emu = await start();
    emu.faults.delay(150, { times: 1 });
    const started = performance.now();
    expect((await call(emu, "GET", shopPath("/products"))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("drops connections, optionally after applying the request", async () => {
    const emu = await start();
    emu.faults.dropNext(1);
    await expect(call(emu, "GET", shopPath("/products"))).rejects.toThrow();
    emu.faults.dropNext(1, { afterProcessing: true });
    await expect(sync(emu, [product("p1")])).rejects.toThrow();
    expect(emu.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["p1"]);
    expect((await call(emu, "GET", shopPath("/products"))).status).toBe(200);
  });

  it("forces 429 storms for N requests or for a duration", async () => {
    let now = 0;
    const emu = await start({ now: () => now });
    emu.faults.rateLimitStorm({ times: 2, retryAfterSec: 7 });
    const res = await call(emu, "GET", "/api/plugin/shops/me");
    expect(res.status).toBe(429);
    expect(res.headers["retry-after"]).toBe("7");
    expect(res.body).toMatchObject({
      error: "rate_limit_exceeded",
      retryAfter: 7,
      limit: 100,
      remaining: 0,
    });
    expect(res.headers["x-ratelimit-remaining"]).toBe("0");
    expect((await call(emu, "GET", "/api/plugin/shops/me")).status).toBe(429);
    expect((await call(emu, "GET", "/api/plugin/shops/me")).status).toBe(200);
    emu.faults.rateLimitStorm({ durationMs: 5_000, limit: 60 });
    const storm = await call(emu, "GET", "/api/plugin/shops/me");
    expect(storm.headers["retry-after"]).toBe("60");
    expect(storm.headers["x-ratelimit-limit"]).toBe("60");
    for (let i = 0; i < 3; i++)
      expect((await call(emu, "GET", "/api/plugin/shops/me")).status).toBe(429);
    now += 5_000;
    expect((await call(emu, "GET", "/api/plugin/shops/me")).status).toBe(200);
  });

  it("validates rules and can remove or clear them", async () => {
    const emu = await start();
    expect(() => emu.faults.add({ action: { type: "error", status: 42 } })).toThrow(/HTTP status/);
    expect(() => emu.faults.add({ action: { type: "drop" }, times: 0 })).toThrow(/times/);
    const id = emu.faults.failNext(5, 500);
    expect(emu.faults.list()).toMatchObject([{ id, remaining: 5 }]);
    expect(emu.faults.remove(id)).toBe(true);
    emu.faults.failNext(5, 500);
    emu.faults.clear();
    expect((await call(emu, "GET", shopPath("/products"))).status).toBe(200);
  });
});

describe("control API", () => {
  it("injects faults over HTTP and never faults itself", async () => {
    const emu = await start();
    const created = await call(emu, "POST", "/__emulator/faults", {
      key: null,
      body: {
        action: { type: "error", status: 502 },
        match: { pathRegex: "/products$" },
        times: 1,
      },
    });
    expect(created.status).toBe(201);
    expect((await call(emu, "GET", "/__emulator/faults", { key: null })).body).toHaveLength(1);
    expect((await call(emu, "GET", shopPath("/products"))).status).toBe(502);
    await call(emu, "POST", "/__emulator/faults", {
      key: null,
      body: { action: { type: "error", status: 500 }, times: 3 },
    });
    expect((await call(emu, "GET", "/__emulator/health", { key: null })).body).toMatchObject({
      ok: true,
    });
    const cleared = await call(emu, "DELETE", "/__emulator/faults", { key: null });
    expect(cleared.status).toBe(204);
    expect((await call(emu, "GET", shopPath("/products"))).status).toBe(200);
    const bad = await call(emu, "POST", "/__emulator/faults", {
      key: null,
      body: { action: { type: "nope" } },
    });
    expect(bad.status).toBe(400);
    const one = await call(emu, "POST", "/__emulator/faults", {
      key: null,
      body: { action: { type: "drop" } },
    });
    expect(
      (await call(emu, "DELETE", `/__emulator/faults/${one.body.id}`, { key: null })).status,
    ).toBe(204);
    expect((await call(emu, "DELETE", "/__emulator/faults/fault_999", { key: null })).status).toBe(
      404,
    );
  });

  it("lists recorded requests with the key redacted, and clears them", async () => {
    const emu = await start();
    await sync(emu, [product("p1")], "INCREMENTAL", {
      headers: { "x-idempotency-key": "k1", "user-agent": "test/1" },
    });
    const res = await call(emu, "GET", "/__emulator/requests?limit=1", { key: null });
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({
      method: "POST",
      path: shopPath("/products/sync"),
      status: 200,
      shopId: SHOP_A.shopId,
      idempotencyKey: "k1",
      replayed: false,
      body: { syncType: "INCREMENTAL", products: [product("p1")] },
    });
    expect(res.body[0].headers["x-shop-api-key"]).toBe(`sk_…${SHOP_A.apiKey.slice(-4)}`);
    expect(res.body[0].headers["user-agent"]).toBe("test/1");
    expect((await call(emu, "DELETE", "/__emulator/requests", { key: null })).status).toBe(204);
    expect(emu.requests).toEqual([]);
  });

  it("bounds the request log", async () => {
    const emu = await start({ requestLogLimit: 2 });
    for (let i = 0; i < 4; i++) await call(emu, "GET", shopPath(`/products/p${i}`));
    expect(emu.requests.map((r) => r.path)).toEqual([
      shopPath("/products/p2"),
      shopPath("/products/p3"),
    ]);
  });

  it("serves catalogs and conversions, manages shops and resets", async () => {
    const emu = await start();
    await sync(emu, [product("p1"), product("p2")]);
    const catalog = await call(emu, "GET", `/__emulator/shops/${SHOP_A.shopId}/catalog`, {
      key: null,
    });
    expect(catalog.body.map((p: { externalId: string }) => p.externalId)).toEqual(["p1", "p2"]);
    const empty = await call(emu, "GET", "/__emulator/shops/shop_bbbb0002/catalog", { key: null });
    expect(empty.body).toEqual([]);
    expect((await call(emu, "GET", "/__emulator/shops/nope/catalog", { key: null })).status).toBe(
      404,
    );
    await call(emu, "POST", shopPath("/track/conversion"), {
      body: { orderId: "o1", conversions: [{ productId: "p1", searchLogId: "l" }] },
    });
    const conversions = await call(emu, "GET", `/__emulator/shops/${SHOP_A.shopId}/conversions`, {
      key: null,
    });
    expect(conversions.body).toMatchObject([{ orderId: "o1" }]);

    const newShop = {
      shopId: "shop_new00001",
      apiKey: generateApiKey(),
      url: "https://new.example",
    };
    const added = await call(emu, "POST", "/__emulator/shops", { key: null, body: newShop });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      shopId: "shop_new00001",
      verified: false,
      productsCount: 0,
    });
    const invalid = await call(emu, "POST", "/__emulator/shops", {
      key: null,
      body: { ...newShop, apiKey: "sk_test" },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatch(/sk_/);

    const rotated = await call(emu, "POST", `/__emulator/shops/${SHOP_A.shopId}/rotate-key`, {
      key: null,
    });
    expect(rotated.body.apiKey).toMatch(/^sk_[0-9a-f]{32}$/);
    expect((await call(emu, "GET", "/api/plugin/shops/me")).status).toBe(401);
    expect(
      (await call(emu, "GET", "/api/plugin/shops/me", { key: rotated.body.apiKey })).status,
    ).toBe(200);
    const shops = await call(emu, "GET", "/__emulator/shops", { key: null });
    expect(shops.body.map((s: { shopId: string }) => s.shopId)).toEqual([
      SHOP_A.shopId,
      "shop_bbbb0002",
      "shop_new00001",
    ]);

    expect((await call(emu, "POST", "/__emulator/reset", { key: null })).status).toBe(204);
    expect(emu.snapshot(SHOP_A.shopId)).toEqual([]);
    expect(emu.shops.map((s) => s.shopId)).toEqual([SHOP_A.shopId, "shop_bbbb0002"]);
    expect((await call(emu, "GET", "/api/plugin/shops/me")).status).toBe(200);
    expect((await call(emu, "GET", "/__emulator/nothing", { key: null })).status).toBe(404);
    expect(
      (
        await call(emu, "POST", "/__emulator/faults", {
          key: null,
          body: "{",
          contentType: "application/json",
        })
      ).status,
    ).toBe(400);
  });

  it("signs and verifies widget tokens", async () => {
    const emu = await start();
    const signed = await call(emu, "POST", "/__emulator/widget-tokens", {
      key: null,
      body: { shopId: SHOP_A.shopId },
    });
    const verified = await call(emu, "POST", "/__emulator/widget-tokens/verify", {
      key: null,
      body: { token: signed.body.token },
    });
    expect(verified.body).toMatchObject({ ok: true, shopId: SHOP_A.shopId });
    const bad = await call(emu, "POST", "/__emulator/widget-tokens/verify", {
      key: null,
      body: { token: "x" },
    });
    expect(bad.body.ok).toBe(false);
  });
});

describe("startEmulator defaults", () => {
  it("serves the demo shop with its documented key when no shop is given", async () => {
    const emu = await startEmulator();
    try {
      expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emu.shops).toMatchObject([{ shopId: DEMO_SHOP_ID, apiKey: DEMO_API_KEY }]);
      const res = await request(`${emu.url}/api/plugin/shops/me`, {
        headers: { "x-shop-api-key": DEMO_API_KEY },
      });
      expect(await res.body.json()).toMatchObject({ shopId: DEMO_SHOP_ID });
    } finally {
      await emu.close();
      await emu.close();
    }
  });

  it("refuses invalid shop specs", async () => {
    await expect(
      startEmulator({ shops: [{ ...SHOP_A, apiKey: "sk_live_abc123" }] }),
    ).rejects.toThrow(/32 lower-case hex/);
    await expect(startEmulator({ shops: [{ ...SHOP_A, shopId: "bad id" }] })).rejects.toThrow(
      /Invalid shop id/,
    );
    await expect(
      startEmulator({ shops: [SHOP_A, { ...SHOP_A, shopId: "shop_other" }] }),
    ).rejects.toThrow(/already belongs/);
  });
});
