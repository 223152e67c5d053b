import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { toEpochMs } from "./dates.js";
import { MappingError } from "./errors.js";

describe("toEpochMs", () => {
  test.each<[string, number]>([
    ["2026-11-01T00:00:00", Date.UTC(2026, 10, 1)],
    ["2026-12-01T23:59:59", Date.UTC(2026, 11, 1, 23, 59, 59)],
    ["2024-02-29T12:30", Date.UTC(2024, 1, 29, 12, 30)],
    [" 2026-11-01T00:00:00 ", Date.UTC(2026, 10, 1)],
    ["2026-11-01T00:00:00.250", Date.UTC(2026, 10, 1, 0, 0, 0, 250)],
    ["2026-11-01T00:00:00+02:00", Date.UTC(2026, 9, 31, 22)],
    ["0050-01-01T00:00:00", Date.parse("0050-01-01T00:00:00Z")],
  ])("%j is read as UTC", (text, expected) => {
    expect(toEpochMs(text, "at")).toBe(expected);
  });

  test("property: WooCommerce-shaped dates, valid or not, read as Date.parse reads them with a Z", () => {
    const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, "0"));
    const year = fc
      .oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1900, 2000, 2024, 2100))
      .map((n) => String(n).padStart(4, "0"));
    const date = fc
      .tuple(year, two, two, two, two, fc.option(two))
      .map(([y, mo, d, h, mi, s]) => `${y}-${mo}-${d}T${h}:${mi}${s === null ? "" : `:${s}`}`);
    fc.assert(
      fc.property(date, (text) => {
        const expected = Date.parse(`${text}Z`);
        if (Number.isNaN(expected)) expect(() => toEpochMs(text, "at")).toThrow(MappingError);
        else expect(toEpochMs(text, "at")).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
