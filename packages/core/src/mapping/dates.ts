import { describeValue, MappingError } from "./errors.js";

/**
 * A point in time: a `Date`, epoch milliseconds, or an ISO-8601 string. A string without an offset
 * (`"2026-11-01T00:00:00"`, as WooCommerce's `*_gmt` fields and the Neuroon backend emit them) is
 * read as UTC, never as the machine's local time.
 */
export type DateInput = Date | number | string;

const ISO_WITHOUT_OFFSET_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?$/;

/** Converts a `DateInput` to epoch milliseconds; throws `MappingError` (`invalid-date`). */
export function toEpochMs(value: DateInput, field: string): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === "number") ms = value;
  else if (typeof value === "string") {
    const text = value.trim();
    ms = parseWooCommerceDate(text);
    if (Number.isNaN(ms)) ms = Date.parse(ISO_WITHOUT_OFFSET_RE.test(text) ? `${text}Z` : text);
  } else ms = Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new MappingError(
      "invalid-date",
      `${field} must be a Date, epoch milliseconds or an ISO-8601 string; received ${describeValue(value)}.`,
      { field },
    );
  }
  return ms;
}

/**
 * `YYYY-MM-DDTHH:mm:ss` or `YYYY-MM-DDTHH:mm` with valid fields (the form of WooCommerce's
 * `*_gmt` dates) read as UTC, the same instant `Date.parse` gives with a `Z`, without building a
 * string or calling the general date parser; `NaN` for anything else, which goes to `Date.parse`.
 */
function parseWooCommerceDate(text: string): number {
  const length = text.length;
  if (
    (length !== 16 && length !== 19) ||
    text.charCodeAt(4) !== 0x2d || // -
    text.charCodeAt(7) !== 0x2d ||
    text.charCodeAt(10) !== 0x54 || // T
    text.charCodeAt(13) !== 0x3a || // :
    (length === 19 && text.charCodeAt(16) !== 0x3a)
  ) {
    return Number.NaN;
  }
  const year = readDigits(text, 0, 4);
  const month = readDigits(text, 5, 2);
  const day = readDigits(text, 8, 2);
  const hour = readDigits(text, 11, 2);
  const minute = readDigits(text, 14, 2);
  const second = length === 19 ? readDigits(text, 17, 2) : 0;
  // `Date.UTC` reads years 0–99 as 1900–1999: those, and out-of-range fields, go to `Date.parse`.
  if (
    !(year >= 100) ||
    !(month >= 1 && month <= 12) ||
    !(day >= 1 && day <= daysInMonth(year, month)) ||
    !(hour <= 23 && minute <= 59 && second <= 59)
  ) {
    return Number.NaN;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The number `text[start..start + count)` spells in ASCII digits, or `NaN`. */
function readDigits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
