import { describe, expect, it } from "vitest";
import { Catalog } from "./catalog.js";

/** A tiny deterministic PRNG so a failure reproduces. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe("Catalog", () => {
  it("matches a reference model through inserts, updates, deletes, growth and compaction", () => {
    const catalog = new Catalog();
    const model: string[] = []; // ids in write order
    const random = prng(42);
    let now = 0;
    for (let step = 0; step < 20_000; step++) {
      now += Math.floor(random() * 3);
      const id = `p${Math.floor(random() * 3000)}`;
      const roll = random();
      if (roll < 0.7) {
        const index = model.indexOf(id);
        if (index >= 0) model.splice(index, 1);
        model.push(id);
        const { created } = catalog.upsert({ externalId: id, step }, now);
        expect(created).toBe(index < 0);
      } else if (roll < 0.9) {
        const index = model.indexOf(id);
        if (index >= 0) model.splice(index, 1);
        expect(catalog.delete(id)).toBe(index >= 0);
      } else if (roll < 0.9005) {
        catalog.clear();
        model.length = 0;
      }
      if (step % 997 === 0) {
        expect(catalog.size).toBe(model.length);
        expect(catalog.toArray().map((p) => p.dto.externalId)).toEqual(model);
        for (let k = 0; k < 20 && model.length > 0; k++) {
          const rank = Math.floor(random() * model.length);
          expect(catalog.at(rank)?.dto.externalId).toBe(model[rank]);
        }
      }
    }
    expect(catalog.at(-1)).toBeUndefined();
    expect(catalog.at(catalog.size)).toBeUndefined();
  });

  it("finds ranks by time and by write sequence, keeping updatedAt monotonic", () => {
    const catalog = new Catalog();
    catalog.upsert({ externalId: "a" }, 100);
    catalog.upsert({ externalId: "b" }, 200);
    catalog.upsert({ externalId: "c" }, 150); // clock stepped back
    expect(catalog.get("c")?.updatedAtMs).toBe(200);
    expect(catalog.rankAfterTime(99)).toBe(0);
    expect(catalog.rankAfterTime(100)).toBe(1);
    expect(catalog.rankAfterTime(200)).toBe(3);
    const bSeq = catalog.get("b")?.seq ?? 0;
    expect(catalog.rankAfterSeq(bSeq)).toBe(2);
    catalog.upsert({ externalId: "a" }, 300);
    expect(catalog.toArray().map((p) => p.dto.externalId)).toEqual(["b", "c", "a"]);
    expect(catalog.get("a")?.createdAtMs).toBe(100);
    expect(catalog.rankAfterSeq(bSeq)).toBe(1);
  });

  it("keeps a createdAt given on restore", () => {
    const catalog = new Catalog();
    catalog.upsert({ externalId: "a" }, 500, 10);
    expect(catalog.get("a")).toMatchObject({ createdAtMs: 10, updatedAtMs: 500 });
  });
});
