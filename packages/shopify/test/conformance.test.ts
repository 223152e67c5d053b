import { type ExpectedProduct, runCatalogSourceConformance } from "@neuroon/core/testing";
import { type FakeProduct, type FakeVariant, TAXONOMY } from "@neuroon/fake-shopify";
import { createMemoryOfflineTokenStore, createShopifyBridge } from "../src/index.js";
import { makeShopify, SHOP, startFake } from "./harness.js";

/** A variant is a record of its own unless it is the implicit "Default Title" one. */
function hasRealVariants(product: FakeProduct): boolean {
  if (product.variants.length !== 1) return product.variants.length > 1;
  const options = product.variants[0]?.options ?? [];
  return !(options.length === 0 || (options.length === 1 && options[0]?.value === "Default Title"));
}

/**
 * What the shop must map to, read from the fake's own state: active products published to the
 * Online Store, a product with real variants as a parent plus `product:variant` records.
 */
function expectedCatalog(products: readonly FakeProduct[]): ExpectedProduct[] {
  const expected: ExpectedProduct[] = [];
  for (const product of products) {
    if (product.status !== "ACTIVE" || !product.publishedToOnlineStore) continue;
    if (product.variants.length === 0) continue;
    expected.push({ externalId: product.id, name: product.title.trim() });
    if (!hasRealVariants(product)) continue;
    for (const variant of product.variants) {
      expected.push({ externalId: `${product.id}:${variant.id}`, parentExternalId: product.id });
    }
  }
  return expected;
}

let nextVariantId = 47_000_000_000_000n;
let nextProductId = 9_207_199_254_740_001n;

function variant(productIndex: number, color: string, price: string): FakeVariant {
  nextVariantId += 1n;
  return {
    id: nextVariantId.toString(),
    title: color,
    sku: `CONF-${productIndex}-${color}`,
    barcode: null,
    price,
    compareAtPrice: null,
    inventoryQuantity: 5,
    tracked: true,
    inventoryPolicy: "DENY",
    options: [{ name: "Color", value: color }],
    inventoryItemId: (nextVariantId + 3_000_000_000_000n).toString(),
  };
}

runCatalogSourceConformance("Shopify", async () => {
  const fake = await startFake({
    // A Plus-sized bucket: the battery reads the whole shop by key; waiting for refills of the
    // standard 1,000-point bucket (catalog-source.test.ts covers it) would only slow it down.
    bucket: { maximumAvailable: 10_000, restoreRate: 1_000 },
    shops: [
      {
        domain: SHOP,
        currencyCode: "EUR",
        taxesIncluded: true,
        products: { products: 40, seed: 13 },
      },
    ],
  });
  const bridge = createShopifyBridge({
    shopify: makeShopify(fake),
    tokenStore: createMemoryOfflineTokenStore(),
    queueFor: () => undefined,
    bulkPollIntervalMs: 20,
  });
  await bridge.tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
  let created = 0;

  return {
    source: bridge.catalogSource(SHOP),
    async createProduct() {
      created += 1;
      nextProductId += 7n;
      const id = nextProductId.toString();
      const now = new Date().toISOString();
      await fake.createProduct(SHOP, {
        id,
        handle: `conformance-mug-${created}`,
        title: `Conformance Mug ${created}`,
        descriptionHtml: "<p>A mug the conformance battery made.</p>",
        vendor: "Nordwind",
        productType: "Mugs",
        tags: ["conformance"],
        status: "ACTIVE",
        publishedToOnlineStore: true,
        createdAt: now,
        updatedAt: now,
        category: TAXONOMY[0] ?? null,
        imageUrl: null,
        metafields: [],
        variants: [variant(created, "Red", "12.50"), variant(created, "Blue", "13.50")],
      });
      return id;
    },
    async updateProduct(key) {
      const title = `${fake.product(SHOP, key).title} (renamed)`;
      await fake.updateProduct(SHOP, key, { title, updatedAt: new Date().toISOString() });
      return { name: title };
    },
    async deleteProduct(key) {
      await fake.deleteProduct(SHOP, key);
    },
    async unpublishProduct(key) {
      await fake.updateProduct(SHOP, key, { publishedToOnlineStore: false });
    },
    async addVariant(key) {
      const product = fake.product(SHOP, key);
      const color = `Green ${product.variants.length}`;
      await fake.updateProduct(SHOP, key, {
        variants: [...product.variants, variant(created, color, "14.50")],
      });
    },
    async removeVariant(key) {
      const product = fake.product(SHOP, key);
      await fake.updateProduct(SHOP, key, { variants: product.variants.slice(1) });
    },
    async expectedCatalog() {
      return expectedCatalog(fake.products(SHOP));
    },
    close: () => fake.close(),
  };
});
