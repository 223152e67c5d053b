import { describe, expect, test } from "vitest";
import {
  buildWooCategoryLookup,
  isWooProductIndexable,
  mapWooProduct,
  type WooMappingContext,
  type WooProduct,
  type WooTaxSettings,
  type WooVariation,
  wooTaxRatePercent,
} from "../src/index.js";

const NOW = Date.parse("2026-06-15T12:00:00Z");

const TAX: WooTaxSettings = {
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
    {
      id: 2,
      country: "DE",
      state: "",
      postcode: "",
      city: "",
      rate: "7.0000",
      priority: 1,
      compound: false,
      class: "reduced-rate",
    },
    {
      id: 3,
      country: "AT",
      state: "",
      postcode: "",
      city: "",
      rate: "20.0000",
      priority: 1,
      compound: false,
      class: "standard",
    },
  ],
};

const CATEGORIES = buildWooCategoryLookup([
  { id: 1, name: "Clothing", parent: 0 },
  { id: 2, name: "T-Shirts", parent: 1 },
  { id: 3, name: "Basic Tees", parent: 2 },
  { id: 4, name: "Uncategorized", slug: "uncategorized", parent: 0 },
  { id: 5, name: "Sale", parent: 0 },
]);

function context(
  overrides: Partial<WooMappingContext> = {},
  tax: Partial<WooTaxSettings> = {},
): WooMappingContext {
  return { tax: { ...TAX, ...tax }, categories: CATEGORIES, now: NOW, ...overrides };
}

function product(overrides: Partial<WooProduct> = {}): WooProduct {
  return {
    id: 42,
    name: "Crème Tee",
    slug: "creme-tee",
    permalink: "https://shop.example/product/creme-tee/",
    type: "simple",
    status: "publish",
    catalog_visibility: "visible",
    description: '<p>Long <strong>description</strong> with [gallery ids="1,2"] a shortcode.</p>',
    short_description: "",
    sku: "TEE-42",
    regular_price: "100.00",
    sale_price: "",
    date_on_sale_from_gmt: null,
    date_on_sale_to_gmt: null,
    tax_status: "taxable",
    tax_class: "",
    manage_stock: true,
    stock_quantity: 12,
    stock_status: "instock",
    categories: [{ id: 3, name: "Basic Tees", slug: "basic-tees" }],
    tags: [{ id: 9, name: "bestseller", slug: "bestseller" }],
    brands: [{ id: 7, name: "Nordwind", slug: "nordwind" }],
    images: [{ id: 1, src: "https://shop.example/wp-content/uploads/tee.jpg" }],
    attributes: [],
    average_rating: "4.50",
    rating_count: 8,
    ...overrides,
  };
}

function variation(id: number, overrides: Partial<WooVariation> = {}): WooVariation {
  return {
    id,
    status: "publish",
    permalink: `https://shop.example/product/creme-tee/?attribute_pa_color=v${id}`,
    sku: `TEE-42-${id}`,
    regular_price: "100.00",
    sale_price: "",
    date_on_sale_from_gmt: null,
    date_on_sale_to_gmt: null,
    tax_status: "taxable",
    tax_class: "",
    manage_stock: false,
    stock_quantity: null,
    stock_status: "instock",
    image: null,
    attributes: [{ id: 1, name: "Color", option: `V${id}` }],
    ...overrides,
  };
}

