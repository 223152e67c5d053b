import { describe, expect, it } from "vitest";
import { call, LOCAL_DATE_TIME, product, SHOP_A, shopPath, start, sync } from "./helpers.js";

describe("POST products/sync", () => {
  it("upserts by externalId and reports new/updated counts and the quota", async () => {
    const emu = await start();
    const first = await sync(emu, [product("p1"), product("p2")]);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      newProducts: 2,
      updatedProducts: 0,
      failed: 0,
      errors: [],
      productsCount: 2,
      remainingProducts: 2_000_000 - 2,
    });
    const second = await sync(emu, [product("p1", { price: 12.5 }), product("p3")]);
    expect(second.body).toMatchObject({ newProducts: 1, updatedProducts: 1, productsCount: 3 });
    const stored = await call(emu, "GET", shopPath("/products/p1"));
    expect(stored.body.price).toBe(12.5);
    expect(emu.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["p2", "p1", "p3"]);
  });

  it("defaults syncType to INCREMENTAL", async () => {
    const emu = await start();
    await sync(emu, [product("p1")]);
    const res = await call(emu, "POST", shopPath("/products/sync"), {
      body: { products: [product("p2")] },
    });
    expect(res.body).toMatchObject({ newProducts: 1, productsCount: 2 });
  });

  it("stores the documented DTO fields as sent plus createdAt/updatedAt, dropping unknown fields", async () => {
    const emu = await start();
    const full = product("p1", {
      sku: "SKU-1",
      description: "Soft cotton",
      salePrice: 8,
      currency: "EUR",
      imageUrl: "https://shop-a.example/i.jpg",
      categories: ["Shirts", "Clothing"],
      brands: ["Acme"],
      tags: ["summer"],
      inStock: true,
      stockQuantity: 3,
      rating: 4.5,
      reviewCount: 12,
      isActive: true,
      attributes: { size: "M", colour: "red" },
      unknownField: "ignored",
      gtin: null,
    });
    await sync(emu, [full]);
    const res = await call(emu, "GET", shopPath("/products/p1"));
    expect(res.status).toBe(200);
    const { unknownField: _u, gtin: _g, ...expected } = full;
    const { createdAt, updatedAt, ...fields } = res.body;
    expect(fields).toEqual(expected);
    expect(createdAt).toMatch(LOCAL_DATE_TIME);
    expect(updatedAt).toMatch(LOCAL_DATE_TIME);
  });

  it("keeps createdAt and moves updatedAt on update", async () => {
    let now = Date.UTC(2026, 4, 6, 10, 15, 0);
    const emu = await start({ now: () => now });
    await sync(emu, [product("p1")]);
    now += 60_000;
    await sync(emu, [product("p1", { name: "Renamed" })]);
    const res = await call(emu, "GET", shopPath("/products/p1"));
    expect(res.body).toMatchObject({
      name: "Renamed",
      createdAt: "2026-05-06T10:15:00.000",
      updatedAt: "2026-05-06T10:16:00.000",
    });
  });

  it("validates every documented limit and joins field errors with ', '", async () => {
    const emu = await start();
    const res = await sync(emu, [
      product("ok"),
      { externalId: "  ", name: "", price: -0.01, url: "" },
      product("p2", {
        name: "n".repeat(513),
        description: "d".repeat(5001),
        rating: 5.5,
        stockQuantity: 1.5,
      }),
      product("p3", {
        reviewCount: "3",
        attributes: { size: 42 },
        categories: "Shirts",
        inStock: "yes",
        price: "10",
      }),
      product("p4", { rating: -1 }),
      { name: "no id" },
      "not an object",
    ]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      status: 400,
      error: "Bad Request",
      path: shopPath("/products/sync"),
    });
    expect(res.body.message.split(", ")).toEqual([
      "products[1].externalId: must not be blank",
      "products[1].name: must not be blank",
      "products[1].price: must be greater than or equal to 0.0",
      "products[1].url: must not be blank",
      "products[2].stockQuantity: must be an integer",
      "products[2].name: size must be between 1 and 512",
      "products[2].description: size must be between 0 and 5000",
      "products[2].rating: must be less than or equal to 5.0",
      "products[3].price: must be a number",
      "products[3].categories: must be an array of strings",
      "products[3].inStock: must be a boolean",
      "products[3].reviewCount: must be an integer",
      "products[3].attributes: must be an object whose values are strings",
      "products[4].rating: must be greater than or equal to 0.0",
      "products[5].externalId: must not be blank",
      "products[5].price: must not be null",
      "products[5].url: must not be blank",
      "products[6]: must be an object",
    ]);
    expect(emu.snapshot(SHOP_A.shopId)).toEqual([]);
  });

  it("accepts the boundary values", async () => {
    const emu = await start();
    const res = await sync(emu, [
      product("p1", { name: "n".repeat(512), description: "d".repeat(5000), price: 0, rating: 0 }),
      product("p2", { rating: 5, stockQuantity: 0, reviewCount: 0, attributes: {} }),
    ]);
    expect(res.status).toBe(200);
    expect(res.body.newProducts).toBe(2);
  });

  it("requires 1..500 products and a known syncType", async () => {
    const emu = await start();
    expect((await sync(emu, [])).body.message).toBe("products: size must be between 1 and 500");
    const tooMany = Array.from({ length: 501 }, (_, i) => product(`p${i}`));
    expect((await sync(emu, tooMany)).body.message).toBe(
      "products: size must be between 1 and 500",
    );
    const max = Array.from({ length: 500 }, (_, i) => product(`p${i}`));
    expect((await sync(emu, max)).body.newProducts).toBe(500);
    const badType = await call(emu, "POST", shopPath("/products/sync"), {
      body: { syncType: "PARTIAL", products: [product("x")] },
    });
    expect(badType.body.message).toBe("syncType: must be one of [FULL, INCREMENTAL]");
    const noProducts = await call(emu, "POST", shopPath("/products/sync"), {
      body: { syncType: "FULL" },
    });
    expect(noProducts.body.message).toBe("products: must not be null");
    const notObject = await call(emu, "POST", shopPath("/products/sync"), { body: [product("x")] });
    expect(notObject.status).toBe(400);
  });

  it("reports products beyond the plan quota in errors[]", async () => {
    const emu = await start({ shops: [{ ...SHOP_A, maxProducts: 2 }] });
    const res = await sync(emu, [product("p1"), product("p2"), product("p3")]);
    expect(res.body).toEqual({
      newProducts: 2,
      updatedProducts: 0,
      failed: 1,
      errors: [{ externalId: "p3", error: "Product quota exceeded: the plan allows 2 products" }],
      productsCount: 2,
      remainingProducts: 0,
    });
    const update = await sync(emu, [product("p1", { price: 1 })]);
    expect(update.body).toMatchObject({ updatedProducts: 1, failed: 0 });
  });
});

