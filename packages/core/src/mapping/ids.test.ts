import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MappingError } from "./errors.js";
import { type StoreId, toExternalId, variantExternalId } from "./ids.js";

function errorOf(run: () => unknown): MappingError {
  try {
    run();
  } catch (error) {
    if (error instanceof MappingError) return error;
    throw error;
  }
  throw new Error("expected a MappingError");
}

describe("toExternalId", () => {
  test.each<[string, StoreId, string]>([
    ["WooCommerce number", 123, "123"],
    ["zero", 0, "0"],
    ["largest safe integer", Number.MAX_SAFE_INTEGER, "9007199254740991"],
    ["64-bit id as bigint stays exact", 788032119674292922n, "788032119674292922"],
    ["64-bit id as string stays exact", "788032119674292922", "788032119674292922"],
    ["Medusa id", "prod_01JABCDEF", "prod_01JABCDEF"],
    ["trimmed", "  42 ", "42"],
    ["leading zeros kept", "007", "007"],
    [
      "Shopify product GID reduced to its number",
      "gid://shopify/Product/8863296471316",
      "8863296471316",
    ],
    ["Shopify variant GID", "gid://shopify/ProductVariant/46718307623188", "46718307623188"],
    ["GID with parameters", "gid://shopify/Product/1?cache=1", "1"],
    [
      "non-numeric GID kept whole",
      "gid://shopify/TaxonomyCategory/aa-2-14",
      "gid://shopify/TaxonomyCategory/aa-2-14",
    ],
    ["other apps' GIDs kept whole", "gid://other/Product/1", "gid://other/Product/1"],
  ])("%s", (_label, id, expected) => {
    expect(toExternalId(id)).toBe(expected);
  });

  test("a number above 2^53 is refused with advice to pass a string or bigint", () => {
    const error = errorOf(() => toExternalId(2 ** 53));
    expect(error.code).toBe("unsafe-integer-id");
    expect(error.message).toMatch(/string or bigint/);
    // What JSON.parse makes of Shopify's fixture id 788032119674292922.
    expect(errorOf(() => toExternalId(JSON.parse("788032119674292922"))).code).toBe(
      "unsafe-integer-id",
    );
  });

  test.each<[string, unknown, RegExp]>([
    ["blank string", "  ", /non-blank/],
    ["negative number", -1, /non-negative integer/],
    ["fractional number", 1.5, /non-negative integer/],
    ["NaN", Number.NaN, /non-negative integer/],
    ["negative bigint", -1n, /non-negative integer/],
    ["too long", "x".repeat(256), /at most 255/],
    ["object", { id: 1 }, /string, number or bigint/],
    ["null", null, /string, number or bigint/],
  ])("refuses %s", (_label, id, message) => {
    const error = errorOf(() => toExternalId(id as StoreId));
    expect(error.code).toBe("invalid-id");
    expect(error.message).toMatch(message);
  });

  test("property: deterministic, and equal for a number, its bigint and its string", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const id = toExternalId(n);
        expect(id).toBe(toExternalId(BigInt(n)));
        expect(id).toBe(toExternalId(String(n)));
        expect(id).toBe(toExternalId(`gid://shopify/Product/${n}`));
      }),
    );
  });

  test("property: any 64-bit bigint round-trips exactly", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        expect(BigInt(toExternalId(n))).toBe(n);
      }),
    );
  });
});

describe("variantExternalId", () => {
  test.each<[string, StoreId, StoreId, string]>([
    ["numbers", 1, 2, "1:2"],
    ["Shopify GIDs", "gid://shopify/Product/10", "gid://shopify/ProductVariant/20", "10:20"],
    ["Medusa ids", "prod_1", "variant_1", "prod_1:variant_1"],
    ["bigint variant", "10", 788032119674292922n, "10:788032119674292922"],
  ])("%s", (_label, parent, variant, expected) => {
    expect(variantExternalId(parent, variant)).toBe(expected);
  });

  test("a product and a variant with the same number do not collide", () => {
    expect(variantExternalId(5, 7)).not.toBe(toExternalId(7));
  });

  test("refuses when parent and variant together exceed the bound", () => {
    expect(errorOf(() => variantExternalId("p".repeat(200), "v".repeat(60))).code).toBe(
      "invalid-id",
    );
  });

  test("refuses an invalid part", () => {
    expect(errorOf(() => variantExternalId(1, 2 ** 60)).code).toBe("unsafe-integer-id");
  });
});