describe("prices as the shop displays them", () => {
  test.each([
    {
      case: "net entered, shown incl",
      include: false,
      incl: true,
      regular: "100.00",
      expected: 119,
    },
    {
      case: "net entered, shown excl",
      include: false,
      incl: false,
      regular: "100.00",
      expected: 100,
    },
    {
      case: "gross entered, shown incl",
      include: true,
      incl: true,
      regular: "119.00",
      expected: 119,
    },
    {
      case: "gross entered, shown excl",
      include: true,
      incl: false,
      regular: "119.00",
      expected: 100,
    },
    {
      case: "net 19.99 rounds half-up",
      include: false,
      incl: true,
      regular: "19.99",
      expected: 23.79,
    },
    {
      case: "gross 10.00 backs out tax",
      include: true,
      incl: false,
      regular: "10.00",
      expected: 8.4,
    },
    {
      case: "reduced rate class",
      include: false,
      incl: true,
      regular: "100.00",
      taxClass: "reduced-rate",
      expected: 107,
    },
    {
      case: "tax_status none",
      include: false,
      incl: true,
      regular: "100.00",
      taxStatus: "none",
      expected: 100,
    },
    {
      case: "tax_status shipping (only shipping taxed)",
      include: false,
      incl: true,
      regular: "100.00",
      taxStatus: "shipping",
      expected: 100,
    },
    {
      case: "taxes disabled",
      include: false,
      incl: true,
      regular: "100.00",
      calcTaxes: false,
      expected: 100,
    },
  ])(
    "$case → $expected",
    ({ include, incl, regular, expected, taxClass, taxStatus, calcTaxes }) => {
      const [mapped] = mapWooProduct(
        product({
          regular_price: regular,
          tax_class: taxClass ?? "",
          tax_status: taxStatus ?? "taxable",
        }),
        [],
        context(
          {},
          { pricesIncludeTax: include, displayIncludingTax: incl, calcTaxes: calcTaxes ?? true },
        ),
      );
      expect(mapped?.price).toBe(expected);
      expect(mapped?.currency).toBe("EUR");
    },
  );

  test("the store's decimals setting decides rounding", () => {
    const [mapped] = mapWooProduct(
      product({ regular_price: "19.99" }),
      [],
      context({}, { priceDecimals: 0 }),
    );
    expect(mapped?.price).toBe(24);
  });

  test("rates for another country do not apply; a state-specific rate needs the base state", () => {
    const us = {
      ...TAX,
      baseCountry: "US",
      baseState: "CA",
      rates: [
        {
          id: 10,
          country: "US",
          state: "CA",
          postcode: "",
          city: "",
          rate: "7.2500",
          priority: 1,
          compound: false,
          class: "standard",
        },
        {
          id: 11,
          country: "US",
          state: "NY",
          postcode: "",
          city: "",
          rate: "4.0000",
          priority: 1,
          compound: false,
          class: "standard",
        },
        {
          id: 12,
          country: "US",
          state: "",
          postcode: "",
          city: "",
          rate: "1.0000",
          priority: 2,
          compound: false,
          class: "standard",
        },
      ],
    };
    expect(wooTaxRatePercent(us, "taxable", "")).toBe(8.25);
    expect(wooTaxRatePercent({ ...us, baseState: "TX" }, "taxable", "")).toBe(1);
  });

  test("one rate per priority; compound rates apply on top of the others", () => {
    const rates = [
      {
        id: 1,
        country: "CA",
        state: "QC",
        postcode: "",
        city: "",
        rate: "5.0000",
        priority: 1,
        compound: false,
        class: "standard",
      },
      {
        id: 2,
        country: "CA",
        state: "",
        postcode: "",
        city: "",
        rate: "99.0000",
        priority: 1,
        compound: false,
        class: "standard",
      },
      {
        id: 3,
        country: "CA",
        state: "QC",
        postcode: "",
        city: "",
        rate: "9.9750",
        priority: 2,
        compound: true,
        class: "standard",
      },
    ];
    const tax = { ...TAX, baseCountry: "CA", baseState: "QC", rates };
    // 1.05 × 1.09975 = 1.1547375
    expect(wooTaxRatePercent(tax, "taxable", "")).toBe(15.47375);
    const [mapped] = mapWooProduct(product({ regular_price: "100.00" }), [], context({}, tax));
    expect(mapped?.price).toBe(115.47);
  });

  test("postcode and city restrictions match the store address (wildcards and ranges)", () => {
    const rate = (postcode: string) => ({
      ...TAX,
      rates: [{ ...TAX.rates[0], postcode } as (typeof TAX.rates)[0]],
    });
    expect(wooTaxRatePercent(rate("101*"), "taxable", "")).toBe(19);
    expect(wooTaxRatePercent(rate("10000...10999"), "taxable", "")).toBe(19);
    expect(wooTaxRatePercent(rate("20095"), "taxable", "")).toBe(0);
  });
});

