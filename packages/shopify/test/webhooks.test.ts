import type { FakeShopify } from "@neuroon/fake-shopify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createMemoryOfflineTokenStore,
  createShopifyBridge,
  type ShopifyBridge,
  type WebhookResult,
} from "../src/index.js";
import {
  API_SECRET,
  makeShopify,
  recordingQueue,
  SHOP,
  startEndpoint,
  startFake,
} from "./harness.js";

describe("webhooks over HTTP", () => {
  let fake: FakeShopify;
  let endpoint: { url: string; close(): Promise<void> };
  let bridge: ShopifyBridge;
  let queue: ReturnType<typeof recordingQueue>;
  let results: WebhookResult[];
  const hooks = {
    onUninstalled: vi.fn(),
    onShopRedact: vi.fn(),
    onCustomersRedact: vi.fn(),
    onCustomersDataRequest: vi.fn(),
  };

  beforeAll(async () => {
    fake = await startFake();
    endpoint = await startEndpoint(async (input) => {
      const result = await bridge.webhooks.handle({
        rawBody: input.rawBody,
        headers: input.headers,
      });
      results.push(result);
      return result;
    });
    fake.subscribe(`${endpoint.url}/webhooks`, [
      "products/create",
      "products/update",
      "products/delete",
      "inventory_levels/update",
      "orders/paid",
      "app/uninstalled",
      "customers/data_request",
      "customers/redact",
      "shop/redact",
      "bulk_operations/finish",
    ]);
  });
  afterAll(async () => {
    await endpoint.close();
    await fake.close();
  });
  beforeEach(async () => {
    results = [];
    queue = recordingQueue();
    const connected = new Set([SHOP]);
    bridge = createShopifyBridge({
      shopify: makeShopify(fake),
      tokenStore: createMemoryOfflineTokenStore(),
      queueFor: (shop) => (connected.has(shop) ? queue : undefined),
      ...hooks,
      onUninstalled: async (shop) => {
        connected.delete(shop);
        await hooks.onUninstalled(shop);
      },
    });
    await bridge.tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
  });
  afterEach(() => {
    vi.clearAllMocks();
  });

  const activeProduct = () =>
    fake
      .products(SHOP)
      .find((p) => p.status === "ACTIVE" && p.publishedToOnlineStore && p.variants.length === 1);

  it("enqueues a re-read for products/update and answers 200", async () => {
    const product = activeProduct();
    const [delivery] = await fake.updateProduct(SHOP, product?.id as string, { title: "Renamed" });
    expect(delivery?.status).toBe(200);
    expect(queue.changes).toEqual([
      { kind: "product", key: product?.id, origin: "webhook:products/update" },
    ]);
  });

  it("deduplicates redeliveries by X-Shopify-Webhook-Id", async () => {
    const product = activeProduct();
    const [delivery] = await fake.updateProduct(SHOP, product?.id as string, { title: "Once" });
    const again = await fake.redeliver(delivery?.webhookId as string);
    const third = await fake.redeliver(delivery?.webhookId as string);
    expect([delivery?.status, again.status, third.status]).toEqual([200, 200, 200]);
    expect(results.map((r) => r.outcome)).toEqual(["enqueued", "duplicate", "duplicate"]);
    expect(queue.changes).toHaveLength(1);
  });

  it("answers 401 to a forged or re-serialized delivery and enqueues nothing", async () => {
    const product = activeProduct();
    const [delivery] = await fake.updateProduct(SHOP, product?.id as string, { title: "Signed" });
    const original = fake.deliveries.find((d) => d.webhookId === delivery?.webhookId);
    const base = {
      method: "POST",
      headers: { ...original?.headers, "x-shopify-webhook-id": "forged-1" },
    };
    const reserialized = await fetch(`${endpoint.url}/webhooks`, {
      ...base,
      body: JSON.stringify(JSON.parse(original?.body as string), null, 1),
    });
    const tampered = await fetch(`${endpoint.url}/webhooks`, {
      ...base,
      body: String(original?.body).replace("Signed", "Hacked"),
    });
    const unsigned = await fetch(`${endpoint.url}/webhooks`, {
      method: "POST",
      body: original?.body as string,
      headers: { ...original?.headers, "x-shopify-hmac-sha256": "" },
    });
    expect([reserialized.status, tampered.status, unsigned.status]).toEqual([401, 401, 401]);
    expect(queue.changes).toHaveLength(1);
  });

  it("turns products/delete into a delete of the exact (> 2^53) id", async () => {
    const product = activeProduct();
    await fake.deleteProduct(SHOP, product?.id as string);
    expect(BigInt(product?.id as string)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(queue.changes).toEqual([
      { kind: "delete", key: product?.id, origin: "webhook:products/delete" },
    ]);
  });

  it("resolves inventory_levels/update to its product through Admin GraphQL", async () => {
    const product = activeProduct();
    await fake.setInventory(SHOP, product?.variants[0]?.id as string, 0);
    expect(queue.changes).toEqual([
      { kind: "product", key: product?.id, origin: "webhook:inventory_levels/update" },
    ]);
  });

  it("re-indexes every product whose variants one inventory item stocks", async () => {
    const [first, second] = fake.products(SHOP).filter((p) => p.status === "ACTIVE");
    const shared = first?.variants[0];
    const other = second?.variants.at(-1);
    if (!shared || !other) throw new Error("the fake catalog needs two active products");
    const originalItemId = other.inventoryItemId;
    other.inventoryItemId = shared.inventoryItemId;
    try {
      await fake.setInventory(SHOP, shared.id, 3);
      expect(queue.changes).toEqual([
        { kind: "product", key: first?.id, origin: "webhook:inventory_levels/update" },
        { kind: "product", key: second?.id, origin: "webhook:inventory_levels/update" },
      ]);
      expect(other.inventoryQuantity).toBe(3);
    } finally {
      other.inventoryItemId = originalItemId;
    }
  });

  it("turns orders/paid into exactly one conversion keyed by order id", async () => {
    const [a, b] = fake.products(SHOP);
    const order = {
      id: "820982911946154508",
      currency: "EUR",
      lines: [
        {
          productId: a?.id as string,
          variantId: a?.variants[0]?.id as string,
          quantity: 2,
          price: a?.variants[0]?.price as string,
        },
        {
          productId: b?.id as string,
          variantId: b?.variants[0]?.id as string,
          quantity: 1,
          price: "1.00",
        },
      ],
      noteAttributes: [
        { name: "_neuroon_clicks", value: JSON.stringify({ [a?.id as string]: "log_123" }) },
      ],
    };
    const [delivery] = await fake.payOrder(SHOP, order);
    await fake.redeliver(delivery?.webhookId as string);
    expect(queue.changes).toHaveLength(1);
    expect(queue.changes[0]).toMatchObject({
      kind: "conversion",
      key: "820982911946154508",
      payload: {
        orderId: "820982911946154508",
        currency: "EUR",
        conversions: [{ productId: a?.id, searchLogId: "log_123", quantity: 2 }],
      },
    });
  });

  it("acknowledges an order without search clicks without enqueuing", async () => {
    await fake.payOrder(SHOP, {
      id: "1001",
      currency: "EUR",
      lines: [{ productId: "1", variantId: "2", quantity: 1, price: "5.00" }],
    });
    expect(results.at(-1)?.outcome).toBe("not_attributable");
    expect(queue.changes).toEqual([]);
  });

  it("answers the compliance topics with 200 and calls their hooks; forged ones get 401", async () => {
    const shopRedact = await fake.deliver(SHOP, "shop/redact", { shop_id: 1, shop_domain: SHOP });
    const customersRedact = await fake.deliver(SHOP, "customers/redact", {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: 2 },
      orders_to_redact: [],
    });
    const dataRequest = await fake.deliver(SHOP, "customers/data_request", {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: 2 },
    });
    expect([shopRedact[0]?.status, customersRedact[0]?.status, dataRequest[0]?.status]).toEqual([
      200, 200, 200,
    ]);
    expect(hooks.onShopRedact).toHaveBeenCalledWith(
      SHOP,
      expect.objectContaining({ shop_domain: SHOP }),
    );
    expect(hooks.onCustomersRedact).toHaveBeenCalledOnce();
    expect(hooks.onCustomersDataRequest).toHaveBeenCalledOnce();
    const forged = await fetch(`${endpoint.url}/webhooks`, {
      method: "POST",
      body: "{}",
      headers: { ...shopRedact[0]?.headers, "x-shopify-webhook-id": "forged-2" },
    });
    expect(forged.status).toBe(401);
    expect(hooks.onShopRedact).toHaveBeenCalledOnce();
  });

  it("app/uninstalled forgets the token and stops accepting work for the shop", async () => {
    await fake.uninstall(SHOP);
    expect(hooks.onUninstalled).toHaveBeenCalledWith(SHOP);
    await expect(bridge.tokens.getSession(SHOP)).rejects.toThrow(/no offline token/);
    const product = activeProduct();
    await fake.updateProduct(SHOP, product?.id as string, { title: "After uninstall" });
    expect(results.at(-1)?.outcome).toBe("shop_not_connected");
    expect(queue.changes).toEqual([]);
  });

  it("a failing queue answers 503 and lets Shopify's retry through", async () => {
    const product = activeProduct();
    const failing = vi.spyOn(queue, "enqueue").mockRejectedValueOnce(new Error("disk full"));
    const [delivery] = await fake.updateProduct(SHOP, product?.id as string, { title: "Retry me" });
    expect(delivery?.status).toBe(503);
    failing.mockRestore();
    const retry = await fake.redeliver(delivery?.webhookId as string);
    expect(retry.status).toBe(200);
    expect(queue.changes).toHaveLength(1);
  });

  it("verifies app proxy queries the way the library does", async () => {
    const query = fake.appProxyQuery(SHOP);
    expect(bridge.verifyAppProxy(query)).toMatchObject({ ok: true, shop: SHOP });
    const shopify = makeShopify(fake);
    await expect(
      shopify.utils.validateHmac(Object.fromEntries(query), { signator: "appProxy" }),
    ).resolves.toBe(true);
    const stale = fake.appProxyQuery(SHOP, {}, Math.floor(Date.now() / 1000) - 600);
    expect(bridge.verifyAppProxy(stale)).toEqual({ ok: false, reason: "stale_timestamp" });
    void API_SECRET;
  });

  it("handleRequest serves Fetch requests (React Router actions) with the same rules", async () => {
    const product = activeProduct();
    const [delivery] = await fake.updateProduct(SHOP, product?.id as string, {
      title: "Via Fetch",
    });
    const original = fake.deliveries.find((d) => d.webhookId === delivery?.webhookId);
    const request = (headers: Record<string, string>, method = "POST") =>
      new Request("https://app.example.test/webhooks", {
        method,
        headers,
        ...(method === "POST" ? { body: String(original?.body) } : {}),
      });
    const fresh = { ...original?.headers, "x-shopify-webhook-id": "fetch-1" };
    expect((await bridge.webhooks.handleRequest(request(fresh))).status).toBe(200);
    expect((await bridge.webhooks.handleRequest(request(fresh))).status).toBe(200);
    expect(
      (await bridge.webhooks.handleRequest(request({ ...fresh, "x-shopify-hmac-sha256": "AAAA" })))
        .status,
    ).toBe(401);
    expect((await bridge.webhooks.handleRequest(request(fresh, "GET"))).status).toBe(405);
    expect(queue.changes.filter((c) => c.key === product?.id)).toHaveLength(2);
  });

  it("acknowledges unknown topics and ignores deliveries for shops that are not connected", async () => {
    const unknown = await fake.deliver(SHOP, "carts/update", { id: 1 });
    expect(unknown).toEqual([]); // not subscribed: nothing sent
    const endpointResult = await fetch(`${endpoint.url}/webhooks`, {
      method: "POST",
      body: "{}",
      headers: {
        "x-shopify-hmac-sha256": (await import("@shopify/shopify-api/test-helpers")).getHmac(
          "{}",
          API_SECRET,
        ),
        "x-shopify-topic": "carts/update",
        "x-shopify-shop-domain": SHOP,
        "x-shopify-api-version": "2026-10",
        "x-shopify-webhook-id": "unknown-topic-1",
      },
    });
    expect(endpointResult.status).toBe(200);
    expect(results.at(-1)?.outcome).toBe("ignored");
    expect(queue.changes).toEqual([]);
  });
});
