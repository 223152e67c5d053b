import { describe, expect, test } from "vitest";
import { contentHash, stableStringify } from "./stable-hash.js";

describe("stableStringify / contentHash", () => {
  test("ignores key order at every depth and undefined members", () => {
    const a = { name: "x", price: 1, attributes: { size: "M", color: "red" }, sku: undefined };
    const b = { attributes: { color: "red", size: "M" }, price: 1, name: "x" };
    expect(stableStringify(a)).toBe(stableStringify(b));
    expect(contentHash(a)).toBe(contentHash(b));
  });

  test("changes when any value changes, arrays keep their order", () => {
    const base = { name: "x", categories: ["a", "b"] };
    expect(contentHash(base)).not.toBe(contentHash({ ...base, name: "y" }));
    expect(contentHash(base)).not.toBe(contentHash({ ...base, categories: ["b", "a"] }));
  });

  test("matches JSON.stringify for already sorted input", () => {
    const value = { a: [1, "two", null, true], b: { c: 1.5 } };
    expect(stableStringify(value)).toBe(JSON.stringify(value));
  });
});