describe("sale prices and their schedule", () => {
  const day = 24 * 3600 * 1000;
  const gmt = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  test.each([
    { case: "no schedule", from: null, to: null, sale: 95.2 },
    { case: "running", from: gmt(NOW - day), to: gmt(NOW + day), sale: 95.2 },
    { case: "not started", from: gmt(NOW + day), to: null, sale: undefined },
    { case: "ended", from: null, to: gmt(NOW - day), sale: undefined },
    { case: "ends this very second (inclusive)", from: null, to: gmt(NOW), sale: 95.2 },
  ])("$case", ({ from, to, sale }) => {
    const [mapped] = mapWooProduct(
      product({ sale_price: "80.00", date_on_sale_from_gmt: from, date_on_sale_to_gmt: to }),
      [],
      context(),
    );
    expect(mapped?.price).toBe(119);
    expect(mapped?.salePrice).toBe(sale);
  });

  test("a sale price not below the regular price is no sale", () => {
    const [mapped] = mapWooProduct(product({ sale_price: "100.00" }), [], context());
    expect(mapped?.salePrice).toBeUndefined();
  });
});

describe("variable products", () => {
  const parent = product({
    type: "variable",
    regular_price: "",
    variations: [1, 2, 3, 4],
    manage_stock: false,
    stock_quantity: null,
  });

  test("parent priced from its lowest enabled variation; variations are children", () => {
    const mapped = mapWooProduct(
      parent,
      [
        variation(1, { regular_price: "50.00" }),
        variation(2, { regular_price: "30.00", sale_price: "20.00" }),
        variation(3, { regular_price: "10.00", status: "private" }),
        variation(4, { regular_price: "" }),
      ],
      context(),
    );
    expect(mapped.map((p) => p.externalId)).toEqual(["42", "42:1", "42:2"]);
    const [head, first, second] = mapped;
    expect(head).toMatchObject({ price: 35.7, salePrice: 23.8, inStock: true });
    expect(head?.parentExternalId).toBeUndefined();
    expect(first).toMatchObject({
      parentExternalId: "42",
      name: "Crème Tee - V1",
      price: 59.5,
      sku: "TEE-42-1",
      url: "https://shop.example/product/creme-tee/?attribute_pa_color=v1",
      attributes: { Color: "V1" },
      categories: ["Basic Tees", "T-Shirts", "Clothing"],
      brands: ["Nordwind"],
      imageUrl: "https://shop.example/wp-content/uploads/tee.jpg",
    });
    expect(second).toMatchObject({ price: 35.7, salePrice: 23.8 });
  });

  test("variation tax class 'parent' and stock managed on the parent", () => {
    const mapped = mapWooProduct(
      { ...parent, tax_class: "reduced-rate", manage_stock: true, stock_quantity: 4 },
      [variation(1, { tax_class: "parent", manage_stock: "parent", stock_status: "outofstock" })],
      context(),
    );
    expect(mapped[1]).toMatchObject({ price: 107, inStock: false, stockQuantity: 4 });
    expect(mapped[0]).toMatchObject({ inStock: false, stockQuantity: 4 });
  });

  test("no enabled, priced variation: nothing to index", () => {
    expect(mapWooProduct(parent, [variation(1, { status: "private" })], context())).toEqual([]);
    expect(mapWooProduct(parent, [], context())).toEqual([]);
  });

  test("an 'any' attribute option is left out of the variant's name and attributes", () => {
    const mapped = mapWooProduct(
      parent,
      [
        variation(1, {
          attributes: [
            { name: "Color", option: "Red" },
            { name: "Size", option: "" },
          ],
        }),
      ],
      context(),
    );
    expect(mapped[1]).toMatchObject({ name: "Crème Tee - Red", attributes: { Color: "Red" } });
  });
});

