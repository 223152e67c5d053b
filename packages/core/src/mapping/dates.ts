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
    ms = Date.parse(ISO_WITHOUT_OFFSET_RE.test(text) ? `${text}Z` : text);
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
