import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseDecimal } from "./decimal.js";

// The grammar `parseDecimal` reads by hand, as the regex it replaced, for reference.
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

function referenceDecimal(text: string): { units: bigint; scale: number } | undefined {
  const match = DECIMAL_RE.exec(text);
  if (match === null) return undefined;
  const [, sign = "", intPart = "", fracPart = "", expPart] = match;
  if (intPart.length === 0 && fracPart.length === 0) return undefined;
  let scale = fracPart.length - (expPart === undefined ? 0 : Number(expPart));
  let units = BigInt(`${intPart}${fracPart}` || "0");
  if (scale < 0) {
    if (scale < -400) return undefined;
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  if (scale > 40) {
    units /= 10n ** BigInt(scale - 40);
    scale = 40;
  }
  return { units: sign === "-" ? -units : units, scale };
}

describe("parseDecimal", () => {
  test.each<[string, bigint, number]>([
    ["19.99", 1999n, 2],
    ["21.0000", 210000n, 4],
    ["-0.5", -5n, 1],
    ["+7", 7n, 0],
    [".5", 5n, 1],
    ["5.", 5n, 0],
    ["1e3", 1000n, 0],
    ["1.5E-2", 15n, 3],
    ["1234567890123456789.5", 12345678901234567895n, 1],
  ])("%s", (text, units, scale) => {
    expect(parseDecimal(text)).toEqual({ units, scale });
  });

  test.each(["", ".", "-", "e5", "1e", "1e12345", "1.2.3", " 1", "1,5", "١"])(
    "refuses %j",
    (text) => {
      expect(parseDecimal(text)).toBeUndefined();
    },
  );

  test("property: reads what the decimal pattern matches, exactly", () => {
    const text = fc
      .array(fc.constantFrom("0", "1", "9", "5", ".", "e", "E", "-", "+", "12345678", "x"), {
        maxLength: 14,
      })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(text, (value) => {
        expect(parseDecimal(value)).toEqual(referenceDecimal(value));
      }),
      { numRuns: 3000 },
    );
  });
});
