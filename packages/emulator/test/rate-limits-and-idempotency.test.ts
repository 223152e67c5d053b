import { describe, expect, it } from "vitest";
import { call, product, SHOP_A, SHOP_B, shopPath, start, sync } from "./helpers.js";

describe("rate limits", () => {
  it("counts per (shop, bucket) with headers on every counted response and the flat 429 body", async () => {
    let now = Date.UTC(2026, 4, 6, 10, 15, 0);
    const emu = await start({ now: () => now });
    const verification = () => call(emu, "GET", shopPath("/verification-data"));
    for (let i = 1; i <= 20; i++) {
      const res = await verification();
      expect(res.status).toBe(200);
      expect(res.headers["x-ratelimit-limit"]).toBe("20");
      expect(res.headers["x-ratelimit-remaining"]).toBe(String(20 - i));
    }
    now += 15_400;
    const limited = await verification();
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("45");
    expect(limited.headers["x-ratelimit-limit"]).toBe("20");
    expect(limited.headers["x-ratelimit-remaining"]).toBe("0");
    expect(limited.body).toEqual({
      error: "rate_limit_exceeded",
      message: "Too many requests. Please try again later.",
      retryAfter: 45,
      limit: 20,
      remaining: 0,
      timestamp: "2026-05-06T10:15:15.400Z",
    });
    // Other buckets and other shops are independent.
    expect((await call(emu, "GET", "/api/plugin/shops/me")).headers["x-ratelimit-limit"]).toBe(
      "60",
    );
    const b = await call(emu, "GET", shopPath("/verification-data", SHOP_B.shopId), {
      key: SHOP_B.apiKey,
    });
    expect(b.status).toBe(200);
    // Counted responses include errors such as a 400.
    const bad = await call(emu, "GET", shopPath("/products?size=1000"));
    expect(bad.status).toBe(400);
    expect(bad.headers["x-ratelimit-remaining"]).toBe("99");
    // The window resets.
    now += 44_600;
    expect((await verification()).status).toBe(200);
  });

  it("applies the documented buckets", async () => {
    const now = 0;
    const emu = await start({ now: () => now });
    const limitOf = async (method: string, path: string, body?: unknown) =>
      (await call(emu, method, path, body === undefined ? {} : { body })).headers[
        "x-ratelimit-limit"
      ];
    expect(await limitOf("POST", shopPath("/products/sync"), { products: [product("p")] })).toBe(
      "100",
    );
    expect(await limitOf("GET", "/api/plugin/shops/me")).toBe("60");
    expect(await limitOf("POST", shopPath("/verify"), { domain: SHOP_A.url })).toBe("5");
    expect(await limitOf("DELETE", shopPath("/verify"))).toBe("5");
    expect(await limitOf("GET", shopPath("/products"))).toBe("100");
    expect(await limitOf("GET", shopPath("/products/p"))).toBe("100");
    for (let i = 0; i < 4; i++)
      await call(emu, "POST", shopPath("/verify"), { body: { domain: SHOP_A.url } });
    const sixth = await call(emu, "POST", shopPath("/verify"), { body: { domain: SHOP_A.url } });
    expect(sixth.status).toBe(429);
    expect(sixth.headers["retry-after"]).toBe("300");
  });

  it("scales windows, overrides buckets, and can be disabled", async () => {
    let now = 0;
    const emu = await start({
      now: () => now,
      rateLimits: { scale: 0.01, buckets: { "shop-info": { limit: 2 } } },
    });
    const me = () => call(emu, "GET", "/api/plugin/shops/me");
    await me();
    await me();
    const limited = await me();
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("1");
    now += 600;
    expect((await me()).status).toBe(200);
    const off = await start({ rateLimits: false });
    const res = await call(off, "GET", "/api/plugin/shops/me");
    expect(res.status).toBe(200);
    expect(res.headers["x-ratelimit-limit"]).toBeUndefined();
  });

  it("does not count requests that fail authentication", async () => {
    const emu = await start({ rateLimits: { buckets: { "shop-info": { limit: 1 } } } });
    await call(emu, "GET", "/api/plugin/shops/me", { key: "sk_ffffffffffffffffffffffffffffffff" });
    expect((await call(emu, "GET", "/api/plugin/shops/me")).status).toBe(200);
  });
});

