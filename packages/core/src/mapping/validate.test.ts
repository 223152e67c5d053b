import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { NeuroonProduct } from "../types.js";
import {
  type NeuroonProductInput,
  normalizeProduct,
  prepareBatch,
  validateProduct,
} from "./validate.js";

const VALID: NeuroonProduct = {
  externalId: "1001",
  name: "Classic Organic T-Shirt",
  price: 24.19,
  url: "https://shop.example/p/classic-tee",
};

const FULL: NeuroonProduct = {
  externalId: "1001:2002",
  parentExternalId: "1001",
  sku: "TS-M-RED",
  name: "Classic Organic T-Shirt – M / Red",
  description: "Soft cotton.\n\n• Crew neck",
  price: 24.19,
  salePrice: 18.15,
  currency: "EUR",
  url: "https://shop.example/p/classic-tee?variant=2002",
  imageUrl: "https://cdn.shop.example/tee.jpg",
  categories: ["T-Shirts", "Clothing", "Men"],
  brands: ["Acme"],
  tags: ["organic"],
  inStock: true,
  stockQuantity: 12,
  rating: 4.5,
  reviewCount: 31,
  isActive: true,
  attributes: { size: "M", color: "Red" },
};

function issuesOf(product: unknown): { field: string; message: string }[] {
  const result = validateProduct(product);
  return result.ok ? [] : result.issues;
}

