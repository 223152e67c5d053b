/**
 * Formats epoch milliseconds the way the backend serialises `LocalDateTime` in UTC: ISO 8601
 * without an offset (contract §1.2), e.g. `2026-05-06T10:15:00.123`.
 */
export function formatLocalDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, -1);
}

/** ISO 8601 with a `Z`, as the rate-limit filter writes its `timestamp` (an `Instant`). */
export function formatInstant(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses an ISO 8601 date or date-time. A value without an offset is read as UTC, matching the
 * backend, which stores UTC `LocalDateTime`s. Returns `null` when the text is not ISO 8601.
 */
export function parseIsoDateTime(text: string): number | null {
  const match = ISO_DATE_TIME.exec(text.trim());
  if (match === null) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone] = match;
  const millis = frac.padEnd(3, "0").slice(0, 3);
  const offset = zone === undefined || zone === "Z" ? "Z" : normaliseOffset(zone);
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}${offset}`);
  return Number.isNaN(ms) ? null : ms;
}

function normaliseOffset(zone: string): string {
  return zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}
