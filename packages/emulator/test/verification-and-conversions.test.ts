import { describe, expect, it } from "vitest";
import { call, product, SHOP_A, SHOP_B, shopPath, start, sync } from "./helpers.js";

describe("domain verification", () => {
  it("verifies a matching domain after normalisation and reports it", async () => {
    const emu = await start();
    const before = await call(emu, "GET", shopPath("/verification-data"));
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      verificationCode: expect.stringMatching(/^vc_[0-9a-f]{8}$/),
      instructions: expect.stringContaining(`/api/plugin/shops/${SHOP_A.shopId}/verify`),
      verified: false,
    });
    const res = await call(emu, "POST", shopPath("/verify"), {
      body: { domain: "http://shop-a.example" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      shopId: SHOP_A.shopId,
      verificationCode: before.body.verificationCode,
      domain: "http://shop-a.example",
      name: "Shop A",
    });
    expect((await call(emu, "GET", shopPath("/verification-data"))).body.verified).toBe(true);
    expect((await call(emu, "GET", "/api/plugin/shops/me")).body.verified).toBe(true);
    // Idempotent for the same shop and domain.
    expect(
      (await call(emu, "POST", shopPath("/verify"), { body: { domain: "shop-a.example" } })).status,
    ).toBe(200);
  });

  it("accepts the WordPress path without a shop id", async () => {
    const emu = await start();
    const res = await call(emu, "POST", "/api/plugin/shops/verify", {
      body: { domain: "https://shop-a.example" },
    });
    expect(res.status).toBe(200);
    expect(res.body.shopId).toBe(SHOP_A.shopId);
  });

  it("answers 403 on mismatch, 400 for `url` instead of `domain`, 409 when another shop verified it", async () => {
    const emu = await start({
      shops: [
        SHOP_A,
        SHOP_B,
        { ...SHOP_B, shopId: "shop_cccc0003", apiKey: "sk_cccccccccccccccccccccccccccccccc" },
      ],
    });
    const mismatch = await call(emu, "POST", shopPath("/verify"), {
      body: { domain: "https://other.example" },
    });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body).toMatchObject({ status: 403, error: "Forbidden" });
    expect(mismatch.body.message).toMatch(/does not match the shop URL/);
    const url = await call(emu, "POST", shopPath("/verify"), {
      body: { url: "https://shop-a.example" },
    });
    expect(url.status).toBe(400);
    expect(url.body.message).toBe("domain: must not be blank");
    const b = await call(emu, "POST", shopPath("/verify", SHOP_B.shopId), {
      key: SHOP_B.apiKey,
      body: { domain: "https://shop-b.example" },
    });
    expect(b.status).toBe(200);
    const c = await call(emu, "POST", shopPath("/verify", "shop_cccc0003"), {
      key: "sk_cccccccccccccccccccccccccccccccc",
      body: { domain: "shop-b.example" },
    });
    expect(c.status).toBe(409);
    expect(c.body).toMatchObject({ status: 409, error: "Conflict" });
    expect(c.body.message).toBeUndefined();
  });

  it("unverifies with 204", async () => {
    const emu = await start({ shops: [{ ...SHOP_A, verified: true }] });
    expect((await call(emu, "GET", shopPath("/verification-data"))).body.verified).toBe(true);
    const res = await call(emu, "DELETE", shopPath("/verify"));
    expect(res.status).toBe(204);
    expect((await call(emu, "GET", shopPath("/verification-data"))).body.verified).toBe(false);
  });

  it("refuses sync, conversions and widget tokens before verification with requireVerification", async () => {
    const emu = await start({ requireVerification: true });
    const res = await sync(emu, [product("p1")]);
    expect(res.status).toBe(403);
    expect(res.body.message).toBe("Domain not verified");
    const token = await call(emu, "POST", `/api/shops/${SHOP_A.shopId}/widget-token`);
    expect(token.status).toBe(403);
    await call(emu, "POST", shopPath("/verify"), { body: { domain: SHOP_A.url } });
    expect((await sync(emu, [product("p1")])).status).toBe(200);
    expect((await call(emu, "POST", `/api/shops/${SHOP_A.shopId}/widget-token`)).status).toBe(200);
  });
});

describe("track/conversion", () => {
  const order = {
    orderId: "ORD-2026-0001",
    orderValue: 199.95,
    currency: "EUR",
    conversions: [
      { productId: "p1", searchLogId: "log_1", quantity: 2, lineTotal: 79.98 },
      { productId: "p2", searchLogId: "log_2", quantity: 3, lineTotal: 119.97 },
    ],
  };

  it("accepts a conversion once and deduplicates by orderId", async () => {
    const emu = await start();
    const first = await call(emu, "POST", shopPath("/track/conversion"), { body: order });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ orderId: "ORD-2026-0001", accepted: 2, duplicate: false });
    const again = await call(emu, "POST", shopPath("/track/conversion"), { body: order });
    expect(again.body).toEqual({ orderId: "ORD-2026-0001", accepted: 0, duplicate: true });
    expect(emu.conversions(SHOP_A.shopId)).toHaveLength(1);
    expect(emu.conversions(SHOP_A.shopId)[0]?.body).toEqual(order);
  });

  it("validates orderId, productId and searchLogId (@NotBlank) with field paths", async () => {
    const emu = await start();
    const res = await call(emu, "POST", shopPath("/track/conversion"), {
      body: {
        orderId: " ",
        orderValue: "12",
        conversions: [
          { productId: "p1", quantity: 1.5 },
          { searchLogId: "log", lineTotal: "x" },
          3,
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      [
        "orderId: must not be blank",
        "orderValue: must be a number",
        "conversions[0].searchLogId: must not be blank",
        "conversions[0].quantity: must be an integer",
        "conversions[1].productId: must not be blank",
        "conversions[1].lineTotal: must be a number",
        "conversions[2]: must be an object",
      ].join(", "),
    );
    const missing = await call(emu, "POST", shopPath("/track/conversion"), {
      body: { orderId: "o" },
    });
    expect(missing.body.message).toBe("conversions: must not be null");
  });

  it("accepts lines without searchLogId when requireSearchLogId is off", async () => {
    const emu = await start({ requireSearchLogId: false });
    const res = await call(emu, "POST", shopPath("/track/conversion"), {
      body: { orderId: "o1", conversions: [{ productId: "p1" }] },
    });
    expect(res.body).toEqual({ orderId: "o1", accepted: 1, duplicate: false });
  });
});
