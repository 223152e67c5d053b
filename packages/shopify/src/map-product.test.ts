import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ShopifyProductNode, ShopifyVariantNode } from "./admin-types.js";
import {
  mapShopifyProduct,
  notIndexableReason,
  parentPrices,
  productBrands,
  taxonomyCategories,
  variantPrices,
} from "./map-product.js";

const BIG_PRODUCT_ID = "9007199254740993"; // 2^53 + 1: not representable as a JS number
const SHOP = { currencyCode: "EUR", taxesIncluded: true };

function variant(overrides: Partial<ShopifyVariantNode> = {}): ShopifyVariantNode {
  return {
    id: "gid://shopify/ProductVariant/9007199254740995",
    title: "Default Title",
    sku: "SKU-1",
    barcode: null,
    price: "19.99",
    compareAtPrice: null,
    inventoryQuantity: 4,
    availableForSale: true,
    selectedOptions: [{ name: "Title", value: "Default Title" }],
    inventoryItem: { tracked: true },
    ...overrides,
  };
}

function product(overrides: Partial<ShopifyProductNode> = {}): ShopifyProductNode {
  return {
    id: `gid://shopify/Product/${BIG_PRODUCT_ID}`,
    handle: "classic-tee",
    title: "Classic Tee",
    descriptionHtml:
      "<p>Soft <strong>organic</strong> cotton.</p><ul><li>Fair &amp; square</li></ul>",
    vendor: "Acme Outfitters",
    productType: "T-Shirts",
    tags: ["new", " new ", "organic"],
    status: "ACTIVE",
    onlineStoreUrl: "https://neuroon-test.myshopify.com/products/classic-tee",
    category: {
      id: "gid://shopify/TaxonomyCategory/aa-1-13-8",
      name: "T-Shirts",
      fullName: "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts",
    },
    featuredMedia: { preview: { image: { url: "https://cdn.shopify.com/tee.jpg" } } },
    variantsCount: { count: 1 },
    ...overrides,
  };
}

describe("notIndexableReason", () => {
  it.each([
    ["ACTIVE", "https://s/products/x", undefined],
    ["ACTIVE", null, "unpublished"],
    ["DRAFT", "https://s/products/x", "draft"],
    ["ARCHIVED", null, "archived"],
    ["UNLISTED", "https://s/products/x", "unlisted"],
  ] as const)("status %s with onlineStoreUrl %s → %s", (status, url, expected) => {
    expect(notIndexableReason(product({ status, onlineStoreUrl: url }))).toBe(expected);
    if (expected)
      expect(
        mapShopifyProduct(product({ status, onlineStoreUrl: url }), [variant()], { shop: SHOP }),
      ).toEqual([]);
  });
});

describe("variantPrices (compare-at semantics)", () => {
  it.each([
    ["19.99", null, { price: 19.99 }],
    ["19.99", "24.99", { price: 24.99, salePrice: 19.99 }],
    ["19.99", "19.99", { price: 19.99 }],
    ["19.99", "9.99", { price: 19.99 }],
    ["0.00", null, { price: 0 }],
    ["", null, undefined],
    ["abc", null, undefined],
    ["-1.00", null, undefined],
  ])("price %s compareAt %s → %j", (price, compareAtPrice, expected) => {
    expect(variantPrices({ price, compareAtPrice })).toEqual(expected);
  });

  it("never produces a sale price at or above the regular price", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.option(fc.integer({ min: 0, max: 10_000_000 })),
        (cents, compareCents) => {
          const prices = variantPrices({
            price: (cents / 100).toFixed(2),
            compareAtPrice: compareCents === null ? null : (compareCents / 100).toFixed(2),
          });
          expect(prices).toBeDefined();
          if (prices?.salePrice !== undefined) expect(prices.salePrice).toBeLessThan(prices.price);
          expect(prices?.salePrice ?? prices?.price).toBe(cents / 100);
        },
      ),
    );
  });

  it("parent shows the cheapest effective variant, available ones first", () => {
    expect(
      parentPrices([
        variant({ price: "30.00" }),
        variant({ price: "20.00", compareAtPrice: "25.00" }),
        variant({ price: "10.00", availableForSale: false }),
      ]),
    ).toEqual({ price: 25, salePrice: 20 });
    expect(parentPrices([variant({ price: "10.00", availableForSale: false })])).toEqual({
      price: 10,
    });
  });
});

describe("prices are sent as entered, in the shop currency (tax-consistent rule)", () => {
  it.each([
    [{ currencyCode: "EUR", taxesIncluded: true }],
    [{ currencyCode: "USD", taxesIncluded: false }],
  ])("%j", (shop) => {
    const [record] = mapShopifyProduct(product(), [variant({ price: "19.99" })], { shop });
    expect(record).toMatchObject({ price: 19.99, currency: shop.currencyCode });
  });
});

