import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MappingError } from "./errors.js";
import {
  computeDisplayPrices,
  type DisplayPriceInput,
  type DisplayPrices,
  variableParentPrices,
} from "./prices.js";

const NOW = new Date("2026-11-23T12:00:00Z");
const NET_SHOWN_GROSS = { amountsIncludeTax: false, displayIncludingTax: true } as const;
const GROSS_SHOWN_NET = { amountsIncludeTax: true, displayIncludingTax: false } as const;
const GROSS_SHOWN_GROSS = { amountsIncludeTax: true, displayIncludingTax: true } as const;
const NET_SHOWN_NET = { amountsIncludeTax: false, displayIncludingTax: false } as const;

function prices(overrides: Partial<DisplayPriceInput>): DisplayPrices {
  return computeDisplayPrices({
    regularAmount: "10.00",
    now: NOW,
    ...NET_SHOWN_NET,
    taxRatePercent: 0,
    currency: "EUR",
    ...overrides,
  });
}

function mappingErrorOf(run: () => unknown): MappingError {
  try {
    run();
  } catch (error) {
    if (MappingError.isMappingError(error)) return error;
    throw error;
  }
  throw new Error("expected a MappingError, nothing was thrown");
}

describe("computeDisplayPrices: tax and rounding", () => {
  test.each<[string, Partial<DisplayPriceInput>, number]>([
    [
      "net 19.99 at 21 % shown incl. tax",
      { regularAmount: "19.99", ...NET_SHOWN_GROSS, taxRatePercent: 21 },
      24.19,
    ],
    [
      "gross 10.00 at 21 % shown excl. tax",
      { regularAmount: "10.00", ...GROSS_SHOWN_NET, taxRatePercent: 21 },
      8.26,
    ],
    [
      "gross shown gross is unchanged",
      { regularAmount: "19.99", ...GROSS_SHOWN_GROSS, taxRatePercent: 21 },
      19.99,
    ],
    [
      "net shown net is unchanged",
      { regularAmount: "19.99", ...NET_SHOWN_NET, taxRatePercent: 21 },
      19.99,
    ],
    [
      "0 % tax changes nothing",
      { regularAmount: "19.99", ...NET_SHOWN_GROSS, taxRatePercent: 0 },
      19.99,
    ],
    [
      'WooCommerce rate string "19.0000"',
      { regularAmount: "100", ...NET_SHOWN_GROSS, taxRatePercent: "19.0000" },
      119,
    ],
    [
      "fractional rate 7.7 % (CH)",
      { regularAmount: "100", ...NET_SHOWN_GROSS, taxRatePercent: 7.7 },
      107.7,
    ],
    [
      "fractional rate back out",
      { regularAmount: "107.70", ...GROSS_SHOWN_NET, taxRatePercent: "7.7" },
      100,
    ],
    [
      "8.875 % (NYC) half-up",
      { regularAmount: "9.99", ...NET_SHOWN_GROSS, taxRatePercent: 8.875 },
      10.88,
    ],
    ["half-up at exactly .5 minor units", { regularAmount: "0.125" }, 0.13],
    ["the 1.005 float trap rounds up", { regularAmount: 1.005 }, 1.01],
    ["0.1 + 0.2 as a number", { regularAmount: 0.1 + 0.2 }, 0.3],
    [
      "JPY has no minor units",
      { regularAmount: "1000", ...NET_SHOWN_GROSS, taxRatePercent: 10, currency: "JPY" },
      1100,
    ],
    ["JPY rounds half-up to whole yen", { regularAmount: "999.5", currency: "JPY" }, 1000],
    ["KWD keeps 3 decimals", { regularAmount: "1.2345", currency: "KWD" }, 1.235],
    [
      "BHD gross to net",
      { regularAmount: "1.100", ...GROSS_SHOWN_NET, taxRatePercent: 10, currency: "bhd" },
      1,
    ],
    [
      "minorUnits override (WooCommerce price_num_decimals = 0)",
      { regularAmount: "1234.56", currency: "HUF", minorUnits: 0 },
      1235,
    ],
    [
      "HUF uses ISO 4217's 2 minor units, not ICU's 0",
      { regularAmount: "1234.56", currency: "HUF" },
      1234.56,
    ],
    [
      "integer major units (Medusa)",
      { regularAmount: 10, ...NET_SHOWN_GROSS, taxRatePercent: 20 },
      12,
    ],
    ["Shopify MoneyV2", { regularAmount: { amount: "19.99", currencyCode: "EUR" } }, 19.99],
    [
      "MoneyV2 currency compared case-insensitively",
      { regularAmount: { amount: "5", currencyCode: "eur" } },
      5,
    ],
    ["surrounding whitespace in a string", { regularAmount: " 19.99 " }, 19.99],
    ["tiny exponent number", { regularAmount: 1e-7 }, 0],
    ["zero", { regularAmount: "0" }, 0],
    ["trailing zeros", { regularAmount: "19.9900000" }, 19.99],
  ])("%s", (_label, input, expected) => {
    expect(prices(input).price).toBe(expected);
  });
});

