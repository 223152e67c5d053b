// The mapping rules against the shapes each platform really sends (platform notes in
// /work/shared/platforms/*.md): one fixture per platform, mapped with the public functions only.
import { describe, expect, test } from "vitest";
import type { NeuroonProduct } from "../types.js";
import { brandsFrom } from "./brands.js";
import { buildCategoryLookup, categoriesFromPath, categoryPaths } from "./categories.js";
import { toExternalId, variantExternalId } from "./ids.js";
import { computeDisplayPrices, variableParentPrices } from "./prices.js";
import { pickDescription, toPlainText } from "./text.js";
import { prepareBatch } from "./validate.js";

const NOW = new Date("2026-11-23T12:00:00Z");

describe("WooCommerce REST v3 (prices as entered, net; shop displays incl. 19 % VAT)", () => {
  const settings = { pricesIncludeTax: false, displayIncl: true, rate: "19.0000", currency: "EUR" };
  const categories = buildCategoryLookup(
    [
      { id: 15, name: "Clothing", parent: 0 },
      { id: 16, name: "Hoodies", parent: 15 },
      { id: 17, name: "Sale", parent: 0 },
    ].map((c) => ({ id: c.id, name: c.name, parentId: c.parent })),
  );
  const variable = {
    id: 794,
    name: "Hoodie &#8211; Logo",
    permalink: "https://woo.example/product/hoodie-logo/",
    type: "variable",
    short_description: "",
    description:
      '<p>Warm <strong>fleece</strong> hoodie.</p>\n[gallery ids="12,13"]\n<ul>\n<li>80% cotton</li>\n<li>Kangaroo pocket</li>\n</ul>\n',
    categories: [{ id: 16, name: "Hoodies", slug: "hoodies" }, { id: 17 }],
    brands: [{ id: 3, name: "Woo", slug: "woo" }],
    images: [{ src: "https://woo.example/wp-content/uploads/hoodie.jpg" }],
    average_rating: "4.33",
    rating_count: 3,
  };
  const variations = [
    {
      id: 801,
      sku: "HOOD-S",
      regular_price: "42.00",
      sale_price: "35.00",
      date_on_sale_from_gmt: "2026-11-20T00:00:00",
      date_on_sale_to_gmt: "2026-11-30T23:59:59",
      stock_quantity: 4,
      attributes: [{ name: "Size", option: "S" }],
    },
    {
      id: 802,
      sku: "HOOD-L",
      regular_price: "45.00",
      sale_price: "",
      date_on_sale_from_gmt: null,
      date_on_sale_to_gmt: null,
      stock_quantity: -2,
      attributes: [{ name: "Size", option: "L" }],
    },
  ];

  test("parent and variations", () => {
    const variantPrices = variations.map((v) =>
      computeDisplayPrices({
        regularAmount: v.regular_price,
        saleAmount: v.sale_price,
        saleStartsAt: v.date_on_sale_from_gmt,
        saleEndsAt: v.date_on_sale_to_gmt,
        now: NOW,
        amountsIncludeTax: settings.pricesIncludeTax,
        displayIncludingTax: settings.displayIncl,
        taxRatePercent: settings.rate,
        currency: settings.currency,
      }),
    );
    const shared = {
      // The WooCommerce adapter removes shortcodes with its own inline markup (WORDPRESS_SHORTCODES);
      // this stand-in removes the one in the fixture.
      description: pickDescription(
        { short: variable.short_description, long: variable.description },
        { inlineMarkup: { marker: "[", strip: (text) => text.replace(/\[gallery[^\]]*\]/g, " ") } },
      ),
      currency: settings.currency,
      categories: categoryPaths(
        variable.categories.map((c) => c.id),
        categories,
      ),
      brands: brandsFrom(variable.brands),
      rating: Number(variable.average_rating),
      reviewCount: variable.rating_count,
    };
    const parentId = toExternalId(variable.id);
    const { valid, rejected } = prepareBatch([
      {
        externalId: parentId,
        // WooCommerce names carry HTML entities (wptexturize): decode them like any HTML text.
        name: toPlainText(variable.name, { maxLength: 512 }),
        url: variable.permalink,
        imageUrl: variable.images[0]?.src,
        ...variableParentPrices(variantPrices),
        ...shared,
      },
      ...variations.map((v, i) => ({
        externalId: variantExternalId(variable.id, v.id),
        parentExternalId: parentId,
        sku: v.sku,
        name: `${toPlainText(variable.name, { maxLength: 512 })} – ${v.attributes[0]?.option}`,
        url: `${variable.permalink}?attribute_size=${v.attributes[0]?.option}`,
        ...(variantPrices[i] as { price: number; salePrice?: number }),
        stockQuantity: v.stock_quantity,
        inStock: v.stock_quantity > 0,
        attributes: Object.fromEntries(v.attributes.map((a) => [a.name, a.option])),
        ...shared,
      })),
    ]);
    expect(rejected).toEqual([]);
    const common = {
      description: "Warm fleece hoodie.\n\n• 80% cotton\n• Kangaroo pocket",
      currency: "EUR",
      categories: ["Hoodies", "Clothing", "Sale"],
      brands: ["Woo"],
      rating: 4.33,
      reviewCount: 3,
    };
    expect(valid).toEqual<NeuroonProduct[]>([
      {
        externalId: "794",
        name: "Hoodie – Logo",
        price: 49.98,
        salePrice: 41.65,
        url: "https://woo.example/product/hoodie-logo/",
        imageUrl: "https://woo.example/wp-content/uploads/hoodie.jpg",
        ...common,
      },
      {
        externalId: "794:801",
        parentExternalId: "794",
        sku: "HOOD-S",
        name: "Hoodie – Logo – S",
        price: 49.98,
        salePrice: 41.65,
        url: "https://woo.example/product/hoodie-logo/?attribute_size=S",
        inStock: true,
        stockQuantity: 4,
        attributes: { Size: "S" },
        ...common,
      },
      {
        externalId: "794:802",
        parentExternalId: "794",
        sku: "HOOD-L",
        name: "Hoodie – Logo – L",
        price: 53.55,
        url: "https://woo.example/product/hoodie-logo/?attribute_size=L",
        inStock: false,
        stockQuantity: 0,
        attributes: { Size: "L" },
        ...common,
      },
    ]);
  });
});

