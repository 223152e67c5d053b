import { describe, expect, test } from "vitest";
import type { NeuroonProduct } from "../types.js";
import { groupFamilies, planBatches } from "./plan-batches.js";

function product(externalId: string, parentExternalId?: string): NeuroonProduct {
  return {
    externalId,
    name: externalId,
    price: 1,
    url: `https://shop.example/${externalId}`,
    ...(parentExternalId === undefined ? {} : { parentExternalId }),
  };
}

function family(parent: string, variants: number): NeuroonProduct[] {
  return [
    product(parent),
    ...Array.from({ length: variants }, (_, i) => product(`${parent}-v${i}`, parent)),
  ];
}

const ids = (batches: NeuroonProduct[][]) => batches.map((batch) => batch.map((p) => p.externalId));

describe("groupFamilies", () => {
  test("puts the parent first even when a variant arrives before it", () => {
    const families = groupFamilies([
      product("a-v1", "a"),
      product("b"),
      product("a"),
      product("a-v2", "a"),
    ]);
    expect(families.map((f) => f.map((p) => p.externalId))).toEqual([["a", "a-v1", "a-v2"], ["b"]]);
  });
});

describe("planBatches", () => {
  test("packs single products into batches of at most batchSize", () => {
    const products = Array.from({ length: 1_201 }, (_, i) => product(`p${i}`));
    const batches = planBatches(groupFamilies(products), 500);
    expect(batches.map((b) => b.length)).toEqual([500, 500, 201]);
  });

  test("never splits a family that fits, moving it whole to the next batch", () => {
    const batches = planBatches([family("a", 3), family("b", 3), family("c", 3)], 9);
    expect(ids(batches)).toEqual([
      ["a", "a-v0", "a-v1", "a-v2", "b", "b-v0", "b-v1", "b-v2"],
      ["c", "c-v0", "c-v1", "c-v2"],
    ]);
  });

  test("splits only a family larger than a batch, parent in its first batch", () => {
    const batches = planBatches([family("s", 0), family("big", 11), family("t", 0)], 5);
    expect(batches.map((b) => b.length)).toEqual([1, 5, 5, 3]);
    expect(batches[1]?.[0]?.externalId).toBe("big");
    expect(batches.flat().map((p) => p.externalId)).toEqual([
      "s",
      ...family("big", 11).map((p) => p.externalId),
      "t",
    ]);
  });

  test("refuses a batch size the API would refuse", () => {
    expect(() => planBatches([], 501)).toThrow(/1 to 500/);
    expect(() => planBatches([], 0)).toThrow(RangeError);
  });
});