describe("variants", () => {
  it("accepts variants after their parent (same batch or synced earlier) and drops orphans silently", async () => {
    const emu = await start();
    await sync(emu, [product("parent-old")]);
    const res = await sync(emu, [
      product("v-early", { parentExternalId: "parent-new" }),
      product("parent-new"),
      product("v1", { parentExternalId: "parent-new" }),
      product("v2", { parentExternalId: "parent-old" }),
      product("v3", { parentExternalId: "missing" }),
    ]);
    expect(res.body).toMatchObject({
      newProducts: 3,
      updatedProducts: 0,
      failed: 0,
      errors: [],
      productsCount: 4,
    });
    expect(emu.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual([
      "parent-old",
      "parent-new",
      "v1",
      "v2",
    ]);
  });

  it("reports orphans in errors[] with orphanVariants: 'fail'", async () => {
    const emu = await start({ orphanVariants: "fail" });
    const res = await sync(emu, [product("v1", { parentExternalId: "missing" }), product("p1")]);
    expect(res.body).toMatchObject({
      newProducts: 1,
      failed: 1,
      errors: [{ externalId: "v1", error: "parentExternalId 'missing' not found" }],
    });
  });

  it("rejects the whole batch with 422 under strictOrphans", async () => {
    const emu = await start({ strictOrphans: true });
    await sync(emu, [product("parent")]);
    const res = await sync(emu, [
      product("p1"),
      product("v1", { parentExternalId: "missing" }),
      product("v2", { parentExternalId: "parent" }),
    ]);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      status: 422,
      error: "Unprocessable Entity",
      message: "parentExternalId 'missing' not found",
    });
    expect(emu.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["parent"]);
  });
});

