import type { FakeProduct } from "@neuroon/fake-woocommerce";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WooBridge } from "../../src/bridge/bridge.js";
import { type Harness, SHOP_ID, startHarness, waitFor } from "./harness.js";

// The worker's coalescing window end to end: a burst of webhooks on few products, delivered while
// the worker runs, goes out in full batches instead of one small batch per drain. Counts requests,
// never wall time (the window's own timing is tested with a virtual clock in core).
describe("WooCommerce bridge coalescing window", () => {
  let h: Harness;
  let bridge: WooBridge;

  beforeAll(async () => {
    h = await startHarness({ products: 40, seed: 5, orders: 0 });
    bridge = h.makeBridge({ coalesce: { quietMs: 1_000, maxWaitMs: 10_000 } });
    await bridge.start();
    await bridge.setup();
    await bridge.syncAll();
  });
  afterAll(async () => {
    await h?.close();
  });

  const syncRequests = () =>
    h.emu.requests.filter((r) => r.method === "POST" && r.path.endsWith("/products/sync"));

  it("a burst of 200 webhooks on 10 products costs at most ceil(10/500)+1 sync requests", async () => {
    const indexed = new Set(h.emu.snapshot(SHOP_ID).map((product) => product.externalId));
    const products = [...h.fake.store.products.values()]
      .filter((p) => p.type === "simple" && indexed.has(String(p.id)))
      .slice(0, 10) as FakeProduct[];
    expect(products).toHaveLength(10);
    const before = syncRequests().length;
    const last = new Map<string, string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 200) {
          const k = next++;
          const product = products[k % products.length] as FakeProduct;
          const name = `Burst edit ${k}`;
          h.fake.store.updateProduct(product.id, { name });
          last.set(String(product.id), name);
          const [delivery] = await h.fake.deliverWebhook("product.updated", product.id);
          expect(delivery?.responseStatus).toBe(200);
        }
      }),
    );
    await waitFor(
      () => {
        const remote = new Map(h.emu.snapshot(SHOP_ID).map((p) => [p.externalId, p.name]));
        return [...last].every(([id, name]) => remote.get(id) === name);
      },
      { what: "every product's last edit in Neuroon", timeoutMs: 30_000 },
    );
    expect(syncRequests().length - before).toBeLessThanOrEqual(Math.ceil(10 / 500) + 1);
    expect((await bridge.status()).queue).toMatchObject({ pending: 0, deadLetters: 0 });
  });
});
