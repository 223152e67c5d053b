#!/usr/bin/env node
// The whole per-product CPU cost of a sync, with the adapters' own mappers (built packages):
// parse the platform's JSON, map it (WooCommerce `mapWooProduct`, Shopify `mapShopifyProduct`,
// Medusa `mapProduct`), validate (core's `prepareBatch`, what the engine runs before sending),
// `contentHash` (what decides "unchanged"), and serialise the request body (`JSON.stringify` of a
// 500-product `products/sync` body, as the client does). Each stage is timed alone and the whole
// chain end to end, on one core.
// Run: pnpm exec turbo run build --output-logs=errors-only && node bench/mapping/adapters.bench.mjs
// Bounded: per row 0.3 s of warm-up plus ROUNDS × ROUND_MS (1.5 s); 18 rows, ~35 s in all.
import { createRequire } from "node:module";
import { contentHash, prepareBatch } from "../../packages/core/dist/index.js";
import { FakeStore, generateCatalog } from "../../packages/fake-woocommerce/dist/index.js";
import { mapShopifyProduct } from "../../packages/shopify/dist/index.js";
import { buildWooCategoryLookup, mapWooProduct } from "../../packages/woocommerce/dist/index.js";
import { machine } from "../sync/common.mjs";
import { descriptionHtml } from "./descriptions.mjs";

// The Medusa plugin is built by Medusa's tooling into CommonJS under .medusa/server.
const { mapProduct: mapMedusaProduct } = createRequire(import.meta.url)(
  "../../packages/medusa/.medusa/server/src/lib/mapping.js",
);

const WARMUP_MS = 300;
const ROUND_MS = 50;
const ROUNDS = 30;
const PRODUCTS = 1_000;
const BATCH = 500;
const NOW = Date.parse("2026-11-23T12:00:00Z");

/** The same text as plain text (Medusa stores `description` as plain text). */
function descriptionPlain(i) {
  return `Our Classic Organic T-Shirt ${i} is cut for an easy, relaxed fit and made to last wash after wash. The fabric is soft, breathable & pre-shrunk. Details of style TS-${i}: 100 % organic cotton, ${160 + (i % 40)} g/m²; ribbed crew neck with taped shoulder seams; double-needle hems on sleeves and bottom; printed neck label, no scratchy tags. Care: machine wash cold with similar colours, tumble dry low, do not bleach. Iron on the reverse side. Made in Portugal in a GOTS-certified factory that pays a living wage. Size S chest ${90 + (i % 9)} cm, M ${100 + (i % 7)} cm, L ${108 + (i % 5)} cm. Free returns within ${14 + (i % 30)} days.`;
}

// --- WooCommerce: REST v3 product JSON as the fake store serialises it (every field the real API
// returns for a simple product, _links included), one published simple product each.
function wooPlatform() {
  const catalog = generateCatalog({ products: 0, orders: 0 });
  const store = new FakeStore(catalog, () => new Date(NOW), "https://shop.example");
  const leaf = [...store.categories.values()].find(
    (term) =>
      term.parent !== 0 && ![...store.categories.values()].some((t) => t.parent === term.id),
  );
  const brand = [...store.brands.values()][0];
  const tag = [...store.tags.values()][0];
  const texts = [];
  for (let i = 0; i < PRODUCTS; i += 1) {
    const product = store.addProduct({
      name: `Classic Organic T-Shirt ${i}`,
      sku: `TS-${i}`,
      description: descriptionHtml(i),
      regular_price: "19.99",
      sale_price: i % 3 === 0 ? "14.99" : "",
      date_on_sale_from_gmt: i % 3 === 0 ? "2026-11-01T00:00:00" : null,
      date_on_sale_to_gmt: i % 3 === 0 ? "2026-12-01T23:59:59" : null,
      manage_stock: true,
      stock_quantity: 12,
      categories: [leaf.id],
      brands: brand ? [brand.id] : [],
      tags: tag ? [tag.id] : [],
      images: [
        {
          id: 9_000 + i,
          src: `https://shop.example/wp-content/uploads/2026/05/ts-${i}.jpg`,
          name: `ts-${i}`,
          alt: "",
        },
      ],
      average_rating: "4.50",
      rating_count: 31,
    });
    texts.push(JSON.stringify(store.serializeProduct(product)));
  }
  const context = {
    tax: {
      calcTaxes: true,
      pricesIncludeTax: false,
      displayIncludingTax: true,
      currency: "EUR",
      priceDecimals: 2,
      baseCountry: "DE",
      baseState: "",
      basePostcode: "10115",
      baseCity: "Berlin",
      rates: [
        {
          id: 1,
          country: "DE",
          state: "",
          postcode: "",
          city: "",
          rate: "19.0000",
          priority: 1,
          compound: false,
          class: "standard",
        },
      ],
    },
    categories: buildWooCategoryLookup(
      [...store.categories.values()].map((t) => ({ id: t.id, name: t.name, parent: t.parent })),
    ),
    now: NOW,
  };
  return {
    name: "WooCommerce",
    input: "REST v3 product JSON (fake store's serialiser), 0.9 KB HTML description",
    texts,
    parse: (text) => JSON.parse(text),
    map: (product) => mapWooProduct(product, [], context),
  };
}