describe("what is indexed", () => {
  test.each([
    { status: "publish", visibility: "visible", indexed: true },
    { status: "publish", visibility: "search", indexed: true },
    { status: "publish", visibility: "catalog", indexed: false },
    { status: "publish", visibility: "hidden", indexed: false },
    { status: "draft", visibility: "visible", indexed: false },
    { status: "pending", visibility: "visible", indexed: false },
    { status: "private", visibility: "visible", indexed: false },
    { status: "future", visibility: "visible", indexed: false },
    { status: "trash", visibility: "visible", indexed: false },
  ])("$status / $visibility → $indexed", ({ status, visibility, indexed }) => {
    const input = product({ status, catalog_visibility: visibility });
    expect(isWooProductIndexable(input)).toBe(indexed);
    expect(mapWooProduct(input, [], context())).toHaveLength(indexed ? 1 : 0);
  });

  test.each([
    { password: undefined, indexed: true },
    { password: "", indexed: true },
    { password: "members", indexed: false },
  ])("post_password $password → $indexed", ({ password, indexed }) => {
    const input = product(password === undefined ? {} : { post_password: password });
    expect(isWooProductIndexable(input)).toBe(indexed);
    expect(mapWooProduct(input, [], context())).toHaveLength(indexed ? 1 : 0);
  });

  test("grouped products without a published, priced child and products without a price are not indexed", () => {
    const grouped = product({ type: "grouped", regular_price: "", grouped_products: [7, 8] });
    expect(mapWooProduct(grouped, [], context())).toEqual([]);
    const draftChild = product({ id: 7, status: "draft", regular_price: "10.00" });
    expect(mapWooProduct(grouped, [], context(), [draftChild])).toEqual([]);
    expect(mapWooProduct(product({ regular_price: "" }), [], context())).toEqual([]);
  });

  test("a grouped product is indexed like a parent, priced from its lowest current child price", () => {
    const grouped = product({
      type: "grouped",
      regular_price: "",
      sale_price: "",
      grouped_products: [7, 8, 9, 10],
    });
    const children = [
      product({ id: 7, regular_price: "50.00" }),
      // On sale: its current price (40 net, 47.60 shown) is the lowest.
      product({ id: 8, regular_price: "60.00", sale_price: "40.00" }),
      // A variable child counts with its lowest current price (`price`).
      product({ id: 9, type: "variable", regular_price: "", price: "45.00" }),
      product({ id: 10, status: "private", regular_price: "1.00" }),
    ];
    const [mapped, ...rest] = mapWooProduct(grouped, [], context(), children);
    expect(rest).toEqual([]);
    expect(mapped).toMatchObject({
      externalId: "42",
      name: "Crème Tee",
      price: 47.6,
      inStock: true,
    });
    expect(mapped?.salePrice).toBeUndefined();
  });

  test("a garbage price throws core's MappingError", () => {
    expect(() => mapWooProduct(product({ regular_price: "abc" }), [], context())).toThrow(
      /regularAmount/,
    );
  });
});

describe("names WordPress returns HTML-escaped (issue 14)", () => {
  test("term names, attribute labels and values and the variation-name suffix are decoded", () => {
    const categories = buildWooCategoryLookup([
      { id: 11, name: "T-Shirts &amp; Tops", parent: 0 },
      { id: 12, name: "Fish &amp; Chips &lt; 5 €", parent: 11 },
    ]);
    const input = product({
      type: "variable",
      categories: [{ id: 12, name: "Fish &amp; Chips &lt; 5 €", slug: "fish-chips" }],
      tags: [{ id: 21, name: 'Rock &amp; "Roll" &lt;3', slug: "rock" }],
      brands: [{ id: 31, name: "Acme &amp; Co", slug: "acme" }],
      attributes: [
        { id: 1, name: "Color", options: ["Black &amp; Gold"], visible: true, variation: true },
      ],
    });
    const variants = [
      variation(71, { attributes: [{ id: 1, name: "Color", option: "Black &amp; Gold" }] }),
    ];
    const [parent, child] = mapWooProduct(input, variants, context({ categories }));
    expect(parent).toMatchObject({
      categories: ["Fish & Chips < 5 €", "T-Shirts & Tops"],
      tags: ['Rock & "Roll" <3'],
      brands: ["Acme & Co"],
      attributes: { Color: "Black & Gold" },
    });
    expect(child).toMatchObject({
      name: "Crème Tee - Black & Gold",
      attributes: { Color: "Black & Gold" },
    });
  });
});