describe("validateProduct", () => {
  test.each<[string, NeuroonProduct]>([
    ["minimal product", VALID],
    ["every documented field", FULL],
    ["price 0 (free)", { ...VALID, price: 0 }],
    ["salePrice 0 below price", { ...VALID, salePrice: 0 }],
    ["rating bounds", { ...VALID, rating: 0 }],
    ["rating 5", { ...VALID, rating: 5 }],
    ["name of exactly 512", { ...VALID, name: "x".repeat(512) }],
    ["description of exactly 5000", { ...VALID, description: "x".repeat(5000) }],
    ["externalId of exactly 255", { ...VALID, externalId: "9".repeat(255) }],
    ["http URL", { ...VALID, url: "http://localhost:8080/p/1" }],
    ["stock 0", { ...VALID, stockQuantity: 0, inStock: false }],
    ["empty attribute value", { ...VALID, attributes: { note: "" } }],
  ])("accepts %s", (_label, product) => {
    expect(validateProduct(product)).toEqual({ ok: true, product });
  });

  test.each<[string, unknown, string, RegExp]>([
    ["missing externalId", { ...VALID, externalId: undefined }, "externalId", /non-blank string/],
    ["blank externalId", { ...VALID, externalId: "  " }, "externalId", /non-blank string/],
    ["numeric externalId", { ...VALID, externalId: 1001 }, "externalId", /toExternalId/],
    [
      "externalId over 255",
      { ...VALID, externalId: "9".repeat(256) },
      "externalId",
      /at most 255 characters; received 256/,
    ],
    [
      "externalId with spaces around",
      { ...VALID, externalId: " 1 " },
      "externalId",
      /surrounding whitespace/,
    ],
    [
      "externalId with a control character",
      { ...VALID, externalId: "1\u0000" },
      "externalId",
      /control characters/,
    ],
    ["externalId '.'", { ...VALID, externalId: "." }, "externalId", /dot segment/],
    ["externalId '..'", { ...VALID, externalId: ".." }, "externalId", /dot segment/],
    ["parentExternalId '..'", { ...VALID, parentExternalId: ".." }, "parentExternalId", /dot/],
    ["parentExternalId blank", { ...VALID, parentExternalId: "" }, "parentExternalId", /non-blank/],
    ["own parent", { ...VALID, parentExternalId: "1001" }, "parentExternalId", /its own parent/],
    ["missing name", { ...VALID, name: undefined }, "name", /must be a string/],
    ["blank name", { ...VALID, name: " " }, "name", /must not be blank/],
    [
      "name over 512",
      { ...VALID, name: "x".repeat(513) },
      "name",
      /at most 512 characters; received 513\. normalizeProduct/,
    ],
    [
      "description over 5000",
      { ...VALID, description: "x".repeat(5001) },
      "description",
      /at most 5000/,
    ],
    ["description not a string", { ...VALID, description: 5 }, "description", /must be a string/],
    ["blank sku", { ...VALID, sku: "" }, "sku", /must not be blank/],
    ["missing price", { ...VALID, price: undefined }, "price", /finite number >= 0/],
    ["negative price", { ...VALID, price: -1 }, "price", /received -1/],
    ["NaN price", { ...VALID, price: Number.NaN }, "price", /received NaN/],
    ["string price", { ...VALID, price: "19.99" }, "price", /computeDisplayPrices/],
    [
      "infinite salePrice",
      { ...VALID, salePrice: Number.POSITIVE_INFINITY },
      "salePrice",
      /finite/,
    ],
    [
      "salePrice equal to price",
      { ...VALID, salePrice: 24.19 },
      "salePrice",
      /lower than price \(24\.19\)/,
    ],
    ["salePrice above price", { ...VALID, salePrice: 30 }, "salePrice", /lower than price/],
    ["lower-case currency", { ...VALID, currency: "eur" }, "currency", /upper-case/],
    ["currency of 4 letters", { ...VALID, currency: "EURO" }, "currency", /ISO 4217/],
    ["relative url", { ...VALID, url: "/p/classic-tee" }, "url", /absolute http\(s\) URL/],
    ["ftp url", { ...VALID, url: "ftp://shop.example/p" }, "url", /http\(s\)/],
    ["javascript: url", { ...VALID, url: "javascript:alert(1)" }, "url", /http\(s\)/],
    ["url without host", { ...VALID, url: "https://" }, "url", /absolute/],
    ["url with spaces around", { ...VALID, url: " https://shop.example/p " }, "url", /absolute/],
    ["missing url", { ...VALID, url: undefined }, "url", /absolute/],
    ["relative imageUrl", { ...VALID, imageUrl: "tee.jpg" }, "imageUrl", /absolute/],
    [
      "protocol-relative imageUrl",
      { ...VALID, imageUrl: "//cdn.example/tee.jpg" },
      "imageUrl",
      /absolute/,
    ],
    ["rating above 5", { ...VALID, rating: 5.5 }, "rating", /0 to 5/],
    ["negative rating", { ...VALID, rating: -1 }, "rating", /0 to 5/],
    ["fractional stockQuantity", { ...VALID, stockQuantity: 1.5 }, "stockQuantity", /integer >= 0/],
    ["negative stockQuantity", { ...VALID, stockQuantity: -2 }, "stockQuantity", /integer >= 0/],
    ["fractional reviewCount", { ...VALID, reviewCount: 2.5 }, "reviewCount", /integer/],
    ["inStock as a string", { ...VALID, inStock: "yes" }, "inStock", /true or false/],
    ["isActive as a number", { ...VALID, isActive: 1 }, "isActive", /true or false/],
    ["categories not an array", { ...VALID, categories: "Men" }, "categories", /array of strings/],
    ["blank category", { ...VALID, categories: ["Men", " "] }, "categories[1]", /non-blank/],
    ["number tag", { ...VALID, tags: [1] }, "tags[0]", /non-blank string/],
    ["null brand", { ...VALID, brands: [null] }, "brands[0]", /non-blank/],
    [
      "attributes not an object",
      { ...VALID, attributes: ["M"] },
      "attributes",
      /object of string values/,
    ],
    [
      "non-string attribute value",
      { ...VALID, attributes: { size: 42 } },
      "attributes.size",
      /must be a string/,
    ],
    [
      "blank attribute name",
      { ...VALID, attributes: { " ": "x" } },
      "attributes",
      /names must not be blank/,
    ],
    [
      "unknown field",
      { ...VALID, brand: "Acme" },
      "brand",
      /not a field of the Plugin API product/,
    ],
  ])("rejects %s", (_label, product, field, message) => {
    const issues = issuesOf(product);
    expect(issues).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  test.each([null, undefined, "product", 42, []])("rejects a non-object (%s)", (value) => {
    expect(issuesOf(value)).toEqual([
      { field: "", message: expect.stringMatching(/expected a product object/) },
    ]);
  });

  test("reports every problem at once", () => {
    const fields = issuesOf({ externalId: "", name: "", price: -1, url: "x" }).map((i) => i.field);
    expect(fields).toEqual(["externalId", "name", "price", "url"]);
  });

  test("messages show the received value, truncated", () => {
    const [issue] = issuesOf({ ...VALID, url: `not a url ${"x".repeat(500)}` });
    expect(issue?.message.length).toBeLessThan(200);
    expect(issue?.message).toContain('received "not a url');
  });
});

describe("validateProduct: urls", () => {
  test.each([
    "http://999.1.1.1/p",
    "https://a.0x1f/",
    "https://shop.example:99999/",
    "https://[::1/",
    "https://ex%00ample/",
  ])("a host the URL parser refuses: %s", (url) => {
    expect(issuesOf({ ...VALID, url }).map((issue) => issue.field)).toEqual(["url"]);
  });

  test.each([
    "https://shop.example",
    "https://shop-1.example/p/1?x=[y]#z",
    "http://localhost/a b",
    "https://xn--80ak6aa92e.com/",
    "https://shop..example/",
    "http://127.0.0.1:8080/",
    "https://SHOP.example.\\p",
  ])("a host the URL parser accepts: %s", (url) => {
    expect(validateProduct({ ...VALID, url }).ok).toBe(true);
  });

  test("property: a url is valid exactly when the WHATWG parser finds a host", () => {
    const hostPart = fc.constantFrom(
      "shop",
      "example",
      "A",
      "1",
      "0x1f",
      "256",
      "-",
      "xn--",
      "xn--p1ai",
      ".",
      "_",
      "é",
      "@",
      ":",
      ":80",
      "[::1]",
      "%41",
      " ",
    );
    const url = fc
      .tuple(
        fc.constantFrom("http://", "https://"),
        fc.array(hostPart, { maxLength: 6 }),
        fc.constantFrom("", "/", "/p?q#f", "?", "#", "\\x"),
      )
      .map(([scheme, host, rest]) => `${scheme}${host.join("")}${rest}`);
    fc.assert(
      fc.property(url, (value) => {
        const parsed = URL.parse(value);
        const expected = value === value.trim() && parsed !== null && parsed.hostname !== "";
        expect(validateProduct({ ...VALID, url: value }).ok).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("normalizeProduct", () => {
  test.each<[string, NeuroonProductInput, NeuroonProduct]>([
    [
      "trims strings and collapses single-line whitespace",
      {
        ...VALID,
        externalId: " 1001 ",
        name: "  Classic \n Tee  ",
        sku: " TS-1 ",
        url: " https://shop.example/p ",
      },
      {
        externalId: "1001",
        sku: "TS-1",
        name: "Classic Tee",
        price: 24.19,
        url: "https://shop.example/p",
      },
    ],
    [
      "drops null, undefined and blank optional fields",
      {
        ...VALID,
        sku: " ",
        description: "",
        salePrice: null,
        currency: null,
        imageUrl: "",
        rating: undefined,
        tags: null,
      },
      VALID,
    ],
    [
      "drops empty arrays and empty attributes",
      {
        ...VALID,
        categories: [],
        brands: [" "],
        tags: [null as unknown as string],
        attributes: { " ": "x", y: " " },
      },
      VALID,
    ],
    [
      "dedupes categories, brands and tags case-insensitively, keeping order and first spelling",
      {
        ...VALID,
        categories: ["T-Shirts", "Men", "t-shirts", " Men "],
        brands: ["Acme", "ACME"],
        tags: ["a", "b", "A"],
      },
      { ...VALID, categories: ["T-Shirts", "Men"], brands: ["Acme"], tags: ["a", "b"] },
    ],
    ["drops a salePrice equal to price", { ...VALID, salePrice: 24.19 }, VALID],
    ["drops a salePrice above price", { ...VALID, salePrice: 99 }, VALID],
    ["drops a negative salePrice", { ...VALID, salePrice: -1 }, VALID],
    ["drops a NaN salePrice", { ...VALID, salePrice: Number.NaN }, VALID],
    ["keeps a lower salePrice", { ...VALID, salePrice: 20 }, { ...VALID, salePrice: 20 }],
    [
      "upper-cases the currency (Medusa)",
      { ...VALID, currency: " eur " },
      { ...VALID, currency: "EUR" },
    ],
    [
      "negative stock (backorders) becomes 0",
      { ...VALID, stockQuantity: -3 },
      { ...VALID, stockQuantity: 0 },
    ],
    [
      "fractional stock is rounded down",
      { ...VALID, stockQuantity: 2.7 },
      { ...VALID, stockQuantity: 2 },
    ],
    [
      "attributes trimmed, blank entries dropped",
      { ...VALID, attributes: { " size ": " M ", color: "", "": "x" } },
      { ...VALID, attributes: { size: "M" } },
    ],
    [
      "description keeps its line breaks",
      { ...VALID, description: "  a\n\nb  " },
      { ...VALID, description: "a\n\nb" },
    ],
  ])("%s", (_label, input, expected) => {
    expect(normalizeProduct(input)).toEqual(expected);
  });

  test("truncates a long name at a word boundary to 512 with an ellipsis", () => {
    const name = normalizeProduct({ ...VALID, name: "word ".repeat(200) }).name;
    expect(name.length).toBeLessThanOrEqual(512);
    expect(name).toMatch(/word…$/);
  });

  test("truncates a long description to 5000", () => {
    const description = normalizeProduct({
      ...VALID,
      description: "word ".repeat(2000),
    }).description;
    expect(description?.length).toBeLessThanOrEqual(5000);
    expect(description?.endsWith("…")).toBe(true);
  });

  test("does not mutate its input", () => {
    const input = { ...FULL, name: " x ", categories: ["a", "A"] };
    const snapshot = structuredClone(input);
    normalizeProduct(input);
    expect(input).toEqual(snapshot);
  });

  test("keys come out in a fixed order, whatever the input order", () => {
    const reversed = Object.fromEntries(
      Object.entries(FULL).reverse(),
    ) as unknown as NeuroonProduct;
    expect(JSON.stringify(normalizeProduct(reversed))).toBe(JSON.stringify(normalizeProduct(FULL)));
    expect(Object.keys(normalizeProduct(FULL))).toEqual(Object.keys(FULL));
  });

  test("a __proto__ attribute stays data", () => {
    const attributes = JSON.parse('{"__proto__": "x", "size": "M"}') as Record<string, string>;
    const result = normalizeProduct({ ...VALID, attributes });
    expect(Object.getPrototypeOf(result.attributes)).toBe(Object.prototype);
    expect(Object.keys(result.attributes ?? {})).toEqual(["__proto__", "size"]);
  });

  test("leaves what it cannot fix for validation", () => {
    const result = normalizeProduct({
      ...VALID,
      price: Number.NaN,
      rating: 9,
      tags: [1 as unknown as string],
    });
    expect(issuesOf(result).map((i) => i.field)).toEqual(["price", "tags[0]", "rating"]);
  });

  test("property: normalising twice changes nothing more", () => {
    fc.assert(
      fc.property(productInput(), (input) => {
        const once = normalizeProduct(input);
        expect(normalizeProduct(once)).toEqual(once);
      }),
    );
  });

  test("property: a normalised product built from sane parts always validates", () => {
    fc.assert(
      fc.property(productInput(), (input) => {
        const result = validateProduct(normalizeProduct(input));
        expect(result.ok ? [] : result.issues).toEqual([]);
      }),
    );
  });
});

describe("prepareBatch", () => {
  test("fixes what it can, rejects the rest with reasons, keeps order, never throws", () => {
    const batch = prepareBatch([
      { ...VALID, externalId: "a", name: " A ", salePrice: 99 },
      { ...VALID, externalId: "b", url: "/relative" },
      null as unknown as NeuroonProductInput,
      { ...VALID, externalId: "c", price: -5, rating: 7 },
      { ...VALID, externalId: "d" },
    ]);
    expect(batch.valid.map((p) => p.externalId)).toEqual(["a", "d"]);
    expect(batch.valid[0]).toEqual({ ...VALID, externalId: "a", name: "A" });
    expect(batch.rejected).toEqual([
      { index: 1, externalId: "b", issues: [{ field: "url", message: expect.any(String) }] },
      {
        index: 2,
        externalId: undefined,
        issues: [{ field: "", message: expect.stringMatching(/product object/) }],
      },
      {
        index: 3,
        externalId: "c",
        issues: [
          { field: "price", message: expect.any(String) },
          { field: "rating", message: expect.any(String) },
        ],
      },
    ]);
  });

  test("a repeated externalId is rejected after its first occurrence", () => {
    const batch = prepareBatch([
      { ...VALID, externalId: "a" },
      { ...VALID, externalId: " a ", name: "Other" },
    ]);
    expect(batch.valid).toHaveLength(1);
    expect(batch.rejected).toEqual([
      {
        index: 1,
        externalId: "a",
        issues: [
          { field: "externalId", message: expect.stringMatching(/already appears at index 0/) },
        ],
      },
    ]);
  });

  test("an empty batch", () => {
    expect(prepareBatch([])).toEqual({ valid: [], rejected: [] });
  });

  test("property: every input ends up exactly once in valid or rejected", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(productInput(), fc.anything() as fc.Arbitrary<NeuroonProductInput>)),
        (inputs) => {
          const batch = prepareBatch(inputs);
          expect(batch.valid.length + batch.rejected.length).toBe(inputs.length);
          for (const product of batch.valid) expect(validateProduct(product).ok).toBe(true);
        },
      ),
    );
  });
});

/** Inputs a mapper could produce: messy but each field of the right type. */
function productInput(): fc.Arbitrary<NeuroonProductInput> {
  const text = fc.string({ maxLength: 30 });
  const nonBlank = fc.string({ minLength: 1, maxLength: 700 }).filter((s) => /\S/.test(s));
  const id = fc.stringMatching(/^[A-Za-z0-9_:-]{1,40}$/);
  const money = fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100);
  return fc.record(
    {
      externalId: id.map((s) => ` ${s} `),
      name: nonBlank,
      price: money,
      url: fc.webUrl({ validSchemes: ["http", "https"] }),
      salePrice: fc.option(money),
      sku: fc.option(text),
      description: fc.option(fc.string({ maxLength: 6000 })),
      currency: fc.option(fc.constantFrom("eur", "USD", " jpy ")),
      imageUrl: fc.option(fc.webUrl()),
      categories: fc.option(fc.array(text, { maxLength: 5 })),
      brands: fc.option(fc.array(text, { maxLength: 3 })),
      tags: fc.option(fc.array(text, { maxLength: 5 })),
      inStock: fc.option(fc.boolean()),
      stockQuantity: fc.option(fc.integer({ min: -10, max: 1000 })),
      rating: fc.option(fc.integer({ min: 0, max: 50 }).map((r) => r / 10)),
      reviewCount: fc.option(fc.nat()),
      isActive: fc.option(fc.boolean()),
      attributes: fc.option(fc.dictionary(text, text, { maxKeys: 4 })),
    },
    { requiredKeys: ["externalId", "name", "price", "url"] },
  ) as fc.Arbitrary<NeuroonProductInput>;
}
