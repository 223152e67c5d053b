import { describe, expect, it, test } from "vitest";
import {
  ancestorCategoryIds,
  brandsOf,
  categoryPaths,
  displayAmount,
  type MappingContext,
  mapProduct,
  productUrl,
} from "./mapping";
import type { MedusaProductRecord, VariantRecord } from "./medusa-types";

function ctx(overrides: Partial<MappingContext> = {}): MappingContext {
  return {
    storefrontUrl: "https://shop.example.com",
    productPath: "/products/{handle}",
    currencyCode: "eur",
    taxInclusive: undefined,
    taxRates: new Map(),
    categoryNames: new Map(),
    brand: { source: "metadata", key: "brand" },
    availability: new Map(),
    ...overrides,
  };
}

function variant(
  id: string,
  amount: number,
  extra: Partial<VariantRecord> = {},
  original = amount,
  taxInclusive = false,
): VariantRecord {
  return {
    id,
    sku: `SKU-${id}`,
    manage_inventory: false,
    calculated_price: {
      calculated_amount: amount,
      original_amount: original,
      currency_code: "eur",
      is_calculated_price_tax_inclusive: taxInclusive,
      is_original_price_tax_inclusive: taxInclusive,
    },
    ...extra,
  };
}

function product(overrides: Partial<MedusaProductRecord> = {}): MedusaProductRecord {
  return {
    id: "prod_1",
    title: "Trail Runner",
    handle: "trail-runner",
    status: "published",
    variants: [variant("var_a", 120), variant("var_b", 110)],
    ...overrides,
  };
}

describe("displayAmount", () => {
  test.each([
    // amount, stored inclusive, rate, wanted, expected
    [100, false, 19, undefined, 100],
    [100, false, 19, true, 119],
    [119, true, 19, false, 100],
    [119, true, 19, true, 119],
    [100, false, 0, true, 100],
    [9.99, false, 21, true, 12.09],
  ])(
    "%d (inclusive=%s, %d%%) shown with tax=%s → %d",
    (amount, inclusive, rate, want, expected) => {
      expect(displayAmount(amount, inclusive, rate, want)).toBe(expected);
    },
  );
});

describe("mapProduct", () => {
  it("sends the cheapest variant's price in the configured currency", () => {
    const result = mapProduct(product(), ctx());
    expect(result).toEqual({
      ok: true,
      product: expect.objectContaining({
        externalId: "prod_1",
        name: "Trail Runner",
        price: 110,
        currency: "EUR",
        url: "https://shop.example.com/products/trail-runner",
        isActive: true,
        inStock: true,
      }),
    });
  });

  it("sends the pre-sale price as price and the price-list price as salePrice", () => {
    const result = mapProduct(product({ variants: [variant("var_a", 80, {}, 100)] }), ctx());
    expect(result.ok && result.product).toMatchObject({ price: 100, salePrice: 80 });
  });

  it("adds tax when the storefront shows tax-inclusive prices", () => {
    const result = mapProduct(
      product({ variants: [variant("var_a", 100)] }),
      ctx({ taxInclusive: true, taxRates: new Map([["var_a", 19]]) }),
    );
    expect(result.ok && result.product.price).toBe(119);
  });

  it("removes tax from tax-inclusive prices for a net-price storefront", () => {
    const result = mapProduct(
      product({ variants: [variant("var_a", 121, {}, 121, true)] }),
      ctx({ taxInclusive: false, taxRates: new Map([["var_a", 21]]) }),
    );
    expect(result.ok && result.product.price).toBe(100);
  });

  test.each(["draft", "proposed", "rejected"])("does not index %s products", (status) => {
    expect(mapProduct(product({ status }), ctx())).toEqual({ ok: false, reason: "not-published" });
  });

  it("does not index products without a price in the currency", () => {
    const usd = variant("var_a", 10);
    if (usd.calculated_price) usd.calculated_price.currency_code = "usd";
    expect(
      mapProduct(product({ variants: [usd, { id: "var_b", calculated_price: null }] }), ctx()),
    ).toEqual({ ok: false, reason: "no-price" });
  });

  it("derives stock from sellable quantities, backorders and unmanaged variants", () => {
    const managed = (id: string) => variant(id, 10, { manage_inventory: true });
    const out = (
      availability: Map<string, number>,
      variants = [managed("var_a"), managed("var_b")],
    ) => {
      const r = mapProduct(product({ variants }), ctx({ availability }));
      return r.ok ? { inStock: r.product.inStock, stockQuantity: r.product.stockQuantity } : null;
    };
    expect(
      out(
        new Map([
          ["var_a", 0],
          ["var_b", 3],
        ]),
      ),
    ).toEqual({ inStock: true, stockQuantity: 3 });
    expect(out(new Map())).toEqual({ inStock: false, stockQuantity: 0 });
    expect(
      out(new Map(), [variant("var_a", 10, { manage_inventory: true, allow_backorder: true })]),
    ).toMatchObject({ inStock: true });
    expect(out(new Map(), [managed("var_a"), variant("var_b", 10)])).toEqual({
      inStock: true,
      stockQuantity: undefined,
    });
  });

  it("maps description, image, sku, tags, options and is stable whatever the variant order", () => {
    const variants = [
      variant("var_b", 10, { options: [{ value: "43", option: { title: "Size" } }] }),
      variant("var_a", 10, { options: [{ value: "42", option: { title: "Size" } }] }),
    ];
    const a = mapProduct(
      product({
        description: "<p>Light &amp; fast</p>",
        images: [
          { url: "b.jpg", rank: 1 },
          { url: "a.jpg", rank: 0 },
        ],
        tags: [{ value: "trail" }, { value: "running" }],
        variants,
      }),
      ctx(),
    );
    const b = mapProduct(
      product({
        description: "<p>Light &amp; fast</p>",
        images: [
          { url: "a.jpg", rank: 0 },
          { url: "b.jpg", rank: 1 },
        ],
        tags: [{ value: "running" }, { value: "trail" }],
        variants: [...variants].reverse(),
      }),
      ctx(),
    );
    expect(a).toEqual(b);
    expect(a.ok && a.product).toMatchObject({
      description: "Light & fast",
      imageUrl: "a.jpg",
      tags: ["running", "trail"],
      attributes: { Size: "42, 43" },
    });
    expect(a.ok && a.product.sku).toBeUndefined();
    const single = mapProduct(product({ variants: [variant("var_a", 5)] }), ctx());
    expect(single.ok && single.product.sku).toBe("SKU-var_a");
  });

  it("truncates names to 512 characters", () => {
    const r = mapProduct(product({ title: "x".repeat(600) }), ctx());
    expect(r.ok && r.product.name.length).toBe(512);
  });
});