describe("the other fields", () => {
  test("a simple product in full", () => {
    expect(mapWooProduct(product(), [], context())).toEqual([
      {
        externalId: "42",
        name: "Crème Tee",
        price: 119,
        url: "https://shop.example/product/creme-tee/",
        currency: "EUR",
        isActive: true,
        sku: "TEE-42",
        description: "Long description with a shortcode.",
        imageUrl: "https://shop.example/wp-content/uploads/tee.jpg",
        categories: ["Basic Tees", "T-Shirts", "Clothing"],
        brands: ["Nordwind"],
        tags: ["bestseller"],
        rating: 4.5,
        reviewCount: 8,
        inStock: true,
        stockQuantity: 12,
      },
    ]);
  });

  test("short description wins over the long one; HTML and entities become plain text", () => {
    const [mapped] = mapWooProduct(
      product({ short_description: "<p>Soft &amp; warm – <em>organic</em>.</p>" }),
      [],
      context(),
    );
    expect(mapped?.description).toBe("Soft & warm – organic.");
  });

  test("descriptions are cut to 2000 characters", () => {
    const [mapped] = mapWooProduct(
      product({ description: `<p>${"word ".repeat(1000)}</p>` }),
      [],
      context(),
    );
    expect(mapped?.description?.length).toBeLessThanOrEqual(2000);
  });

  test("category paths: most specific first, ancestors once, Uncategorized dropped", () => {
    const [mapped] = mapWooProduct(
      product({
        categories: [
          { id: 2, name: "T-Shirts", slug: "t-shirts" },
          { id: 3, name: "Basic Tees", slug: "basic-tees" },
          { id: 5, name: "Sale", slug: "sale" },
          { id: 4, name: "Uncategorized", slug: "uncategorized" },
        ],
      }),
      [],
      context(),
    );
    expect(mapped?.categories).toEqual(["Basic Tees", "T-Shirts", "Clothing", "Sale"]);
  });

  test("an unknown category is reported (stale tree) and left out", () => {
    const warnings: string[] = [];
    const [mapped] = mapWooProduct(
      product({ categories: [{ id: 99, name: "New", slug: "new" }] }),
      [],
      context({ onCategoryWarning: (w) => warnings.push(w.code) }),
    );
    expect(mapped?.categories).toBeUndefined();
    expect(warnings).toEqual(["unknown-category"]);
  });

  test.each([
    { source: "core" as const, expected: ["Nordwind"] },
    { source: { attribute: "pa_brand" }, expected: ["Bergfreunde"] },
    { source: { attribute: "Brand" }, expected: ["Bergfreunde"] },
    { source: { meta: "_brand" }, expected: ["Meta Brand"] },
    { source: "none" as const, expected: undefined },
  ])("brands from $source", ({ source, expected }) => {
    const input = {
      ...product({
        attributes: [
          { id: 3, name: "Brand", visible: true, variation: false, options: ["Bergfreunde"] },
        ],
      }),
      meta_data: [{ id: 1, key: "_brand", value: "Meta Brand" }],
    };
    const [mapped] = mapWooProduct(input, [], context({ brandSource: source }));
    expect(mapped?.brands).toEqual(expected);
  });

  test("no brand field, no brands (never derived from the title)", () => {
    const [mapped] = mapWooProduct(product({ name: "Nordwind Tee", brands: [] }), [], context());
    expect(mapped?.brands).toBeUndefined();
  });

  test("stock: backorders are in stock, negative quantities clamp to 0, unmanaged has no quantity", () => {
    const map = (p: Partial<WooProduct>) => mapWooProduct(product(p), [], context())[0];
    expect(map({ stock_status: "onbackorder", stock_quantity: -3 })).toMatchObject({
      inStock: true,
      stockQuantity: 0,
    });
    expect(
      map({ stock_status: "outofstock", manage_stock: false, stock_quantity: null }),
    ).toMatchObject({ inStock: false });
    expect(map({ manage_stock: false })?.stockQuantity).toBeUndefined();
  });
});