describe("taxonomyCategories", () => {
  it.each([
    [null, []],
    [
      { id: "x", name: "Mugs", fullName: "Home & Garden > Kitchen & Dining > Mugs" },
      ["Mugs", "Kitchen & Dining", "Home & Garden"],
    ],
    [{ id: "x", name: "Root", fullName: "Root" }, ["Root"]],
    [{ id: "x", name: "Only name", fullName: "" }, ["Only name"]],
    [{ id: "x", name: "a>b", fullName: "Tools > a>b" }, ["a>b", "Tools"]],
  ])("%j → %j", (category, expected) => {
    expect(taxonomyCategories(category)).toEqual(expected);
  });
});

describe("productBrands", () => {
  it.each([
    [{ vendor: "  Acme  " }, "vendor", ["Acme"]],
    [{ vendor: "" }, "vendor", []],
    [{ vendor: "Acme", brandMetafield: { value: "Nordwind" } }, "metafield", ["Nordwind"]],
    [
      { vendor: "Acme", brandMetafield: { value: '["A", "B", "A", " "]' } },
      "metafield",
      ["A", "B"],
    ],
    [{ vendor: "Acme", brandMetafield: null }, "metafield", []],
    [{ vendor: "Acme", brandMetafield: { value: "[not json" } }, "metafield", ["[not json"]],
  ] as const)("%j from %s → %j", (fields, source, expected) => {
    expect(productBrands(product(fields as Partial<ShopifyProductNode>), source)).toEqual(expected);
  });
});

describe("mapShopifyProduct", () => {
  it("maps a product without variants to one record; ids stay exact strings", () => {
    const records = mapShopifyProduct(product(), [variant({ compareAtPrice: "25.00" })], {
      shop: SHOP,
    });
    expect(records).toEqual([
      {
        externalId: BIG_PRODUCT_ID,
        name: "Classic Tee",
        url: "https://neuroon-test.myshopify.com/products/classic-tee",
        price: 25,
        salePrice: 19.99,
        currency: "EUR",
        isActive: true,
        description: "Soft organic cotton.\n\n• Fair & square",
        imageUrl: "https://cdn.shopify.com/tee.jpg",
        categories: ["T-Shirts", "Clothing Tops", "Clothing", "Apparel & Accessories"],
        brands: ["Acme Outfitters"],
        tags: ["new", "organic"],
        sku: "SKU-1",
        inStock: true,
        stockQuantity: 4,
      },
    ]);
  });

  it("maps a product with variants to a parent plus one record per variant", () => {
    const variants = [
      variant({
        id: "gid://shopify/ProductVariant/11",
        title: "S / Black",
        sku: "TEE-S",
        price: "20.00",
        selectedOptions: [
          { name: "Size", value: "S" },
          { name: "Color", value: "Black" },
        ],
        inventoryQuantity: 0,
        availableForSale: false,
      }),
      variant({
        id: "gid://shopify/ProductVariant/12",
        title: "M / Black",
        sku: "TEE-M",
        price: "22.00",
        compareAtPrice: "30.00",
        selectedOptions: [
          { name: "Size", value: "M" },
          { name: "Color", value: "Black" },
        ],
        inventoryQuantity: 3,
      }),
    ];
    const records = mapShopifyProduct(product({ variantsCount: { count: 2 } }), variants, {
      shop: SHOP,
    });
    expect(
      records.map((r) => [
        r.externalId,
        r.parentExternalId,
        r.price,
        r.salePrice,
        r.inStock,
        r.stockQuantity,
      ]),
    ).toEqual([
      [BIG_PRODUCT_ID, undefined, 30, 22, true, 3],
      [`${BIG_PRODUCT_ID}:11`, BIG_PRODUCT_ID, 20, undefined, false, 0],
      [`${BIG_PRODUCT_ID}:12`, BIG_PRODUCT_ID, 30, 22, true, 3],
    ]);
    expect(records[1]).toMatchObject({
      name: "Classic Tee - S / Black",
      url: "https://neuroon-test.myshopify.com/products/classic-tee?variant=11",
      attributes: { Size: "S", Color: "Black" },
      sku: "TEE-S",
    });
  });

  it("omits stockQuantity when inventory is not tracked", () => {
    const [record] = mapShopifyProduct(
      product(),
      [variant({ inventoryItem: { tracked: false }, inventoryQuantity: 0 })],
      { shop: SHOP },
    );
    expect(record?.inStock).toBe(true);
    expect(record && "stockQuantity" in record).toBe(false);
  });

  it("skips a product whose only variant has no valid price", () => {
    expect(mapShopifyProduct(product(), [variant({ price: "n/a" })], { shop: SHOP })).toEqual([]);
    expect(mapShopifyProduct(product(), [], { shop: SHOP })).toEqual([]);
  });
});