// --- Shopify: the bulk operation's JSON Lines, a product line and its variant line (with
// `__parentId`), the fields `bulkProductsQuery` selects.
function shopifyPlatform() {
  const texts = [];
  for (let i = 0; i < PRODUCTS; i += 1) {
    const productGid = `gid://shopify/Product/${8_000_000_000_000 + i}`;
    const product = {
      id: productGid,
      handle: `classic-organic-t-shirt-${i}`,
      title: `Classic Organic T-Shirt ${i}`,
      descriptionHtml: descriptionHtml(i),
      vendor: "Acme Outfitters",
      productType: "T-Shirts",
      tags: ["organic", "new"],
      status: "ACTIVE",
      onlineStoreUrl: `https://bench-shop.myshopify.com/products/classic-organic-t-shirt-${i}`,
      category: {
        id: "gid://shopify/TaxonomyCategory/aa-1-13-8",
        name: "T-Shirts",
        fullName: "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts",
      },
      featuredMedia: {
        preview: { image: { url: `https://cdn.shopify.com/s/files/1/ts-${i}.jpg` } },
      },
      variantsCount: { count: 1 },
    };
    const variant = {
      id: `gid://shopify/ProductVariant/${9_000_000_000_000 + i}`,
      title: "Default Title",
      sku: `TS-${i}`,
      barcode: null,
      price: i % 3 === 0 ? "14.99" : "19.99",
      compareAtPrice: i % 3 === 0 ? "19.99" : null,
      inventoryQuantity: 12,
      availableForSale: true,
      selectedOptions: [{ name: "Title", value: "Default Title" }],
      inventoryItem: { tracked: true },
      __parentId: productGid,
    };
    texts.push([JSON.stringify(product), JSON.stringify(variant)]);
  }
  const options = { shop: { currencyCode: "EUR", taxesIncluded: true } };
  return {
    name: "Shopify",
    input: "bulk-operation JSON Lines (product + variant line), 0.9 KB HTML `descriptionHtml`",
    texts,
    parse: (lines) => [JSON.parse(lines[0]), JSON.parse(lines[1])],
    map: ([product, variant]) => mapShopifyProduct(product, [variant], options),
  };
}

// --- Medusa: the product record Query returns (variants with calculated prices, categories with
// their `mpath`, tags, images), through JSON. Medusa's `description` is plain text.
function medusaPlatform() {
  const texts = [];
  for (let i = 0; i < PRODUCTS; i += 1) {
    texts.push(
      JSON.stringify({
        id: `prod_${String(i).padStart(26, "0")}`,
        title: `Classic Organic T-Shirt ${i}`,
        subtitle: null,
        description: descriptionPlain(i),
        handle: `classic-organic-t-shirt-${i}`,
        status: "published",
        thumbnail: `https://cdn.shop.example/ts-${i}.jpg`,
        metadata: { brand: "Acme" },
        type: null,
        collection: null,
        tags: [{ value: "organic" }, { value: "new" }],
        images: [{ url: `https://cdn.shop.example/ts-${i}.jpg`, rank: 0 }],
        categories: [
          { id: "pcat_tshirts", name: "T-Shirts", mpath: "pcat_men.pcat_clothing.pcat_tshirts" },
        ],
        variants: [
          {
            id: `variant_${i}`,
            sku: `TS-${i}`,
            title: "Default",
            manage_inventory: true,
            allow_backorder: false,
            calculated_price: {
              calculated_amount: i % 3 === 0 ? 14.99 : 19.99,
              original_amount: 19.99,
              currency_code: "eur",
              is_calculated_price_tax_inclusive: false,
              is_original_price_tax_inclusive: false,
            },
            options: [],
          },
        ],
        sales_channels: [{ id: "sc_default" }],
      }),
    );
  }
  const availability = new Map(Array.from({ length: PRODUCTS }, (_, i) => [`variant_${i}`, 12]));
  const context = {
    storefrontUrl: "https://shop.example",
    productPath: "/products/{handle}",
    currencyCode: "eur",
    taxInclusive: true,
    taxRates: new Map(),
    categoryNames: new Map([
      ["pcat_men", "Men"],
      ["pcat_clothing", "Clothing"],
    ]),
    brand: { source: "metadata", key: "brand" },
    availability,
  };
  return {
    name: "Medusa",
    input: "product record as Query returns it, through JSON; 0.6 KB plain-text description",
    texts,
    parse: (text) => JSON.parse(text),
    map: (record) => {
      const result = mapMedusaProduct(record, context);
      return result.ok ? [result.product] : [];
    },
  };
}

