import { StoreError } from "@neuroon/core";
import { generateCatalog, wcDate } from "@neuroon/fake-woocommerce";
import { afterEach, describe, expect, test } from "vitest";
import { createWooStoreReader, WooCommerceError } from "../src/index.js";
import { AT, CONSUMER_KEY, CONSUMER_SECRET, type Harness, startStore } from "./helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.fake.close();
  harness = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<WooCommerceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(WooCommerceError.isWooCommerceError(error)).toBe(true);
  return error as WooCommerceError;
}

describe("paging", () => {
  test("walks every page by id with X-WP-TotalPages, 100 per page, asking only for mapped fields", async () => {
    harness = await startStore({ catalog: generateCatalog({ products: 250, seed: 3, at: AT }) });
    const { fake, reader } = harness;
    const seen: number[] = [];
    const pageSizes: number[] = [];
    for await (const page of reader.productPages()) {
      pageSizes.push(page.items.length);
      seen.push(...page.items.map((p) => p.id));
      expect(page.totalPages).toBe(3);
    }
    const notTrashed = [...fake.store.products.values()].filter((p) => p.status !== "trash");
    expect(seen).toEqual(notTrashed.map((p) => p.id).sort((a, b) => a - b));
    expect(pageSizes).toEqual([100, 100, notTrashed.length - 200]);
    const listCalls = fake.requests.filter((r) => r.route === "/products");
    expect(listCalls).toHaveLength(3);
    for (const call of listCalls) {
      expect(call.auth).toBe("oauth");
      expect(call.query).toMatchObject({ per_page: "100", orderby: "id", order: "asc" });
      expect(call.query._fields?.split(",")).toContain("catalog_visibility");
      expect(call.query._fields?.split(",")).not.toContain("price_html");
    }
  });

  test("a cache that strips the X-WP-* headers: pages are read until a short page", async () => {
    harness = await startStore({ catalog: generateCatalog({ products: 250, seed: 3, at: AT }) });
    const { fake, reader } = harness;
    fake.faults.add({ path: "/products", stripPagingHeaders: true });
    let count = 0;
    for await (const page of reader.productPages()) count += page.items.length;
    expect(count).toBe(
      [...fake.store.products.values()].filter((p) => p.status !== "trash").length,
    );
  });

  test("listProducts returns one page with its totals", async () => {
    harness = await startStore();
    const page = await harness.reader.listProducts({ perPage: 7, page: 2, status: "publish" });
    const published = [...harness.fake.store.products.values()].filter(
      (p) => p.status === "publish",
    );
    expect(page).toMatchObject({
      page: 2,
      total: published.length,
      totalPages: Math.ceil(published.length / 7),
    });
    expect(page.items).toHaveLength(7);
    expect(page.items.every((p) => p.status === "publish")).toBe(true);
  });

  test("refuses per_page above WooCommerce's maximum before calling the store", async () => {
    harness = await startStore();
    await expect(harness.reader.listProducts({ perPage: 101 })).rejects.toThrow(RangeError);
  });

  test("modifiedAfter is sent in GMT with dates_are_gmt and is exclusive", async () => {
    harness = await startStore({ settings: { gmtOffsetHours: 5 } });
    const { fake, reader } = harness;
    const cutoff = new Date(Date.now() + 60_000);
    // Products edited "after" the cutoff: stamp them explicitly so the test needs no waiting.
    const later = wcDate(new Date(cutoff.getTime() + 1_000));
    fake.store.updateProduct(100, { date_modified_gmt: later });
    fake.store.updateProduct(105, { date_modified_gmt: later });
    fake.store.updateProduct(110, { date_modified_gmt: wcDate(cutoff) });
    const ids: number[] = [];
    for await (const page of reader.productPages({ modifiedAfter: cutoff }))
      ids.push(...page.items.map((p) => p.id));
    expect(ids).toEqual([100, 105]);
    const call = fake.requests.findLast((r) => r.route === "/products");
    expect(call?.query).toMatchObject({ dates_are_gmt: "true", modified_after: wcDate(cutoff) });
  });

  test("without dates_are_gmt the store compares site-local time (why the reader always sends it)", async () => {
    harness = await startStore({ settings: { gmtOffsetHours: 5 } });
    const { fake, reader } = harness;
    const cutoff = new Date(Date.now() + 60_000);
    fake.store.updateProduct(100, {
      date_modified_gmt: wcDate(new Date(cutoff.getTime() + 1_000)),
    });
    const { data } = await reader.request<{ id: number }[]>("get", "products", {
      modified_after: wcDate(cutoff),
      _fields: "id",
      per_page: 100,
    });
    // Local time is 5 h ahead, so every product modified up to 5 h before the cutoff matches too.
    expect(data.map((p) => p.id)).toContain(100);
    expect(data.length).toBeGreaterThan(0);
    const { data: gmt } = await reader.request<{ id: number }[]>("get", "products", {
      modified_after: wcDate(cutoff),
      dates_are_gmt: true,
      _fields: "id",
    });
    expect(gmt.map((p) => p.id)).toEqual([100]);
  });

  test("getProductsByIds batches include by 100 and sends lists comma-joined (11+ ids sign correctly)", async () => {
    harness = await startStore({ catalog: generateCatalog({ products: 250, seed: 3, at: AT }) });
    const { fake, reader } = harness;
    const ids = [...fake.store.products.values()]
      .filter((p) => p.status !== "trash")
      .map((p) => p.id)
      .slice(0, 150);
    const products = await reader.getProductsByIds([...ids, 999_999]);
    expect(products.map((p) => p.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    const calls = fake.requests.filter((r) => r.route === "/products");
    expect(calls).toHaveLength(2);
    expect(calls[0]?.query.include?.split(",")).toHaveLength(100);
    expect(calls[0]?.status).toBe(200);
  });

  test("getProductPasswords reads post_password in the edit context, trimmed, 100 ids a request", async () => {
    harness = await startStore({ catalog: generateCatalog({ products: 250, seed: 3, at: AT }) });
    const { fake, reader } = harness;
    const ids = [...fake.store.products.values()]
      .filter((p) => p.status !== "trash")
      .map((p) => p.id)
      .slice(0, 150);
    const locked = ids[120] as number;
    fake.store.updateProduct(locked, { post_password: "members" });
    const passwords = await reader.getProductPasswords([...ids, ids[0] as number, 999_999]);
    expect([...passwords.keys()].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    expect(passwords.get(locked)).toBe("members");
    expect([...passwords.values()].filter((password) => password !== "")).toEqual(["members"]);
    const calls = fake.requests.filter((r) => r.route === "/products");
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.query).toMatchObject({
        context: "edit",
        _fields: "id,post_password",
        per_page: "100",
        page: "1",
      });
    }
    expect(calls[0]?.query.include?.split(",")).toHaveLength(100);
    expect(await reader.getProductPasswords([])).toEqual(new Map());
    expect(fake.requests.filter((r) => r.route === "/products")).toHaveLength(2);
  });

  test("the view context never carries post_password", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const product = fake.store.addProduct({
      name: "Locked",
      regular_price: "5.00",
      post_password: "x",
    });
    const [viewed] = await reader.getProductsByIds([product.id], { fields: "all" });
    expect(viewed).toBeDefined();
    expect(viewed).not.toHaveProperty("post_password");
    expect(await reader.getProduct(product.id)).not.toHaveProperty("post_password");
  });

  test("variations of a variable product, all pages, with the variation fields", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const parent = [...fake.store.products.values()].find(
      (p) => p.type === "variable" && fake.store.variationsOf(p.id).length > 1,
    );
    expect(parent).toBeDefined();
    const variations = await reader.listVariations(parent?.id as number);
    expect(variations.map((v) => v.id)).toEqual(
      fake.store.variationsOf(parent?.id as number).map((v) => v.id),
    );
    expect(variations[0]).toHaveProperty("regular_price");
    expect(variations[0]).not.toHaveProperty("_links");
    expect(await reader.listVariations(999_999)).toEqual([]);
  });

  test.each([
    { wc: "≥ 10.3 (store-wide /variations?parent=…)", global: true },
    { wc: "older (one listing per parent)", global: false },
  ])("variations of many parents at once on WooCommerce $wc", async ({ global }) => {
    harness = await startStore({
      catalog: generateCatalog({ products: 250, seed: 3, at: AT }),
      globalVariationsEndpoint: global,
    });
    const { fake, reader } = harness;
    const parents = [...fake.store.products.values()]
      .filter((p) => p.type === "variable")
      .map((p) => p.id);
    expect(parents.length).toBeGreaterThan(40);
    for (let round = 0; round < 2; round++) {
      const byParent = await reader.listVariationsOf(parents);
      for (const id of parents) {
        expect(byParent.get(id)?.map((v) => v.id)).toEqual(
          fake.store.variationsOf(id).map((v) => v.id),
        );
      }
    }
    const globalCalls = fake.requests.filter((r) => r.route === "/variations");
    const perParentCalls = fake.requests.filter((r) =>
      /^\/products\/\d+\/variations$/.test(r.route),
    );
    if (global) {
      expect(perParentCalls).toHaveLength(0);
      expect(globalCalls.length).toBeLessThan(10);
    } else {
      // Probed once, then remembered.
      expect(globalCalls).toHaveLength(1);
      expect(perParentCalls).toHaveLength(parents.length * 2);
    }
  });

  test("productIdPages lists ids only", async () => {
    harness = await startStore();
    const ids: number[] = [];
    for await (const page of harness.reader.productIdPages()) ids.push(...page);
    expect(ids.length).toBe(
      [...harness.fake.store.products.values()].filter((p) => p.status !== "trash").length,
    );
    expect(harness.fake.requests.at(-1)?.query._fields).toBe("id");
  });
});

