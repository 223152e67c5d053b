import type { FakeProduct, FakeShopify } from "@neuroon/fake-shopify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMemoryOfflineTokenStore,
  createShopifyBridge,
  type ShopifyBridge,
} from "../src/index.js";
import { makeShopify, SHOP, startFake } from "./harness.js";

function bigProduct(): FakeProduct {
  return {
    id: "9107199254740001",
    handle: "many-variants",
    title: "Many Variants",
    descriptionHtml: "<p>60 sizes</p>",
    vendor: "Nordwind",
    productType: "Socks",
    tags: [],
    status: "ACTIVE",
    publishedToOnlineStore: true,
    createdAt: "2026-11-01T00:00:00Z",
    updatedAt: "2026-11-01T00:00:00Z",
    category: null,
    imageUrl: null,
    metafields: [],
    variants: Array.from({ length: 60 }, (_, i) => ({
      id: String(49000000000000n + BigInt(i)),
      title: `Size ${i}`,
      sku: `SOCK-${i}`,
      barcode: null,
      price: (5 + i / 10).toFixed(2),
      compareAtPrice: null,
      inventoryQuantity: i % 3,
      tracked: true,
      inventoryPolicy: "DENY" as const,
      options: [{ name: "Size", value: String(i) }],
      inventoryItemId: String(51000000000000n + BigInt(i)),
    })),
  };
}

describe("ShopifyCatalogSource.readProducts", () => {
  let fake: FakeShopify;
  let bridge: ShopifyBridge;

  beforeAll(async () => {
    // A Plus-sized bucket: these tests are about query shape, not waiting for refills.
    fake = await startFake({ bucket: { maximumAvailable: 10_000, restoreRate: 1_000 } });
    bridge = createShopifyBridge({
      shopify: makeShopify(fake),
      tokenStore: createMemoryOfflineTokenStore(),
      queueFor: () => undefined,
      brandMetafield: { namespace: "custom", key: "brand" },
    });
    await bridge.tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    await fake.createProduct(SHOP, bigProduct());
  });
  afterAll(() => fake.close());

  it("reads many products in chunks that stay under the 1,000-point query limit", async () => {
    const keys = fake.products(SHOP).map((p) => p.id);
    const { products, missing } = await bridge.catalogSource(SHOP).readProducts(keys);
    const reads = fake.requests.filter((r) => r.operationName === "NeuroonProductNodes");
    expect(reads.length).toBe(Math.ceil(keys.length / 8));
    for (const read of reads) expect(read.requestedCost).toBeLessThanOrEqual(1000);
    const notIndexable = fake
      .products(SHOP)
      .filter((p) => p.status !== "ACTIVE" || !p.publishedToOnlineStore);
    expect(missing.sort()).toEqual(notIndexable.map((p) => p.id).sort());
    expect(products.filter((p) => !p.parentExternalId).length).toBe(
      keys.length - notIndexable.length,
    );
  });

  it("pages the variants of a product with more than one page of them", async () => {
    const { products } = await bridge.catalogSource(SHOP).readProducts(["9107199254740001"]);
    expect(products).toHaveLength(61);
    // Variant 0 is sold out, so the "from" price is the cheapest available one.
    expect(products[0]).toMatchObject({
      externalId: "9107199254740001",
      price: 5.1,
      inStock: true,
    });
    expect(fake.requests.some((r) => r.operationName === "NeuroonProductVariants")).toBe(true);
  });

  it("resolves a variant record key to its parent; unknown and malformed keys are missing", async () => {
    const variantKey = `9107199254740001:${bigProduct().variants[3]?.id}`;
    const { products, missing } = await bridge
      .catalogSource(SHOP)
      .readProducts([variantKey, "424242", "not-an-id"]);
    expect(products.map((p) => p.externalId)).toContain(variantKey);
    expect(missing.sort()).toEqual(["424242", "not-an-id"]);
  });

  it("takes brands from the configured metafield", async () => {
    const product = fake
      .products(SHOP)
      .find((p) => p.status === "ACTIVE" && p.publishedToOnlineStore) as FakeProduct;
    const { products } = await bridge.catalogSource(SHOP).readProducts([product.id]);
    expect(products[0]?.brands).toEqual([`${product.vendor} Label`]);
  });
});