let sink = 0;

/** µs per product for each round of `work(round)`, which handles `perCall` products a call. */
function rounds(work, perCall) {
  const runFor = (ms) => {
    let products = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      sink ^= work() ? 1 : 0;
      products += perCall;
      now = performance.now();
    }
    return ((now - start) * 1_000) / products;
  };
  runFor(WARMUP_MS);
  const results = [];
  for (let r = 0; r < ROUNDS; r += 1) results.push(runFor(ROUND_MS));
  results.sort((a, b) => a - b);
  return { best: results[0], median: results[Math.floor(ROUNDS / 2)] };
}

function measurePlatform(platform) {
  const { texts, parse, map } = platform;
  const parsed = texts.map(parse);
  const mapped = parsed.flatMap(map);
  if (mapped.length !== PRODUCTS) throw new Error(`${platform.name}: mapped ${mapped.length}`);
  const batches = [];
  for (let start = 0; start < PRODUCTS; start += BATCH) {
    const prepared = prepareBatch(mapped.slice(start, start + BATCH));
    if (prepared.rejected.length > 0)
      throw new Error(`${platform.name}: ${JSON.stringify(prepared.rejected[0])}`);
    batches.push(prepared.valid);
  }
  const valid = batches.flat();
  const requestBytes = batches.reduce(
    (sum, products) => sum + JSON.stringify({ syncType: "INCREMENTAL", products }).length,
    0,
  );
  const inputBytes = texts.reduce(
    (sum, text) => sum + (Array.isArray(text) ? text.join("\n").length : text.length),
    0,
  );

  const stages = {
    parse: rounds(() => texts.map(parse).length, PRODUCTS),
    map: rounds(() => parsed.flatMap(map).length, PRODUCTS),
    validate: rounds(() => {
      let n = 0;
      for (let start = 0; start < PRODUCTS; start += BATCH)
        n += prepareBatch(mapped.slice(start, start + BATCH)).valid.length;
      return n;
    }, PRODUCTS),
    hash: rounds(() => {
      let n = 0;
      for (const product of valid) n += contentHash(product).length;
      return n;
    }, PRODUCTS),
    json: rounds(() => {
      let n = 0;
      for (const products of batches)
        n += JSON.stringify({ syncType: "INCREMENTAL", products }).length;
      return n;
    }, PRODUCTS),
  };
  const whole = rounds(() => {
    let n = 0;
    for (let start = 0; start < PRODUCTS; start += BATCH) {
      const products = [];
      for (let i = start; i < start + BATCH; i += 1) {
        for (const product of map(parse(texts[i]))) products.push(product);
      }
      const prepared = prepareBatch(products);
      const hashes = prepared.valid.map((product) => contentHash(product));
      n +=
        hashes.length +
        JSON.stringify({ syncType: "INCREMENTAL", products: prepared.valid }).length;
    }
    return n;
  }, PRODUCTS);
  return {
    platform,
    stages,
    whole,
    inputBytes: inputBytes / PRODUCTS,
    requestBytes: requestBytes / PRODUCTS,
  };
}

const results = [wooPlatform(), shopifyPlatform(), medusaPlatform()].map(measurePlatform);

const us = (value) => value.toFixed(2);
const perSecond = (usPerProduct) => Math.round(1e6 / usPerProduct).toLocaleString("en");
console.log(`Machine: ${machine()}\n`);
console.log(
  `One core; ${PRODUCTS.toLocaleString("en")} distinct products per platform, validated, hashed and serialised in batches of ${BATCH}; ${ROUNDS} rounds of ${ROUND_MS} ms per row after ${WARMUP_MS} ms of warm-up; best round (median round in brackets).\n`,
);
console.log(
  "| Platform (input) | JSON in / request JSON per product | parse µs | map µs | validate µs | contentHash µs | request JSON µs | sum of stages µs | whole chain µs | products/s per core, whole chain |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const { platform, stages, whole, inputBytes, requestBytes } of results) {
  const sumBest = Object.values(stages).reduce((sum, stage) => sum + stage.best, 0);
  const sumMedian = Object.values(stages).reduce((sum, stage) => sum + stage.median, 0);
  const cell = (stage) => `${us(stage.best)} (${us(stage.median)})`;
  console.log(
    `| ${platform.name} (${platform.input}) | ${(inputBytes / 1024).toFixed(1)} KB / ${(requestBytes / 1024).toFixed(1)} KB | ${cell(stages.parse)} | ${cell(stages.map)} | ${cell(stages.validate)} | ${cell(stages.hash)} | ${cell(stages.json)} | ${us(sumBest)} (${us(sumMedian)}) | ${cell(whole)} | **${perSecond(whole.best)}** (${perSecond(whole.median)}) |`,
  );
}
if (sink === 0.5) console.log(sink);
