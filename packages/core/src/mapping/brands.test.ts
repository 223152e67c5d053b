import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type BrandFieldValue, brandsFrom } from "./brands.js";

describe("brandsFrom", () => {
  test.each<[string, BrandFieldValue, string[] | undefined]>([
    ["Shopify vendor string", "Acme", ["Acme"]],
    ["trimmed", "  Acme  ", ["Acme"]],
    ["inner whitespace collapsed", "Acme \n Outdoor", ["Acme Outdoor"]],
    ["not split on commas", "Marks, Spencer & Co", ["Marks, Spencer & Co"]],
    ["blank string", "   ", undefined],
    ["null", null, undefined],
    ["undefined", undefined, undefined],
    ["string array", ["Acme", "Globex"], ["Acme", "Globex"]],
    [
      "WooCommerce brands [{id,name,slug}]",
      [{ name: "Acme" }, { name: "Globex" }],
      ["Acme", "Globex"],
    ],
    ["single named object (Medusa brand link)", { name: "Acme" }, ["Acme"]],
    [
      "duplicates removed case-insensitively, first spelling kept",
      ["Acme", "ACME", " acme "],
      ["Acme"],
    ],
    [
      "blanks and nulls dropped",
      ["", null, undefined, { name: null }, { name: " " }, "Acme"],
      ["Acme"],
    ],
    ["mixed strings and objects", ["Acme", { name: "Globex" }], ["Acme", "Globex"]],
    ["empty array", [], undefined],
  ])("%s", (_label, value, expected) => {
    expect(brandsFrom(value)).toEqual(expected);
  });

  test("a brand in the title never produces brands: only the named field counts", () => {
    const product = { title: "Nike Air Zoom Pegasus 41 by Nike", vendor: null };
    expect(brandsFrom(product.vendor)).toBeUndefined();
    expect(brandsFrom(undefined)).toBeUndefined();
  });

  test("property: output is trimmed, non-blank, unique (case-insensitive) and a subset of the input", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.record({ name: fc.option(fc.string()) }))),
        (values) => {
          const result = brandsFrom(values);
          if (result === undefined) return;
          expect(result.length).toBeGreaterThan(0);
          expect(new Set(result.map((b) => b.toLowerCase())).size).toBe(result.length);
          const inputs = values.map((v) =>
            (typeof v === "string" ? v : (v.name ?? "")).replace(/\s+/g, " ").trim(),
          );
          for (const brand of result) {
            expect(brand).toBe(brand.trim());
            expect(inputs).toContain(brand);
          }
        },
      ),
    );
  });
});