describe("FULL sync", () => {
  it("wipes on the first request of a run and appends within the run", async () => {
    let now = 1_000_000;
    const emu = await start({ now: () => now });
    await sync(emu, [product("old1"), product("old2")]);
    const first = await sync(emu, [product("n1")], "FULL");
    expect(first.body).toMatchObject({ newProducts: 1, productsCount: 1 });
    now += 30_000;
    const second = await sync(emu, [product("n2")], "FULL");
    expect(second.body).toMatchObject({ newProducts: 1, productsCount: 2 });
    expect(emu.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["n1", "n2"]);
    now += 61_000;
    await sync(emu, [product("n3")], "FULL");
    expect(emu.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["n3"]);
  });

  it("ends a run on an INCREMENTAL sync", async () => {
    const emu = await start();
    await sync(emu, [product("a")], "FULL");
    await sync(emu, [product("b")]);
    await sync(emu, [product("c")], "FULL");
    expect(emu.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["c"]);
  });

  it("groups requests by the idempotency-key run prefix", async () => {
    let now = 0;
    const emu = await start({ now: () => now });
    const full = (id: string, key: string) =>
      sync(emu, [product(id)], "FULL", { headers: { "x-idempotency-key": key } });
    await full("a", "run-1:0");
    now += 10 * 60_000;
    await full("b", "run-1:1");
    expect(emu.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["a", "b"]);
    await full("c", "run-2:0");
    expect(emu.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["c"]);
  });

  it("wipes on every request with fullSync: 'each-request' and never with 'upsert'", async () => {
    const each = await start({ fullSync: "each-request" });
    await sync(each, [product("a")], "FULL");
    await sync(each, [product("b")], "FULL");
    expect(each.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["b"]);
    const upsert = await start({ fullSync: "upsert" });
    await sync(upsert, [product("a")]);
    await sync(upsert, [product("b")], "FULL");
    expect(upsert.snapshot(SHOP_A.shopId).map((p) => p.externalId)).toEqual(["a", "b"]);
  });

  it("does not count parents wiped by the FULL request", async () => {
    const emu = await start();
    await sync(emu, [product("parent")]);
    const res = await sync(
      emu,
      [product("v1", { parentExternalId: "parent" }), product("x")],
      "FULL",
    );
    expect(res.body).toMatchObject({ newProducts: 1, productsCount: 1 });
  });
});

describe("GET and DELETE products/{externalId}", () => {
  it("returns 404 for unknown products and decodes percent-encoded ids", async () => {
    const emu = await start();
    await sync(emu, [product("a/b c")]);
    const found = await call(emu, "GET", shopPath("/products/a%2Fb%20c"));
    expect(found.body.externalId).toBe("a/b c");
    const missing = await call(emu, "GET", shopPath("/products/nope"));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      status: 404,
      error: "Not Found",
      message: "Product not found: nope",
    });
    expect((await call(emu, "GET", shopPath("/products/%E0%A4%A"))).status).toBe(400);
  });

  it("deletes with 204 and stays 204 on repeat (404 when switched)", async () => {
    const emu = await start();
    await sync(emu, [product("p1"), product("p2")]);
    const first = await call(emu, "DELETE", shopPath("/products/p1"));
    expect(first.status).toBe(204);
    expect(first.text).toBe("");
    expect((await call(emu, "DELETE", shopPath("/products/p1"))).status).toBe(204);
    expect((await call(emu, "GET", shopPath("/products/p1"))).status).toBe(404);
    expect((await call(emu, "GET", "/api/plugin/shops/me")).body.productsCount).toBe(1);
    const strict = await start({ deleteMissingStatus: 404 });
    const res = await call(strict, "DELETE", shopPath("/products/nope"));
    expect(res.status).toBe(404);
    expect(res.body.message).toBe("Product not found: nope");
  });
});
