import { describeValue, MappingError } from "./errors.js";

/**
 * ISO 4217 minor units of the active currencies whose minor unit is not 2 (List One, amendment
 * 179). Every other code has 2, which is also ECMA-402's default for unknown codes.
 *
 * Why a table and not `Intl.NumberFormat(…).resolvedOptions().maximumFractionDigits`: V8/ICU
 * answer with CLDR *display* digits, which differ from ISO 4217 for several currencies (checked
 * on Node 24.21 / ICU 78.3: HUF, IDR, COP, PKR, LAK, ALL → 0 and IQD → 0, where ISO says 2, 2,
 * 2, 2, 2, 2 and 3). Platforms store prices in ISO minor units, so the table is the source and
 * the result does not change with the ICU build.
 */
const NON_TWO_MINOR_UNITS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

const DEFAULT_MINOR_UNITS = 2;
const CURRENCY_CODE_RE = /^[A-Z]{3}$/;

/**
 * Normalises a currency code to the ISO 4217 form the Plugin API expects: trimmed, upper case,
 * three letters (Medusa stores `"eur"`). Throws `MappingError` (`invalid-currency`) otherwise.
 */
export function normalizeCurrencyCode(currency: string): string {
  const code = typeof currency === "string" ? currency.trim().toUpperCase() : "";
  if (!CURRENCY_CODE_RE.test(code)) {
    throw new MappingError(
      "invalid-currency",
      `currency must be an ISO 4217 code of three letters like "EUR"; received ${describeValue(currency)}.`,
      { field: "currency" },
    );
  }
  return code;
}

/**
 * The ISO 4217 minor units of `currency` (0 for JPY, 3 for KWD, 2 for EUR and unknown codes).
 * Accepts any letter case; throws `MappingError` (`invalid-currency`) for a malformed code.
 */
export function currencyMinorUnits(currency: string): number {
  return NON_TWO_MINOR_UNITS[normalizeCurrencyCode(currency)] ?? DEFAULT_MINOR_UNITS;
}