describe("X-Idempotency-Key", () => {
  it("replays the first response of a repeated request without applying it again", async () => {
    let now = 0;
    const emu = await start({ now: () => now });
    const headers = { "x-idempotency-key": "batch-1" };
    const first = await sync(emu, [product("p1")], "INCREMENTAL", { headers });
    now += 1000;
    const replay = await sync(emu, [product("p1")], "INCREMENTAL", { headers });
    expect(replay.status).toBe(first.status);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    expect(emu.requests.at(-1)).toMatchObject({ replayed: true, idempotencyKey: "batch-1" });
    // Without the key, the same body is applied again (an update).
    expect((await sync(emu, [product("p1")])).body.updatedProducts).toBe(1);
    // Replays also cover error answers below 500 and other endpoints.
    const conv = { orderId: "o1", conversions: [{ productId: "p1", searchLogId: "l" }] };
    const c1 = await call(emu, "POST", shopPath("/track/conversion"), {
      body: conv,
      headers: { "x-idempotency-key": "c" },
    });
    const c2 = await call(emu, "POST", shopPath("/track/conversion"), {
      body: conv,
      headers: { "x-idempotency-key": "c" },
    });
    expect(c2.body).toEqual(c1.body);
    expect(c2.body.duplicate).toBe(false);
  });

  it("scopes keys per shop and expires them after 24 h", async () => {
    let now = 0;
    const emu = await start({ now: () => now });
    const headers = { "x-idempotency-key": "k" };
    await sync(emu, [product("p1")], "INCREMENTAL", { headers });
    const other = await call(emu, "POST", shopPath("/products/sync", SHOP_B.shopId), {
      key: SHOP_B.apiKey,
      headers,
      body: { products: [product("p1")] },
    });
    expect(other.body.newProducts).toBe(1);
    now += 24 * 60 * 60 * 1000;
    const later = await sync(emu, [product("p1")], "INCREMENTAL", { headers });
    expect(later.headers["idempotent-replayed"]).toBeUndefined();
    expect(later.body.updatedProducts).toBe(1);
  });

  it("rejects a reused key with a different body with 400 by default; replay/process are switchable", async () => {
    const emu = await start();
    const headers = { "x-idempotency-key": "k" };
    await sync(emu, [product("p1")], "INCREMENTAL", { headers });
    const reused = await sync(emu, [product("p2")], "INCREMENTAL", { headers });
    expect(reused.status).toBe(400);
    expect(reused.body.message).toMatch(
      /^X-Idempotency-Key: 'k' was already used for a different request/,
    );
    expect(emu.snapshot(SHOP_A.shopId)).toHaveLength(1);

    const replay = await start({ idempotencyMismatch: "replay" });
    const r1 = await sync(replay, [product("p1")], "INCREMENTAL", { headers });
    const r2 = await sync(replay, [product("p2")], "INCREMENTAL", { headers });
    expect(r2.body).toEqual(r1.body);
    expect(replay.snapshot(SHOP_A.shopId)).toHaveLength(1);

    const processed = await start({ idempotencyMismatch: "process" });
    await sync(processed, [product("p1")], "INCREMENTAL", { headers });
    const p2 = await sync(processed, [product("p2")], "INCREMENTAL", { headers });
    expect(p2.body.newProducts).toBe(1);
    const p3 = await sync(processed, [product("p2")], "INCREMENTAL", { headers });
    expect(p3.headers["idempotent-replayed"]).toBe("true");
  });

  it("does not remember 5xx answers, evicts the oldest keys, and can be disabled", async () => {
    const emu = await start({ idempotency: { maxKeys: 2 } });
    emu.faults.failNext(1, 503);
    const failed = await sync(emu, [product("p1")], "INCREMENTAL", {
      headers: { "x-idempotency-key": "k0" },
    });
    expect(failed.status).toBe(503);
    const retried = await sync(emu, [product("p1")], "INCREMENTAL", {
      headers: { "x-idempotency-key": "k0" },
    });
    expect(retried.body.newProducts).toBe(1);
    await sync(emu, [product("p2")], "INCREMENTAL", { headers: { "x-idempotency-key": "k1" } });
    await sync(emu, [product("p3")], "INCREMENTAL", { headers: { "x-idempotency-key": "k2" } });
    const evicted = await sync(emu, [product("p1")], "INCREMENTAL", {
      headers: { "x-idempotency-key": "k0" },
    });
    expect(evicted.headers["idempotent-replayed"]).toBeUndefined();

    const off = await start({ idempotency: false });
    await sync(off, [product("p1")], "INCREMENTAL", { headers: { "x-idempotency-key": "k" } });
    const again = await sync(off, [product("p2")], "INCREMENTAL", {
      headers: { "x-idempotency-key": "k" },
    });
    expect(again.body.newProducts).toBe(1);
  });
});