describe("taxonomies and settings", () => {
  test("categories are loaded once, all pages, and cached; refresh reloads", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const [a, b] = await Promise.all([reader.listCategories(), reader.listCategories()]);
    expect(a).toBe(b);
    expect(a.length).toBe(fake.store.categories.size);
    expect(a.find((c) => c.name === "Basic Tees")?.parent).toBe(
      a.find((c) => c.name === "T-Shirts")?.id,
    );
    expect(fake.requests.filter((r) => r.route === "/products/categories")).toHaveLength(1);
    fake.store.putCategory({ name: "New Arrivals" });
    const refreshed = await reader.listCategories({ refresh: true });
    expect(refreshed.some((c) => c.name === "New Arrivals")).toBe(true);
  });

  test("brands come from the core taxonomy; a store without it gives an empty list", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const brands = await reader.listBrands();
    expect(brands.map((b) => b.name)).toContain("Crème de la Crème");
    expect(brands.find((b) => b.name === "Trailblazer Pro")?.parent).toBe(
      brands.find((b) => b.name === "Trailblazer")?.id,
    );
    fake.faults.add({ path: "/products/brands", status: 404, code: "rest_no_route" });
    expect(await reader.listBrands({ refresh: true })).toEqual([]);
  });

  test("tax settings: the two flags, currency, decimals, base location and rates", async () => {
    harness = await startStore({
      settings: {
        pricesIncludeTax: true,
        taxDisplayShop: "excl",
        defaultCountry: "US:CA",
        currency: "USD",
        priceNumDecimals: 3,
      },
    });
    const tax = await harness.reader.getTaxSettings();
    expect(tax).toMatchObject({
      calcTaxes: true,
      pricesIncludeTax: true,
      displayIncludingTax: false,
      currency: "USD",
      priceDecimals: 3,
      baseCountry: "US",
      baseState: "CA",
    });
    expect(tax.rates.map((r) => r.rate)).toContain("19.0000");
  });

  test("orders: one by id (undefined when missing) and lists by status", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const first = [...fake.store.orders.values()][0];
    const order = await reader.getOrder(first?.id as number);
    expect(order?.line_items?.[0]?.product_id).toBe(first?.line_items[0]?.product_id);
    expect(await reader.getOrder(424242)).toBeUndefined();
    const page = await reader.listOrders({ status: ["processing", "completed"] });
    expect(page.items.every((o) => o.status === "processing" || o.status === "completed")).toBe(
      true,
    );
  });
});