describe("Shopify Admin GraphQL (taxesIncluded: true, shop displays incl. tax)", () => {
  const product = {
    id: "gid://shopify/Product/8863296471316",
    title: "Trail Runner 2",
    handle: "trail-runner-2",
    vendor: "Acme Outdoor",
    descriptionHtml: "<p>Light&nbsp;and grippy.</p><p>Recycled mesh upper.</p>",
    onlineStoreUrl: "https://acme.example/products/trail-runner-2",
    category: { fullName: "Apparel & Accessories > Shoes > Athletic Shoes" },
    tags: ["running", "Running", "trail"],
    variants: {
      nodes: [
        {
          id: "gid://shopify/ProductVariant/46718307623188",
          price: { amount: "129.90", currencyCode: "CHF" },
          compareAtPrice: null,
        },
      ],
    },
  };

  test("MoneyV2, GID ids, taxonomy path, vendor as brand", () => {
    const [variant] = product.variants.nodes;
    // Shopify: `price` is what the shopper pays, `compareAtPrice` the crossed-out one.
    const prices = computeDisplayPrices({
      regularAmount: variant?.compareAtPrice ?? (variant?.price as { amount: string }),
      saleAmount: variant?.compareAtPrice ? variant.price : null,
      now: NOW,
      amountsIncludeTax: true,
      displayIncludingTax: true,
      taxRatePercent: "8.1",
      currency: "CHF",
    });
    const { valid, rejected } = prepareBatch([
      {
        externalId: toExternalId(product.id),
        name: product.title,
        description: pickDescription({ long: product.descriptionHtml }),
        ...prices,
        currency: "CHF",
        url: product.onlineStoreUrl,
        categories: categoriesFromPath(product.category.fullName),
        brands: brandsFrom(product.vendor),
        tags: product.tags,
      },
    ]);
    expect(rejected).toEqual([]);
    expect(valid).toEqual([
      {
        externalId: "8863296471316",
        name: "Trail Runner 2",
        description: "Light and grippy.\n\nRecycled mesh upper.",
        price: 129.9,
        currency: "CHF",
        url: "https://acme.example/products/trail-runner-2",
        categories: ["Athletic Shoes", "Shoes", "Apparel & Accessories"],
        brands: ["Acme Outdoor"],
        tags: ["running", "trail"],
      },
    ]);
  });

  test("a title naming a brand gives no brands without a vendor", () => {
    expect(brandsFrom(null)).toBeUndefined();
  });
});

describe("Medusa v2 query.graph (major units, lower-case currency, net prices shown gross)", () => {
  const product = {
    id: "prod_01JD8X4Q9W5T2",
    title: "Ceramic Mug",
    handle: "ceramic-mug",
    description: "Hand-glazed stoneware.\n\nDishwasher safe.",
    thumbnail: "https://medusa.example/static/mug.jpg",
    categories: [{ id: "pcat_mugs" }],
    metadata: { brand: "Studio Clay" },
    variants: [
      {
        id: "variant_01JD8X4QA1",
        calculated_price: {
          calculated_amount: 12.5,
          original_amount: 15,
          currency_code: "eur",
          is_calculated_price_tax_inclusive: false,
        },
      },
    ],
  };
  const lookup = buildCategoryLookup([
    { id: "pcat_mugs", name: "Mugs", parentId: "pcat_kitchen" },
    { id: "pcat_kitchen", name: "Kitchen", parentId: null },
  ]);

  test("calculated_price with a price-list sale, plain-text description", () => {
    const price = product.variants[0]?.calculated_price;
    if (price === undefined) throw new Error("fixture has a variant");
    const prices = computeDisplayPrices({
      regularAmount: price.original_amount,
      saleAmount: price.calculated_amount,
      now: NOW,
      amountsIncludeTax: price.is_calculated_price_tax_inclusive,
      displayIncludingTax: true,
      taxRatePercent: 20,
      currency: price.currency_code,
    });
    const { valid } = prepareBatch([
      {
        externalId: toExternalId(product.id),
        name: product.title,
        description: pickDescription({ long: product.description }, { keepSourceLineBreaks: true }),
        ...prices,
        currency: price.currency_code,
        url: `https://medusa.example/products/${product.handle}`,
        imageUrl: product.thumbnail,
        categories: categoryPaths(
          product.categories.map((c) => c.id),
          lookup,
        ),
        brands: brandsFrom(product.metadata.brand),
      },
    ]);
    expect(valid).toEqual([
      {
        externalId: "prod_01JD8X4Q9W5T2",
        name: "Ceramic Mug",
        description: "Hand-glazed stoneware.\n\nDishwasher safe.",
        price: 18,
        salePrice: 15,
        currency: "EUR",
        url: "https://medusa.example/products/ceramic-mug",
        imageUrl: "https://medusa.example/static/mug.jpg",
        categories: ["Mugs", "Kitchen"],
        brands: ["Studio Clay"],
      },
    ]);
  });
});
