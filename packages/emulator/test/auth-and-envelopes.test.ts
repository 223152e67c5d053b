import { describe, expect, it } from "vitest";
import {
  call,
  LOCAL_DATE_TIME,
  product,
  SHOP_A,
  SHOP_B,
  shopPath,
  start,
  sync,
} from "./helpers.js";

describe("authentication filter", () => {
  it("answers 401 with the auth-filter body when the key is missing or unknown", async () => {
    const emu = await start();
    const missing = await call(emu, "GET", shopPath("/products"), { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: "Missing X-Shop-API-Key header", status: 401 });
    const unknown = await call(emu, "GET", shopPath("/products"), {
      key: "sk_ffffffffffffffffffffffffffffffff",
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ error: "Invalid API key", status: 401 });
  });

  it("refuses a key used on another shop's path with 403 by default, 401 when switched", async () => {
    const emu = await start();
    const res = await call(emu, "GET", shopPath("/products", SHOP_B.shopId));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "API key does not belong to this shop", status: 403 });
    const emu401 = await start({ crossTenantStatus: 401 });
    expect((await call(emu401, "GET", shopPath("/products", SHOP_B.shopId))).status).toBe(401);
  });

  it("answers 404 with the standard envelope for a shop that does not exist", async () => {
    const emu = await start();
    const res = await call(emu, "GET", shopPath("/products", "shop_nowhere"));
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      status: 404,
      error: "Not Found",
      message: "Shop not found: shop_nowhere",
    });
  });

  it("accepts no Origin, a matching Origin or Referer after normalisation, and refuses others", async () => {
    const emu = await start();
    const path = shopPath("/products");
    expect((await call(emu, "GET", path)).status).toBe(200);
    for (const origin of [
      "https://shop-a.example",
      "http://www.shop-a.example",
      "https://WWW.Shop-A.example/",
    ]) {
      expect((await call(emu, "GET", path, { headers: { origin } })).status).toBe(200);
    }
    const referer = await call(emu, "GET", path, {
      headers: { referer: "https://shop-a.example/cart?x=1" },
    });
    expect(referer.status).toBe(200);
    for (const headers of [
      { origin: "https://evil.example" },
      { origin: "http://localhost:3000" },
      { referer: "https://shop-b.example/page" },
      { origin: "https://shop-a.example:8443" },
    ]) {
      const res = await call(emu, "GET", path, { headers });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error: "Origin mismatch — API Key cannot be used from this domain",
        status: 403,
      });
    }
  });
});

describe("routing and wire format", () => {
  it("answers 404 for unknown endpoints and 405 with the Spring body and Allow", async () => {
    const emu = await start();
    const notFound = await call(emu, "GET", shopPath("/nothing"));
    expect(notFound.status).toBe(404);
    expect(notFound.body.message).toBe(`No endpoint GET ${shopPath("/nothing")}`);
    const outside = await call(emu, "GET", "/elsewhere", { key: null });
    expect(outside.status).toBe(404);
    const wrongMethod = await call(emu, "PUT", shopPath("/products/sync"), { body: {} });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe("POST");
    expect(Object.keys(wrongMethod.body).sort()).toEqual(["error", "path", "status", "timestamp"]);
    expect(wrongMethod.body).toMatchObject({
      status: 405,
      error: "Method Not Allowed",
      path: shopPath("/products/sync"),
    });
    expect(wrongMethod.body.timestamp).toMatch(LOCAL_DATE_TIME);
  });

  it("serves the health check", async () => {
    const emu = await start();
    const res = await call(emu, "GET", "/actuator/health", { key: null });
    expect(res).toMatchObject({ status: 200, body: { status: "UP" } });
  });

  it("answers 415 without message for non-JSON content types and charsets", async () => {
    const emu = await start();
    const body = JSON.stringify({ products: [product("p1")] });
    for (const contentType of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/json; charset=iso-8859-1",
      null,
    ]) {
      const res = await call(emu, "POST", shopPath("/products/sync"), { body, contentType });
      expect(res.status, String(contentType)).toBe(415);
      expect(res.body).toMatchObject({ status: 415, error: "Unsupported Media Type" });
      expect(res.body.message).toBeUndefined();
    }
    const hostile = await call(emu, "POST", shopPath("/products/sync"), {
      body,
      contentType: `application/${"+".repeat(8000)}x`,
    });
    expect(hostile.status).toBe(415);
    const vendor = await call(emu, "POST", shopPath("/products/sync"), {
      body,
      contentType: "application/vnd.neuroon+json",
    });
    expect(vendor.status).toBe(200);
    const ok = await call(emu, "POST", shopPath("/products/sync"), {
      body,
      contentType: "application/json; charset=UTF-8",
    });
    expect(ok.status).toBe(200);
  });

  it("answers 400 with the standard envelope for invalid UTF-8, malformed JSON and empty bodies", async () => {
    const emu = await start();
    const path = shopPath("/products/sync");
    const invalid = Buffer.concat([
      Buffer.from('{"products":[{"externalId":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}]}'),
    ]);
    const utf8 = await call(emu, "POST", path, { body: invalid });
    expect(utf8.status).toBe(400);
    expect(utf8.body).toMatchObject({ status: 400, error: "Bad Request", path });
    expect(utf8.body.message).toMatch(/UTF-8/);
    expect(utf8.body.timestamp).toMatch(LOCAL_DATE_TIME);
    const malformed = await call(emu, "POST", path, { body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/^JSON parse error/);
    const empty = await call(emu, "POST", path, { body: "" });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toBe("Required request body is missing");
  });

  it("answers 413 for bodies above the limit", async () => {
    const emu = await start({ maxBodyBytes: 1024 });
    const res = await call(emu, "POST", shopPath("/products/sync"), { body: "x".repeat(5000) });
    expect(res.status).toBe(413);
  });

  it("sets X-Request-ID on every response", async () => {
    const emu = await start();
    const res = await call(emu, "GET", shopPath("/products"));
    expect(res.headers["x-request-id"]).toMatch(/^req_[0-9a-f]{16}$/);
  });
});

describe("shop info and the legacy widget-token endpoint", () => {
  it("describes the calling key's shop on /shops/me", async () => {
    const emu = await start();
    await sync(emu, [product("p1"), product("p2")]);
    const res = await call(emu, "GET", "/api/plugin/shops/me");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      shopId: SHOP_A.shopId,
      name: "Shop A",
      url: SHOP_A.url,
      verified: false,
      maxProducts: 2_000_000,
      maxSearchesPerMonth: 100_000,
      productsCount: 2,
      searchesThisMonth: 0,
    });
    const b = await call(emu, "GET", "/api/plugin/shops/me", { key: SHOP_B.apiKey });
    expect(b.body.shopId).toBe(SHOP_B.shopId);
  });

  it("issues widget tokens with the local-signing recipe that verifyWidgetToken accepts", async () => {
    const emu = await start();
    const res = await call(emu, "POST", `/api/shops/${SHOP_A.shopId}/widget-token`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(["token"]);
    const raw = Buffer.from(res.body.token, "base64url").toString("utf8");
    expect(raw).toMatch(new RegExp(`^${SHOP_A.shopId}:\\d+:[0-9a-f]{64}$`));
    expect(emu.verifyWidgetToken(res.body.token)).toMatchObject({
      ok: true,
      shopId: SHOP_A.shopId,
    });
    const cross = await call(emu, "POST", `/api/shops/${SHOP_B.shopId}/widget-token`);
    expect(cross.status).toBe(403);
  });
});
