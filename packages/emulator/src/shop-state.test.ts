import { describe, expect, it } from "vitest";
import { ShopState } from "./shop-state.js";

function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const SPEC = {
  shopId: "shop_test0001",
  apiKey: "sk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  url: "https://t.example",
};

describe("ShopState with indexing latency", () => {
  it("counts products and converges to the latest writes (randomised against a model)", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = prng(seed);
      const shop = new ShopState(SPEC);
      const latest = new Map<string, number>(); // id → version of the last write (write model)
      let now = 0;
      for (let step = 0; step < 3000; step++) {
        const id = `p${Math.floor(random() * 40)}`;
        const roll = random();
        if (roll < 0.6) {
          const version = step;
          const delay = random() < 0.2 ? 0 : Math.floor(random() * 50);
          shop.write({ externalId: id, version }, now, now + delay);
          latest.set(id, version);
        } else if (roll < 0.8) {
          expect(shop.deleteProduct(id)).toBe(latest.has(id));
          latest.delete(id);
        } else if (roll < 0.81) {
          shop.wipeProducts();
          latest.clear();
        } else {
          now += Math.floor(random() * 30);
          shop.flush(now);
        }
        expect(shop.productsCount).toBe(latest.size);
        expect(shop.hasProduct(id)).toBe(latest.has(id));
        // Visible versions never run ahead of the write model.
        const visible = shop.catalog.get(id);
        if (visible !== undefined)
          expect(visible.dto.version as number).toBeLessThanOrEqual(latest.get(id) ?? -1);
      }
      now += 1000;
      shop.flush(now);
      const visible = new Map(shop.catalog.toArray().map((p) => [p.dto.externalId, p.dto.version]));
      expect(visible).toEqual(latest);
      expect(shop.pendingProducts()).toEqual([]);
    }
  });
});