describe("computeDisplayPrices: sale price", () => {
  test.each<[string, Partial<DisplayPriceInput>, number | undefined]>([
    ["lower sale price is kept", { regularAmount: "20", saleAmount: "15" }, 15],
    [
      "sale price gets the same tax treatment",
      { regularAmount: "20", saleAmount: "15", ...NET_SHOWN_GROSS, taxRatePercent: 21 },
      18.15,
    ],
    ["equal sale price is dropped", { regularAmount: "20", saleAmount: "20" }, undefined],
    ["higher sale price is dropped", { regularAmount: "20", saleAmount: "25" }, undefined],
    [
      "equal after rounding is dropped",
      { regularAmount: "19.99", saleAmount: "19.994" },
      undefined,
    ],
    ["WooCommerce empty sale_price means no sale", { saleAmount: "" }, undefined],
    ["blank sale price means no sale", { saleAmount: "  " }, undefined],
    ["null sale price means no sale", { saleAmount: null }, undefined],
    ["a free sale (0) is a sale", { saleAmount: "0" }, 0],
    [
      "active: started before now, no end",
      { saleAmount: "5", saleStartsAt: "2026-11-01T00:00:00Z" },
      5,
    ],
    [
      "inactive: starts in the future",
      { saleAmount: "5", saleStartsAt: "2026-11-24T00:00:00Z" },
      undefined,
    ],
    [
      "inactive: ended before now",
      { saleAmount: "5", saleEndsAt: "2026-11-23T11:59:59.999Z" },
      undefined,
    ],
    ["start bound is inclusive", { saleAmount: "5", saleStartsAt: NOW }, 5],
    ["end bound is inclusive", { saleAmount: "5", saleEndsAt: NOW.getTime() }, 5],
    [
      "a string without offset is UTC (active)",
      { saleAmount: "5", saleStartsAt: "2026-11-23T12:00:00" },
      5,
    ],
    [
      "a string without offset is UTC (inactive)",
      { saleAmount: "5", saleStartsAt: "2026-11-23T12:00:01" },
      undefined,
    ],
    ["date-only end is midnight UTC", { saleAmount: "5", saleEndsAt: "2026-11-23" }, undefined],
    [
      "WooCommerce blank dates mean unbounded",
      { saleAmount: "5", saleStartsAt: "", saleEndsAt: null },
      5,
    ],
    [
      "both bounds around now",
      { saleAmount: "5", saleStartsAt: "2026-11-01", saleEndsAt: "2026-12-01" },
      5,
    ],
  ])("%s", (_label, input, expected) => {
    const result = prices(input);
    expect(result.salePrice).toBe(expected);
    expect("salePrice" in result).toBe(expected !== undefined);
  });

  test("the clock is the `now` argument, not the machine's", () => {
    const input = { saleAmount: "5", saleEndsAt: "2000-01-01T00:00:00Z" };
    expect(prices({ ...input, now: "1999-12-31T23:00:00Z" }).salePrice).toBe(5);
    expect(prices({ ...input, now: new Date("2000-01-02") }).salePrice).toBeUndefined();
  });
});

