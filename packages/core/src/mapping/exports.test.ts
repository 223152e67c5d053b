import { describe, expect, test } from "vitest";
import * as core from "../index.js";

describe("@neuroon/core exports the mapping rules", () => {
  test.each([
    "brandsFrom",
    "buildCategoryLookup",
    "categoriesFromPath",
    "categoryPaths",
    "computeDisplayPrices",
    "currencyMinorUnits",
    "normalizeCurrencyCode",
    "normalizeProduct",
    "pickDescription",
    "prepareBatch",
    "toExternalId",
    "toPlainText",
    "truncateAtWord",
    "validateProduct",
    "variableParentPrices",
    "variantExternalId",
  ])("%s", (name) => {
    expect(typeof (core as Record<string, unknown>)[name]).toBe("function");
  });

  test("limits and the error class", () => {
    expect(core.MAX_NAME_LENGTH_CHARS).toBe(512);
    expect(core.MAX_DESCRIPTION_LENGTH_CHARS).toBe(5000);
    expect(core.MAX_EXTERNAL_ID_LENGTH_CHARS).toBe(255);
    expect(core.RECOMMENDED_DESCRIPTION_LENGTH_CHARS).toBe(2000);
    expect(core.MAX_RATING).toBe(5);
    expect(new core.MappingError("invalid-amount", "x")).toBeInstanceOf(core.NeuroonError);
  });

  test("a mapper built only from the public API produces a valid product", () => {
    const lookup = core.buildCategoryLookup([
      { id: 1, name: "Men", parentId: 0 },
      { id: 2, name: "Clothing", parentId: 1 },
      { id: 3, name: "T-Shirts", parentId: 2 },
    ]);
    const prices = core.computeDisplayPrices({
      regularAmount: "19.99",
      saleAmount: "",
      now: new Date("2026-11-23T12:00:00Z"),
      amountsIncludeTax: false,
      displayIncludingTax: true,
      taxRatePercent: "21.0000",
      currency: "EUR",
    });
    const { valid, rejected } = core.prepareBatch([
      {
        externalId: core.toExternalId(1001),
        name: "Classic Tee",
        description: core.pickDescription({ short: "", long: "<p>Soft &amp; organic</p>" }),
        ...prices,
        currency: "EUR",
        url: "https://shop.example/p/classic-tee",
        categories: core.categoryPaths([3], lookup),
        brands: core.brandsFrom([{ name: "Acme" }]),
      },
    ]);
    expect(rejected).toEqual([]);
    expect(valid).toEqual([
      {
        externalId: "1001",
        name: "Classic Tee",
        description: "Soft & organic",
        price: 24.19,
        currency: "EUR",
        url: "https://shop.example/p/classic-tee",
        categories: ["T-Shirts", "Clothing", "Men"],
        brands: ["Acme"],
      },
    ]);
  });
});
