import { currencyMinorUnits, normalizeCurrencyCode } from "./currency.js";
import { type DateInput, toEpochMs } from "./dates.js";
import { type AmountInput, type Decimal, divideRoundHalfUp, pow10, toDecimal } from "./decimal.js";
import { describeValue, MappingError } from "./errors.js";

/** Prices as the shopper sees them on the storefront, ready for `NeuroonProduct`. */
export interface DisplayPrices {
  price: number;
  /** Present only when a sale is active and strictly lower than `price`. */
  salePrice?: number;
}

/** Input of {@link computeDisplayPrices}. */
export interface DisplayPriceInput {
  /** The regular (non-sale) amount as stored by the platform. */
  regularAmount: AmountInput;
  /** The sale amount; `null`, `undefined` and `""` (WooCommerce's "no sale") mean none. */
  saleAmount?: AmountInput | null | undefined;
  /** Sale start, inclusive. Absent (`null`, `undefined`, `""`): the sale has already started. */
  saleStartsAt?: DateInput | null | undefined;
  /** Sale end, inclusive. Absent (`null`, `undefined`, `""`): the sale does not end. */
  saleEndsAt?: DateInput | null | undefined;
  /** The clock reading to evaluate the sale schedule at (pure: never `Date.now()` inside). */
  now: DateInput;
  /** True when the stored amounts include tax (WooCommerce `woocommerce_prices_include_tax = yes`, Shopify `shop.taxesIncluded`, Medusa `is_calculated_price_tax_inclusive`). */
  amountsIncludeTax: boolean;
  /** True when the storefront shows prices including tax (WooCommerce `woocommerce_tax_display_shop = incl`). */
  displayIncludingTax: boolean;
  /** The tax rate that applies to the product, in percent (`21`, `"19.0000"`, `7.7`). `0` for untaxed products. */
  taxRatePercent: number | string;
  /** ISO 4217 code, any letter case. Chooses the rounding precision. */
  currency: string;
  /** Decimals to round to, overriding the currency's ISO 4217 minor units (WooCommerce `woocommerce_price_num_decimals`). */
  minorUnits?: number | undefined;
}

interface ConversionPlan {
  /** Multiply the amount's units by this… */
  numeratorFactor: bigint;
  /** …and divide by this times `10^scale`. */
  denominatorFactor: bigint;
  minorUnits: number;
}