describe("categoryPaths", () => {
  const names = new Map([
    ["pcat_root", "Apparel"],
    ["pcat_mid", "Shoes"],
    ["pcat_hidden", "Internal"],
  ]);

  it("lists the chain most specific first, root last, from mpath", () => {
    const categories = [{ id: "pcat_leaf", name: "Trail", mpath: "pcat_root.pcat_mid.pcat_leaf" }];
    expect(categoryPaths(categories, names)).toEqual(["Trail", "Shoes", "Apparel"]);
  });

  it("merges several categories without repeating shared ancestors", () => {
    const categories = [
      { id: "pcat_mid", name: "Shoes", mpath: "pcat_root.pcat_mid" },
      { id: "pcat_leaf", name: "Trail", mpath: "pcat_root.pcat_mid.pcat_leaf" },
      { id: "pcat_sale", name: "Sale", mpath: "pcat_sale" },
    ];
    expect(categoryPaths(categories, names)).toEqual(["Trail", "Shoes", "Apparel", "Sale"]);
  });

  it("leaves out internal and inactive categories and unnamed (internal) ancestors", () => {
    const categories = [
      { id: "pcat_x", name: "Staff picks", mpath: "pcat_x", is_internal: true },
      { id: "pcat_y", name: "Old", mpath: "pcat_y", is_active: false },
      { id: "pcat_z", name: "Boots", mpath: "pcat_unknown.pcat_z" },
    ];
    expect(categoryPaths(categories, names)).toEqual(["Boots"]);
  });

  it("collects ancestor ids for one name lookup", () => {
    const ids = ancestorCategoryIds([
      product({
        categories: [{ id: "pcat_leaf", name: "Trail", mpath: "pcat_root.pcat_mid.pcat_leaf" }],
      }),
    ]);
    expect(ids.sort()).toEqual(["pcat_mid", "pcat_root"]);
  });
});

describe("brandsOf", () => {
  const p = product({
    metadata: { brand: " Acme ", makers: ["Acme", "Zeta", "Acme"] },
    type: { id: "ptyp_1", value: "Shoes" },
    collection: { id: "pcol_1", title: "Summer" },
    brand: { name: "Linked Brand" },
  });
  test.each([
    [{ source: "metadata", key: "brand" } as const, ["Acme"]],
    [{ source: "metadata", key: "makers" } as const, ["Acme", "Zeta"]],
    [{ source: "metadata", key: "missing" } as const, []],
    [{ source: "link", field: "brand.name" } as const, ["Linked Brand"]],
    [{ source: "type" } as const, ["Shoes"]],
    [{ source: "collection" } as const, ["Summer"]],
    [{ source: "none" } as const, []],
  ])("%o → %o", (source, expected) => {
    expect(brandsOf(p, source)).toEqual(expected);
  });
});

describe("productUrl", () => {
  it("builds URLs from the path template, escaping the handle", () => {
    expect(
      productUrl(
        { id: "prod_1", handle: "a b" },
        { storefrontUrl: "https://s.example", productPath: "/p/{id}/{handle}" },
      ),
    ).toBe("https://s.example/p/prod_1/a%20b");
  });
});
