import { isAsciiDigit } from "./char-codes.js";
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

const MAX_SCALE = 40;
// Above every finite double (1.8e308); larger exponents are refused before building the bigint.
const MAX_EXPONENT = 400;
/** Up to this many digits, the units are summed as a number, exactly (below 2^53), not parsed. */
const MAX_NUMBER_DIGITS = 15;

/**
 * Parses `text` into an exact decimal, or `undefined` when it is not one: a plain decimal with an
 * optional exponent, `/^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/` with at least one digit
 * (`String(number)` produces the exponent form for very small and very large numbers, so numbers
 * go through the same grammar). Read by hand: no match array, no substrings for a `"19.99"`.
 */
export function parseDecimal(text: string): Decimal | undefined {
  const length = text.length;
  let i = 0;
  const first = text.charCodeAt(0);
  const isNegative = first === 0x2d; // -
  if (isNegative || first === 0x2b) i += 1; // +
  const intStart = i;
  i = skipDigits(text, i);
  const intEnd = i;
  let fracStart = i;
  if (text.charCodeAt(i) === 0x2e /* . */) {
    fracStart = i + 1;
    i = skipDigits(text, fracStart);
  }
  const fracEnd = i;
  if (intEnd === intStart && fracEnd === fracStart) return undefined;
  let exponent = 0;
  if ((text.charCodeAt(i) | 0x20) === 0x65 /* e, E */) {
    const expStart = i + 1;
    const sign = text.charCodeAt(expStart);
    const digitsStart = sign === 0x2b || sign === 0x2d ? expStart + 1 : expStart;
    i = skipDigits(text, digitsStart);
    if (i === digitsStart || i - digitsStart > 4) return undefined;
    exponent = Number(text.slice(expStart, i));
  }
  if (i !== length) return undefined;
  let scale = fracEnd - fracStart - exponent;
  let units = readUnits(text, intStart, intEnd, fracStart, fracEnd);
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
  return { units: isNegative ? -units : units, scale };
}

function skipDigits(text: string, start: number): number {
  let i = start;
  while (i < text.length && isAsciiDigit(text.charCodeAt(i))) i += 1;
  return i;
}

/** The integer the digits `text[intStart..intEnd)` then `text[fracStart..fracEnd)` spell. */
function readUnits(
  text: string,
  intStart: number,
  intEnd: number,
  fracStart: number,
  fracEnd: number,
): bigint {
  if (intEnd - intStart + fracEnd - fracStart > MAX_NUMBER_DIGITS) {
    return BigInt(`${text.slice(intStart, intEnd)}${text.slice(fracStart, fracEnd)}`);
  }
  let value = 0;
  for (let i = intStart; i < intEnd; i += 1) value = value * 10 + (text.charCodeAt(i) - 0x30);
  for (let i = fracStart; i < fracEnd; i += 1) value = value * 10 + (text.charCodeAt(i) - 0x30);
  return BigInt(value);
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