const MAX_MINOR_UNITS = 8;
const MAX_SAFE_MINOR_UNITS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Computes `price` and `salePrice` exactly as the storefront displays them.
 *
 * - Net amounts get the tax added when the store displays prices including tax; gross amounts get
 *   it removed (`gross × 100 / (100 + rate)`) when the store displays them excluding tax.
 * - Arithmetic is exact (scaled integers); the result is rounded once, per unit, to the currency's
 *   ISO 4217 minor units (or `minorUnits`), **half-up** (half away from zero), like WooCommerce's
 *   `round()` and Shopify. `19.99` net at 21 % displays as `24.19`; `10.00` gross at 21 % shown
 *   excluding tax is `8.26`. (WooCommerce first rounds the tax to 4 decimals; in a rare exact
 *   half-way case that can differ from this single rounding by one minor unit.)
 * - The sale price is kept only when the sale is active at `now` (`saleStartsAt <= now <=
 *   saleEndsAt`, both bounds inclusive, as WooCommerce's `is_on_sale()`) and, after rounding,
 *   strictly lower than the regular price.
 *
 * Throws `MappingError` for garbage input (`invalid-amount`, `invalid-tax-rate`,
 * `invalid-currency`, `invalid-date`, `invalid-option`), including negative amounts and a
 * Shopify `MoneyV2` whose `currencyCode` is not `currency`.
 */
export function computeDisplayPrices(input: DisplayPriceInput): DisplayPrices {
  const currency = normalizeCurrencyCode(input.currency);
  const now = toEpochMs(input.now, "now");
  const plan = conversionPlan(input, currency);
  const price = convert(readAmount(input.regularAmount, "regularAmount", currency), plan);
  const result: DisplayPrices = { price };
  if (!hasSaleAmount(input.saleAmount)) return result;
  const salePrice = convert(readAmount(input.saleAmount, "saleAmount", currency), plan);
  if (isSaleActive(input, now) && salePrice < price) result.salePrice = salePrice;
  return result;
}

/**
 * The prices a variable product's parent shows, derived from its variants' display prices (as
 * returned by {@link computeDisplayPrices}): `price` is the lowest regular price and `salePrice`
 * the lowest effective price (`salePrice ?? price`) when that is lower than `price`. So variants
 * at 10 (on sale at 8) and 9 give `{ price: 9, salePrice: 8 }`: "from 9, now from 8".
 *
 * Pass only the variants the shopper can buy (the adapter filters unpublished ones). Throws
 * `MappingError` (`no-variants`) for an empty list.
 */
export function variableParentPrices(variants: Iterable<DisplayPrices>): DisplayPrices {
  let lowestRegular = Number.POSITIVE_INFINITY;
  let lowestEffective = Number.POSITIVE_INFINITY;
  for (const variant of variants) {
    if (variant.price < lowestRegular) lowestRegular = variant.price;
    const effective =
      variant.salePrice !== undefined && variant.salePrice < variant.price
        ? variant.salePrice
        : variant.price;
    if (effective < lowestEffective) lowestEffective = effective;
  }
  if (lowestRegular === Number.POSITIVE_INFINITY) {
    throw new MappingError(
      "no-variants",
      "variableParentPrices() needs at least one variant with a price; received none. Skip the parent or send it without variants.",
      { field: "variants" },
    );
  }
  return lowestEffective < lowestRegular
    ? { price: lowestRegular, salePrice: lowestEffective }
    : { price: lowestRegular };
}

function conversionPlan(input: DisplayPriceInput, currency: string): ConversionPlan {
  const minorUnits = input.minorUnits ?? currencyMinorUnits(currency);
  if (!Number.isInteger(minorUnits) || minorUnits < 0 || minorUnits > MAX_MINOR_UNITS) {
    throw new MappingError(
      "invalid-option",
      `minorUnits must be an integer from 0 to ${MAX_MINOR_UNITS}; received ${describeValue(input.minorUnits)}.`,
      { field: "minorUnits" },
    );
  }
  const rate = toDecimal(input.taxRatePercent, "taxRatePercent", "invalid-tax-rate");
  if (rate.units < 0n) {
    throw new MappingError(
      "invalid-tax-rate",
      `taxRatePercent must be >= 0; received ${describeValue(input.taxRatePercent)}.`,
      { field: "taxRatePercent" },
    );
  }
  const minor = pow10(minorUnits);
  const hundred = 100n * pow10(rate.scale);
  const withTax = hundred + rate.units;
  if (input.amountsIncludeTax === input.displayIncludingTax || rate.units === 0n) {
    return { numeratorFactor: minor, denominatorFactor: 1n, minorUnits };
  }
  return input.displayIncludingTax
    ? { numeratorFactor: withTax * minor, denominatorFactor: hundred, minorUnits }
    : { numeratorFactor: hundred * minor, denominatorFactor: withTax, minorUnits };
}

function convert(amount: Decimal, plan: ConversionPlan): number {
  const minor = divideRoundHalfUp(
    amount.units * plan.numeratorFactor,
    plan.denominatorFactor * pow10(amount.scale),
  );
  if (minor > MAX_SAFE_MINOR_UNITS) {
    throw new MappingError(
      "invalid-amount",
      `the amount is too large to send as a JSON number; received ${minor} minor units.`,
    );
  }
  // An exact integer divided by a power of ten is correctly rounded, so 2419 / 100 === 24.19.
  return Number(minor) / 10 ** plan.minorUnits;
}

function readAmount(value: AmountInput, field: string, currency: string): Decimal {
  let raw: unknown = value;
  if (typeof value === "object" && value !== null) {
    const code = value.currencyCode;
    if (code !== undefined && code.trim().toUpperCase() !== currency) {
      throw new MappingError(
        "invalid-currency",
        `${field} is in ${describeValue(code)} but currency is "${currency}"; convert it or pass the amount in ${currency}.`,
        { field },
      );
    }
    raw = value.amount;
  }
  const amount = toDecimal(raw as number | string, field);
  if (amount.units < 0n) {
    throw new MappingError(
      "invalid-amount",
      `${field} must be >= 0; received ${describeValue(raw)}.`,
      { field },
    );
  }
  return amount;
}

function hasSaleAmount(value: AmountInput | null | undefined): value is AmountInput {
  return !isBlank(value);
}

/** `null`, `undefined` and blank strings: how the platforms say "not set". */
function isBlank<T>(value: T | null | undefined): value is null | undefined {
  return (
    value === undefined || value === null || (typeof value === "string" && value.trim() === "")
  );
}

function isSaleActive(input: DisplayPriceInput, now: number): boolean {
  // Both bounds are parsed before deciding, so a garbage date is reported even when the other
  // bound already rules the sale out.
  const startsAt = isBlank(input.saleStartsAt)
    ? undefined
    : toEpochMs(input.saleStartsAt, "saleStartsAt");
  const endsAt = isBlank(input.saleEndsAt) ? undefined : toEpochMs(input.saleEndsAt, "saleEndsAt");
  return (startsAt === undefined || startsAt <= now) && (endsAt === undefined || now <= endsAt);
}