describe("computeDisplayPrices: garbage is refused with a typed error", () => {
  test.each<[string, Partial<DisplayPriceInput>, string, RegExp]>([
    ["non-numeric amount", { regularAmount: "abc" }, "invalid-amount", /regularAmount .*"abc"/],
    ["empty regular amount", { regularAmount: "" }, "invalid-amount", /regularAmount/],
    [
      "thousands separator",
      { regularAmount: "1,234.50" },
      "invalid-amount",
      /Separators are ambiguous/,
    ],
    [
      "decimal comma",
      { regularAmount: "19,99" },
      "invalid-amount",
      /raw value the platform API returns/,
    ],
    ["NaN", { regularAmount: Number.NaN }, "invalid-amount", /finite number/],
    ["Infinity", { regularAmount: Number.POSITIVE_INFINITY }, "invalid-amount", /Infinity/],
    ["negative amount", { regularAmount: "-1" }, "invalid-amount", /must be >= 0/],
    ["negative sale amount", { saleAmount: -0.01 }, "invalid-amount", /saleAmount must be >= 0/],
    ["garbage sale amount", { saleAmount: "cheap" }, "invalid-amount", /saleAmount/],
    ["amount with a currency symbol", { regularAmount: "€19.99" }, "invalid-amount", /"€19.99"/],
    ["absurdly large amount", { regularAmount: 1e300 }, "invalid-amount", /too large/],
    [
      "MoneyV2 in another currency",
      { regularAmount: { amount: "1", currencyCode: "USD" } },
      "invalid-currency",
      /"USD" but currency is "EUR"/,
    ],
    [
      "negative tax rate",
      { taxRatePercent: -5 },
      "invalid-tax-rate",
      /taxRatePercent must be >= 0/,
    ],
    ["garbage tax rate", { taxRatePercent: "VAT" }, "invalid-tax-rate", /taxRatePercent/],
    ["malformed currency", { currency: "EURO" }, "invalid-currency", /ISO 4217/],
    ["blank currency", { currency: " " }, "invalid-currency", /ISO 4217/],
    ["negative minorUnits", { minorUnits: -1 }, "invalid-option", /minorUnits/],
    ["fractional minorUnits", { minorUnits: 1.5 }, "invalid-option", /minorUnits/],
    ["invalid now", { now: "yesterday" }, "invalid-date", /now must be/],
    [
      "invalid sale start",
      { saleAmount: "5", saleStartsAt: "soon" },
      "invalid-date",
      /saleStartsAt/,
    ],
    [
      "invalid sale end even when the start rules the sale out",
      { saleAmount: "5", saleStartsAt: "2099-01-01", saleEndsAt: "never" },
      "invalid-date",
      /saleEndsAt/,
    ],
    ["invalid Date object", { now: new Date(Number.NaN) }, "invalid-date", /now/],
  ])("%s", (_label, input, code, message) => {
    const error = mappingErrorOf(() => prices(input));
    expect(error).toBeInstanceOf(MappingError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});

describe("computeDisplayPrices: properties", () => {
  const cents = fc.integer({ min: 0, max: 10_000_000 });
  const rate = fc.integer({ min: 0, max: 4_000 }).map((r) => r / 100);
  const mode = fc.record({ amountsIncludeTax: fc.boolean(), displayIncludingTax: fc.boolean() });

  test("the same mode returns the stored amount exactly", () => {
    fc.assert(
      fc.property(cents, rate, fc.boolean(), (c, r, includesTax) => {
        const amount = (c / 100).toFixed(2);
        const result = prices({
          regularAmount: amount,
          taxRatePercent: r,
          amountsIncludeTax: includesTax,
          displayIncludingTax: includesTax,
        });
        expect(result.price).toBe(Number(amount));
      }),
    );
  });

  test("the result is the exact value rounded half-up to cents", () => {
    fc.assert(
      fc.property(cents, fc.integer({ min: 0, max: 4_000 }), mode, (c, r100, m) => {
        const result = prices({
          regularAmount: (c / 100).toFixed(2),
          taxRatePercent: r100 / 100,
          ...m,
        });
        // Reference in exact rationals: value = c/100 × f, f = (10000 + r100)/10000 or its inverse.
        const add = m.displayIncludingTax && !m.amountsIncludeTax;
        const remove = m.amountsIncludeTax && !m.displayIncludingTax;
        const num = BigInt(c) * (add ? BigInt(10_000 + r100) : 10_000n);
        const den = remove ? BigInt(10_000 + r100) : 10_000n;
        const twice = (2n * num) / den; // floor(2x)
        const expectedCents = twice / 2n + (twice % 2n);
        expect(Math.round(result.price * 100)).toBe(Number(expectedCents));
        expect(result.price).toBe(Number(expectedCents) / 100);
      }),
    );
  });

  test("numbers and their decimal strings give the same prices", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), rate, mode, (amount, r, m) => {
        expect(prices({ regularAmount: amount, taxRatePercent: r, ...m })).toEqual(
          prices({ regularAmount: String(amount), taxRatePercent: String(r), ...m }),
        );
      }),
    );
  });

  test("monotonic, and a kept sale price is always strictly lower", () => {
    fc.assert(
      fc.property(cents, cents, rate, mode, (a, b, r, m) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const regular = prices({ regularAmount: low / 100, taxRatePercent: r, ...m }).price;
        const other = prices({ regularAmount: high / 100, taxRatePercent: r, ...m }).price;
        expect(regular).toBeLessThanOrEqual(other);
        const result = prices({
          regularAmount: a / 100,
          saleAmount: b / 100,
          taxRatePercent: r,
          ...m,
        });
        if (result.salePrice !== undefined) expect(result.salePrice).toBeLessThan(result.price);
        else expect(b).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe("variableParentPrices", () => {
  test.each<[string, DisplayPrices[], DisplayPrices]>([
    ["one variant", [{ price: 10 }], { price: 10 }],
    ["lowest regular price", [{ price: 12 }, { price: 9 }, { price: 15 }], { price: 9 }],
    [
      "a sale below every regular price",
      [{ price: 10, salePrice: 8 }, { price: 9 }],
      { price: 9, salePrice: 8 },
    ],
    [
      "a sale on a pricier variant that is not lower than the cheapest",
      [{ price: 20, salePrice: 12 }, { price: 10 }],
      { price: 10 },
    ],
    [
      "a sale on the cheapest variant",
      [
        { price: 10, salePrice: 7 },
        { price: 12, salePrice: 9 },
      ],
      { price: 10, salePrice: 7 },
    ],
    [
      "a sale equal to the lowest regular price is no sale",
      [{ price: 10, salePrice: 9 }, { price: 9 }],
      { price: 9 },
    ],
    ["a bogus variant sale (not lower) is ignored", [{ price: 10, salePrice: 11 }], { price: 10 }],
    ["free variant", [{ price: 0 }, { price: 5, salePrice: 3 }], { price: 0 }],
  ])("%s", (_label, variants, expected) => {
    expect(variableParentPrices(variants)).toEqual(expected);
  });

  test("accepts any iterable", () => {
    expect(variableParentPrices(new Set([{ price: 3 }, { price: 2, salePrice: 1 }]))).toEqual({
      price: 2,
      salePrice: 1,
    });
  });

  test("no variants is an error", () => {
    const error = mappingErrorOf(() => variableParentPrices([]));
    expect(error.code).toBe("no-variants");
  });

  test("property: price is the minimum regular price and salePrice the minimum effective price", () => {
    const variant = fc
      .record({
        price: fc.integer({ min: 0, max: 100_000 }),
        sale: fc.option(fc.integer({ min: 0, max: 100_000 })),
      })
      .map(
        ({ price, sale }): DisplayPrices =>
          sale !== null && sale < price
            ? { price: price / 100, salePrice: sale / 100 }
            : { price: price / 100 },
      );
    fc.assert(
      fc.property(fc.array(variant, { minLength: 1, maxLength: 20 }), (variants) => {
        const result = variableParentPrices(variants);
        const minRegular = Math.min(...variants.map((v) => v.price));
        const minEffective = Math.min(...variants.map((v) => v.salePrice ?? v.price));
        expect(result.price).toBe(minRegular);
        expect(result.salePrice).toBe(minEffective < minRegular ? minEffective : undefined);
      }),
    );
  });
});

describe("MappingError", () => {
  test("is a NeuroonError with a code and the field", async () => {
    const { NeuroonError } = await import("../errors.js");
    const error = mappingErrorOf(() => prices({ regularAmount: "x" }));
    expect(NeuroonError.isNeuroonError(error)).toBe(true);
    expect(error).toBeInstanceOf(NeuroonError);
    expect(error.name).toBe("MappingError");
    expect(error.field).toBe("regularAmount");
    expect(MappingError.isMappingError(new Error("x"))).toBe(false);
  });
});
