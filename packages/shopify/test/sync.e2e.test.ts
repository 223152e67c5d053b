import {
  MemorySyncStateStore,
  NeuroonClient,
  openSqliteQueue,
  type SqliteChangeQueue,
  SyncEngine,
} from "@neuroon/core";
import { type EmulatorHandle, startEmulator } from "@neuroon/emulator";
import type { FakeProduct, FakeShopify } from "@neuroon/fake-shopify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMemoryOfflineTokenStore,
  createShopifyBridge,
  type ShopifyBridge,
} from "../src/index.js";
import { makeShopify, SHOP, startEndpoint, startFake } from "./harness.js";

const SHOP_ID = "shop_shopify01";
const API_KEY = `sk_${"5b0f".repeat(8)}`;

/** What Neuroon must hold for a catalog: indexable products, plus variant records. */
function expectedIds(products: readonly FakeProduct[]): string[] {
  const ids: string[] = [];
  for (const product of products) {
    if (product.status !== "ACTIVE" || !product.publishedToOnlineStore) continue;
    ids.push(product.id);
    if (product.variants.length > 1)
      for (const v of product.variants) ids.push(`${product.id}:${v.id}`);
  }
  return ids.sort();
}

describe("Shopify → Neuroon end to end (fake Shopify, emulator, core sync engine)", () => {
  let fake: FakeShopify;
  let emulator: EmulatorHandle;
  let endpoint: { url: string; close(): Promise<void> };
  let queue: SqliteChangeQueue;
  let bridge: ShopifyBridge;
  let engine: SyncEngine;

  const snapshotIds = () =>
    emulator
      .snapshot(SHOP_ID)
      .map((p) => p.externalId)
      .sort();
  const byId = (id: string) => emulator.snapshot(SHOP_ID).find((p) => p.externalId === id);
  const indexable = () =>
    fake.products(SHOP).filter((p) => p.status === "ACTIVE" && p.publishedToOnlineStore);

  beforeAll(async () => {
    fake = await startFake({
      bulkLineOrder: "shuffled",
      shops: [
        {
          domain: SHOP,
          currencyCode: "EUR",
          taxesIncluded: true,
          products: { products: 60, seed: 7 },
        },
      ],
    });
    emulator = await startEmulator({
      port: 0,
      shops: [{ shopId: SHOP_ID, apiKey: API_KEY, url: `https://${SHOP}` }],
      rateLimits: false,
    });
    queue = openSqliteQueue({ path: ":memory:" });
    bridge = createShopifyBridge({
      shopify: makeShopify(fake),
      tokenStore: createMemoryOfflineTokenStore(),
      queueFor: (shop) => (shop === SHOP ? queue : undefined),
      bulkPollIntervalMs: 20,
    });
    endpoint = await startEndpoint((input) =>
      bridge.webhooks.handle({ rawBody: input.rawBody, headers: input.headers }),
    );
    fake.subscribe(`${endpoint.url}/webhooks`, [
      "products/create",
      "products/update",
      "products/delete",
      "inventory_levels/update",
      "orders/paid",
      "bulk_operations/finish",
    ]);
    await bridge.tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    const client = new NeuroonClient({
      shopId: SHOP_ID,
      apiKey: API_KEY,
      baseUrl: emulator.url,
      rateLimits: false,
      maxRetries: 1,
      sleep: async () => {},
    });
    engine = new SyncEngine({
      client,
      queue,
      state: new MemorySyncStateStore({ shopId: SHOP_ID }),
      source: bridge.catalogSource(SHOP),
      shopId: SHOP_ID,
      retry: { baseDelayMs: 1 },
    });
  });
  afterAll(async () => {
    await endpoint?.close();
    await queue?.close();
    await emulator?.close();
    await fake?.close();
  });

  it("imports the catalog through a bulk operation with out-of-order JSONL", async () => {
    const summary = await engine.fullSync();
    expect(summary.rejected).toBe(0);
    expect(snapshotIds()).toEqual(expectedIds(fake.products(SHOP)));
    expect(fake.bulkOperations(SHOP)).toHaveLength(1);
    // Drafts, archived, unlisted and unpublished products are not there.
    for (const product of fake
      .products(SHOP)
      .filter((p) => p.status !== "ACTIVE" || !p.publishedToOnlineStore)) {
      expect(byId(product.id)).toBeUndefined();
    }
    // Ids beyond 2^53 arrive digit for digit; prices, sale prices, categories as mapped.
    const first = indexable()[0] as FakeProduct;
    expect(BigInt(first.id)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    const sale = indexable().find(
      (p) =>
        p.variants.length === 1 &&
        p.variants[0]?.compareAtPrice &&
        Number(p.variants[0].compareAtPrice) > Number(p.variants[0].price),
    );
    expect(byId(sale?.id as string)).toMatchObject({
      price: Number(sale?.variants[0]?.compareAtPrice),
      salePrice: Number(sale?.variants[0]?.price),
      currency: "EUR",
    });
    const categorized = indexable().find((p) => p.category);
    expect(byId(categorized?.id as string)?.categories).toEqual(
      categorized?.category?.fullName.split(" > ").reverse(),
    );
  });

  it("a product update webhook reaches Neuroon after one drain", async () => {
    const product = indexable()[1] as FakeProduct;
    await fake.updateProduct(SHOP, product.id, { title: "Renamed by the merchant" });
    const summary = await engine.drain();
    expect(summary.sent).toBeGreaterThanOrEqual(1);
    expect(byId(product.id)?.name).toBe("Renamed by the merchant");
  });

  it("a stock change (inventory_levels/update) updates availability", async () => {
    const product = indexable().find(
      (p) =>
        p.variants.length === 1 &&
        p.variants[0]?.tracked &&
        p.variants[0].inventoryPolicy === "DENY",
    ) as FakeProduct;
    await fake.setInventory(SHOP, product.variants[0]?.id as string, 0);
    await engine.drain();
    expect(byId(product.id)).toMatchObject({ inStock: false, stockQuantity: 0 });
  });

  it("unpublishing or drafting a product deletes it and its variant records", async () => {
    const withVariants = indexable().find((p) => p.variants.length > 1) as FakeProduct;
    const simple = indexable().find(
      (p) => p.variants.length === 1 && p.id !== withVariants.id,
    ) as FakeProduct;
    expect(byId(`${withVariants.id}:${withVariants.variants[0]?.id}`)).toBeDefined();
    await fake.updateProduct(SHOP, withVariants.id, { publishedToOnlineStore: false });
    await fake.updateProduct(SHOP, simple.id, { status: "DRAFT" });
    await engine.drain();
    expect(snapshotIds().filter((id) => id.startsWith(withVariants.id))).toEqual([]);
    expect(byId(simple.id)).toBeUndefined();
    expect(snapshotIds()).toEqual(expectedIds(fake.products(SHOP)));
  });

  it("products/delete removes the product", async () => {
    const product = indexable()[2] as FakeProduct;
    await fake.deleteProduct(SHOP, product.id);
    await engine.drain();
    expect(byId(product.id)).toBeUndefined();
    expect(snapshotIds()).toEqual(expectedIds(fake.products(SHOP)));
  });

  it("a paid order becomes exactly one conversion, however often it is delivered", async () => {
    const [a, b] = indexable() as [FakeProduct, FakeProduct];
    const order = {
      id: "820982911946154508",
      currency: "EUR",
      lines: [
        {
          productId: a.id,
          variantId: a.variants[0]?.id as string,
          quantity: 2,
          price: a.variants[0]?.price as string,
        },
        {
          productId: b.id,
          variantId: b.variants[0]?.id as string,
          quantity: 1,
          price: b.variants[0]?.price as string,
        },
      ],
      noteAttributes: [{ name: "_neuroon_clicks", value: JSON.stringify({ [a.id]: "log_e2e_1" }) }],
    };
    const [delivery] = await fake.payOrder(SHOP, order);
    await fake.redeliver(delivery?.webhookId as string);
    await engine.drain();
    await fake.payOrder(SHOP, order); // a second event for the same order (new webhook id)
    await engine.drain();
    const conversions = emulator
      .conversions(SHOP_ID)
      .filter((c) => c.orderId === "820982911946154508");
    expect(conversions).toHaveLength(1);
    expect(conversions[0]?.body).toMatchObject({
      orderId: "820982911946154508",
      currency: "EUR",
      conversions: [{ productId: a.id, searchLogId: "log_e2e_1", quantity: 2 }],
    });
  });

  it("duplicate deliveries change nothing", async () => {
    const product = indexable()[3] as FakeProduct;
    const [delivery] = await fake.updateProduct(SHOP, product.id, { tags: ["dupe-check"] });
    await engine.drain();
    const before = emulator.snapshot(SHOP_ID);
    const requestsBefore = emulator.requests.length;
    for (let i = 0; i < 3; i += 1) await fake.redeliver(delivery?.webhookId as string);
    const summary = await engine.drain();
    expect(summary.changes).toBe(0);
    expect(emulator.requests.length).toBe(requestsBefore);
    expect(emulator.snapshot(SHOP_ID)).toEqual(before);
  });

  it("the nightly reconcile catches what missed webhooks left behind", async () => {
    const product = indexable()[4] as FakeProduct;
    // Archived in the shop without any webhook reaching us.
    product.status = "ARCHIVED";
    const summary = await engine.reconcile({ force: true });
    expect(summary.deleted).toBeGreaterThanOrEqual(1);
    expect(snapshotIds()).toEqual(expectedIds(fake.products(SHOP)));
  });
});