describe("errors", () => {
  test("a wrong secret is a typed auth error that names the env var", async () => {
    harness = await startStore({}, { consumerSecret: "cs_wrong" });
    const error = await rejection(harness.reader.listProducts());
    expect(error).toMatchObject({
      kind: "auth",
      status: 401,
      code: "woocommerce_rest_authentication_error",
      storeMessage: "Invalid signature - provided signature does not match.",
    });
    expect(error.message).toContain("WOOCOMMERCE_CONSUMER_SECRET");
    expect(error.message).not.toContain("cs_wrong");
    expect(harness.fake.requests.filter((r) => r.route === "/products")).toHaveLength(1);
  });

  test("an unknown key says to check WOOCOMMERCE_CONSUMER_KEY", async () => {
    harness = await startStore({}, { consumerKey: "ck_unknown" });
    const error = await rejection(harness.reader.listProducts());
    expect(error.storeMessage).toBe("Consumer key is invalid.");
    expect(error.message).toContain("WOOCOMMERCE_CONSUMER_KEY");
  });

  test("a URL other than the store's home URL fails the OAuth signature and points at WOOCOMMERCE_URL", async () => {
    harness = await startStore({ homeUrl: "http://shop.example" });
    const error = await rejection(harness.reader.listProducts());
    expect(error.kind).toBe("auth");
    expect(error.message).toContain("WOOCOMMERCE_URL");
  });

  test("a subdirectory install works when the URL includes the subdirectory", async () => {
    harness = await startStore({ homePath: "/shop" });
    expect(harness.fake.url).toMatch(/\/shop$/);
    const page = await harness.reader.listProducts({ perPage: 1 });
    expect(page.items).toHaveLength(1);
  });

  test("a read-only key can read", async () => {
    harness = await startStore({
      extraKeys: [
        { consumerKey: "ck_ro", consumerSecret: "cs_ro", permissions: "read", userId: 2 },
      ],
    });
    const reader = createWooStoreReader({
      url: harness.fake.url,
      consumerKey: "ck_ro",
      consumerSecret: "cs_ro",
    });
    expect((await reader.listProducts({ perPage: 1 })).items).toHaveLength(1);
    const error = await rejection(
      reader.request(
        "post",
        "webhooks",
        {},
        { topic: "product.updated", delivery_url: "https://bridge.example/wc" },
      ),
    );
    expect(error.message).toContain("read-only");
  });

  test("a store refusing the edit context makes getProductPasswords throw an auth error", async () => {
    harness = await startStore();
    harness.fake.faults.add({
      path: "/products",
      query: { context: "edit" },
      status: 403,
      code: "rest_forbidden_context",
    });
    const error = await rejection(harness.reader.getProductPasswords([100]));
    expect(error).toMatchObject({ kind: "auth", status: 403, code: "rest_forbidden_context" });
    expect(harness.fake.requests.filter((r) => r.route === "/products")).toHaveLength(1);
  });

  test("5xx and 429 are retried with backoff (Retry-After honoured); the call then succeeds", async () => {
    const delays: number[] = [];
    harness = await startStore({}, { sleep: async (ms) => void delays.push(ms), random: () => 0 });
    harness.fake.faults.add({ path: "/products", status: 503, times: 1 });
    harness.fake.faults.add({ path: "/products", status: 429, retryAfter: "2", times: 1 });
    const page = await harness.reader.listProducts({ perPage: 2 });
    expect(page.items).toHaveLength(2);
    expect(delays).toEqual([1_000, 2_000]);
  });

  test("a 429 that outlasts the retries is a core StoreError carrying the store's Retry-After in ms", async () => {
    harness = await startStore({}, { maxRetries: 0 });
    harness.fake.faults.add({ path: "/products", status: 429, retryAfter: "30" });
    const error = await rejection(harness.reader.listProducts());
    expect(StoreError.isStoreError(error)).toBe(true);
    expect(error).toMatchObject({ kind: "rate-limited", status: 429, retryAfterMs: 30_000 });
    expect(error.isRetryable).toBe(true);
    expect(error.retryAfterSec).toBe(30);
  });

  test("gives up after maxRetries with a retryable server error", async () => {
    harness = await startStore({}, { maxRetries: 2 });
    harness.fake.faults.add({ path: "/products", status: 500 });
    const error = await rejection(harness.reader.listProducts());
    expect(error).toMatchObject({ kind: "server", status: 500, isRetryable: true });
    expect(harness.fake.requests.filter((r) => r.route === "/products")).toHaveLength(3);
  });

  test("404 on a product is undefined, other 4xx throw without retry", async () => {
    harness = await startStore();
    expect(await harness.reader.getProduct(999_999)).toBeUndefined();
    const error = await rejection(harness.reader.request("get", "products", { per_page: 500 }));
    expect(error).toMatchObject({
      kind: "invalid-request",
      status: 400,
      code: "rest_invalid_param",
    });
    expect(error.message, error.message).toContain(
      "per_page must be between 1 (inclusive) and 100 (inclusive)",
    );
  });

  test("a slow page times out as a timeout error", async () => {
    harness = await startStore({}, { timeoutMs: 100, maxRetries: 0 });
    harness.fake.faults.add({ path: "/products", delayMs: 400 });
    const error = await rejection(harness.reader.listProducts());
    expect(error.kind).toBe("timeout");
  });

  test("a dropped connection is a connection error", async () => {
    harness = await startStore({}, { maxRetries: 0 });
    harness.fake.faults.add({ path: "/products", destroySocket: true });
    const error = await rejection(harness.reader.listProducts());
    expect(error).toMatchObject({ kind: "connection", status: 0, isRetryable: true });
  });

  test("oversized response headers (PHP notices from a plugin) are a connection error with a hint", async () => {
    harness = await startStore({}, { maxRetries: 0 });
    harness.fake.faults.add({ path: "/products", headerBytes: 40_000 });
    const error = await rejection(harness.reader.listProducts());
    expect(error.kind).toBe("connection");
    expect(error.message).toContain("--max-http-header-size");
  });

  test("errors never carry credentials, not even in their cause", async () => {
    harness = await startStore({}, { consumerSecret: "cs_wrong_secret_value", maxRetries: 0 });
    const error = await rejection(harness.reader.listProducts());
    const dump =
      JSON.stringify(error, Object.getOwnPropertyNames(error)) +
      String(error.cause) +
      JSON.stringify(error.cause, Object.getOwnPropertyNames(error.cause));
    expect(dump).not.toContain("cs_wrong_secret_value");
    expect(dump).not.toContain("oauth_signature");
    expect(dump).not.toContain(CONSUMER_KEY);
  });

  test("an abort signal cancels the call with the signal's reason", async () => {
    harness = await startStore();
    harness.fake.faults.add({ path: "/products", delayMs: 300 });
    const controller = new AbortController();
    const pending = harness.reader.listProducts({}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await expect(pending).rejects.toThrow("stop");
  });

  test("options are validated with the env var to set", () => {
    expect(() =>
      createWooStoreReader({ url: "", consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET }),
    ).toThrow(/WOOCOMMERCE_URL/);
    expect(() =>
      createWooStoreReader({
        url: "shop.example",
        consumerKey: CONSUMER_KEY,
        consumerSecret: CONSUMER_SECRET,
      }),
    ).toThrow(/http:\/\/ or https:\/\//);
    expect(() =>
      createWooStoreReader({ url: "http://a", consumerKey: "", consumerSecret: CONSUMER_SECRET }),
    ).toThrow(/WOOCOMMERCE_CONSUMER_KEY/);
    expect(() =>
      createWooStoreReader({ url: "http://a", consumerKey: CONSUMER_KEY, consumerSecret: " " }),
    ).toThrow(/WOOCOMMERCE_CONSUMER_SECRET/);
  });
});
