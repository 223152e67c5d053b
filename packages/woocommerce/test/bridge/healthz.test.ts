import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { DATABASE_FILE_NAME } from "../../src/bridge/resources.js";
import { startHarness } from "./harness.js";

describe("/healthz", () => {
  it("answers 503 ok:false while webhooks cannot be queued, and 200 again once they can (issue 17 item 7)", async () => {
    const h = await startHarness({ products: 5, seed: 3, orders: 0 });
    try {
      const bridge = h.makeBridge();
      await bridge.start();
      await bridge.setup();
      const health = async () => {
        const response = await fetch(`${bridge.url}/healthz`);
        return {
          status: response.status,
          body: (await response.json()) as Record<string, unknown>,
        };
      };
      expect(await health()).toMatchObject({ status: 200, body: { ok: true, problems: [] } });

      // Another connection holds SQLite's write lock: every enqueue fails, as with a full or
      // read-only state directory (root ignores file modes, so a lock is the portable way).
      const blocker = new DatabaseSync(join(h.dataDir, DATABASE_FILE_NAME));
      blocker.exec("BEGIN IMMEDIATE");
      const product = [...h.fake.store.products.values()][0];
      if (!product) throw new Error("the fake catalog is empty");
      try {
        const [refused] = await h.fake.deliverWebhook("product.updated", product.id);
        expect(refused?.responseStatus).toBe(503);
        const unhealthy = await health();
        expect(unhealthy.status).toBe(503);
        expect(unhealthy.body).toMatchObject({
          ok: false,
          problems: [expect.stringMatching(/webhooks cannot be queued since .*BRIDGE_DATA_DIR/)],
        });
      } finally {
        blocker.exec("ROLLBACK");
        blocker.close();
      }

      const [accepted] = await h.fake.deliverWebhook("product.updated", product.id);
      expect(accepted?.responseStatus).toBe(200);
      expect(await health()).toMatchObject({ status: 200, body: { ok: true, problems: [] } });
    } finally {
      await h.close();
    }
  });
});
