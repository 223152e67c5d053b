import { describeValue, MappingError, type MappingErrorCode } from "./errors.js";

/** An exact decimal: `units / 10^scale`. Internal to the mapping rules. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/**
 * A money amount as the platforms hand it over:
 * - `number`: Medusa (major units, `10` means 10.00) or any already-parsed value;
 * - `string`: WooCommerce REST (`"19.99"`), Shopify REST webhooks;
 * - `{ amount }`: Shopify `MoneyV2` (`{ amount: "19.99", currencyCode: "EUR" }`).
 */
export type AmountInput =
  | number
  | string
  | { readonly amount: number | string; readonly currencyCode?: string };

// Plain decimal with an optional exponent. `String(number)` produces the exponent form for very
// small and very large numbers, so numbers go through the same grammar.
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;
const MAX_SCALE = 40;
// Above every finite double (1.8e308); larger exponents are refused before building the bigint.
const MAX_EXPONENT = 400;

/** Parses `text` into an exact decimal, or `undefined` when it is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_RE.exec(text);
  if (match === null) return undefined;
  const [, sign = "", intPart = "", fracPart = "", expPart] = match;
  if (intPart.length === 0 && fracPart.length === 0) return undefined;
  let scale = fracPart.length - (expPart === undefined ? 0 : Number(expPart));
  let units = BigInt(`${intPart}${fracPart}` || "0");
  if (scale < 0) {
    if (scale < -MAX_EXPONENT) return undefined;
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  if (scale > MAX_SCALE) {
    // Digits beyond 10^-40 cannot move a price; truncating keeps every rounding boundary intact.
    units /= 10n ** BigInt(scale - MAX_SCALE);
    scale = MAX_SCALE;
  }
  return { units: sign === "-" ? -units : units, scale };
}

/**
 * Parses an amount or a rate into an exact decimal, refusing garbage with a `MappingError`.
 * Numbers are read through their shortest round-trip form (`String(19.99)` is `"19.99"`), so no
 * binary floating-point error enters the computation.
 */
export function toDecimal(
  value: number | string,
  field: string,
  code: MappingErrorCode = "invalid-amount",
): Decimal {
  let parsed: Decimal | undefined;
  if (typeof value === "number") {
    parsed = Number.isFinite(value) ? parseDecimal(String(value)) : undefined;
  } else if (typeof value === "string") {
    const text = value.trim();
    if (text.includes(",")) {
      throw new MappingError(
        code,
        `${field} must be a plain decimal like "1234.50"; received ${describeValue(value)}. Separators are ambiguous ("1,234.50" vs "1.234,50"): pass the raw value the platform API returns, not a formatted price.`,
        { field },
      );
    }
    parsed = parseDecimal(text);
  }
  if (parsed === undefined) {
    throw new MappingError(
      code,
      `${field} must be a finite number or a decimal string like "19.99"; received ${describeValue(value)}.`,
      { field },
    );
  }
  return parsed;
}

/** `a / b` rounded half-up (half away from zero for the non-negative values used here). */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = (2n * n + d) / (2n * d);
  return negative ? -quotient : quotient;
}

const POWERS_OF_TEN: bigint[] = [];
/** `10^exponent` as a bigint, memoised for the small exponents money uses. */
export function pow10(exponent: number): bigint {
  let power = POWERS_OF_TEN[exponent];
  if (power === undefined) {
    power = 10n ** BigInt(exponent);
    if (exponent <= MAX_SCALE * 2) POWERS_OF_TEN[exponent] = power;
  }
  return power;
}
