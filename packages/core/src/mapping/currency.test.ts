import { describe, expect, test } from "vitest";
import { currencyMinorUnits, normalizeCurrencyCode } from "./currency.js";
import { MappingError } from "./errors.js";

describe("currencyMinorUnits", () => {
  test.each<[string, number]>([
    ["EUR", 2],
    ["USD", 2],
    ["GBP", 2],
    ["CHF", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["CLP", 0],
    ["ISK", 0],
    ["VND", 0],
    ["KWD", 3],
    ["BHD", 3],
    ["JOD", 3],
    ["OMR", 3],
    ["TND", 3],
    ["IQD", 3],
    ["LYD", 3],
    ["CLF", 4],
    ["UYW", 4],
    // ISO 4217 says 2 where ICU's CLDR display digits say 0 (checked on Node 24.21 / ICU 78.3).
    ["HUF", 2],
    ["IDR", 2],
    ["COP", 2],
    ["PKR", 2],
    // Unknown but well-formed codes get ECMA-402's default.
    ["XYZ", 2],
    ["jpy", 0],
    [" kwd ", 3],
  ])("%s → %i", (code, expected) => {
    expect(currencyMinorUnits(code)).toBe(expected);
  });

  test("agrees with Intl for currencies where ISO 4217 and CLDR agree", () => {
    for (const code of [
      "EUR",
      "USD",
      "GBP",
      "JPY",
      "KRW",
      "CLP",
      "KWD",
      "BHD",
      "JOD",
      "OMR",
      "TND",
      "CLF",
    ]) {
      const intl = new Intl.NumberFormat("en", {
        style: "currency",
        currency: code,
      }).resolvedOptions().maximumFractionDigits;
      expect([code, currencyMinorUnits(code)]).toEqual([code, intl]);
    }
  });

  test.each(["EURO", "E1R", "", "€"])("refuses %j", (code) => {
    expect(() => currencyMinorUnits(code)).toThrow(MappingError);
  });
});

describe("normalizeCurrencyCode", () => {
  test.each<[string, string]>([
    ["eur", "EUR"],
    [" usd ", "USD"],
    ["JPY", "JPY"],
  ])("%j → %s", (input, expected) => {
    expect(normalizeCurrencyCode(input)).toBe(expected);
  });

  test("says what was expected", () => {
    expect(() => normalizeCurrencyCode("euro")).toThrow(
      /ISO 4217 code of three letters like "EUR"; received "euro"/,
    );
  });
});
