import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { cleanLine, collapseWhitespace, dedupeStrings } from "./strings.js";

const WHITESPACE = [
  " ",
  "\t",
  "\n",
  "\r",
  "\v",
  "\f",
  "\u00a0",
  "\u1680",
  "\u2000",
  "\u200a",
  "\u2028",
  "\u2029",
  "\u202f",
  "\u205f",
  "\u3000",
  "\ufeff",
];

describe("collapseWhitespace", () => {
  test.each<[string, string]>([
    ["", ""],
    ["a", "a"],
    ["a b", "a b"],
    ["a  b", "a b"],
    [" a ", " a "],
    ["\n\t a \u00a0\u3000b\r\n", " a b "],
    ["   ", " "],
    ["a\u200bb", "a\u200bb"], // zero-width space is not whitespace
  ])("%j → %j", (input, expected) => {
    expect(collapseWhitespace(input)).toBe(expected);
  });

  test("returns the same string when nothing changes", () => {
    const text = "already clean text";
    expect(collapseWhitespace(text)).toBe(text);
  });

  test("property: same as replace(/\\s+/g, ' ') for every whitespace JavaScript knows", () => {
    const piece = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom(...WHITESPACE));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join("");
        expect(collapseWhitespace(text)).toBe(text.replace(/\s+/g, " "));
      }),
    );
  });
});

describe("cleanLine and dedupeStrings", () => {
  test("cleanLine trims and collapses", () => {
    expect(cleanLine("  a \n b  ")).toBe("a b");
  });

  test("dedupeStrings drops non-strings and blanks, keeps first spelling and order", () => {
    expect(dedupeStrings(["B", 1, null, " ", "a", "b", "A "])).toEqual(["B", "a"]);
  });

  test("property: dedupeStrings keeps the first spelling of each label, short lists or long", () => {
    const label = fc.constantFrom("Men", "men", " MEN ", "T-Shirts", "t-shirts", "Sale", " ", "x");
    const labels = fc.array(fc.oneof(label, fc.string({ maxLength: 3 })), { maxLength: 60 });
    fc.assert(
      fc.property(labels, (values) => {
        const seen = new Set<string>();
        const expected: string[] = [];
        for (const value of values) {
          const cleaned = cleanLine(value);
          if (cleaned === "" || seen.has(cleaned.toLowerCase())) continue;
          seen.add(cleaned.toLowerCase());
          expected.push(cleaned);
        }
        expect(dedupeStrings(values)).toEqual(expected);
      }),
    );
  });
});
