import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSqliteQueue } from "../queue/sqlite-queue.js";
import { runSyncStateStoreConformance } from "../testing/sync-state-store-conformance.js";
import { MemorySyncStateStore } from "./memory-state-store.js";
import { openSqliteStateStore } from "./sqlite-state-store.js";

runSyncStateStoreConformance("memory", async () => {
  // One map per shop, shared by every open() of the harness, like one database.
  const stores = new Map<string, MemorySyncStateStore>();
  return {
    isPersistent: false,
    open: async (shopId) => {
      let store = stores.get(shopId);
      if (store === undefined) {
        store = new MemorySyncStateStore({ shopId });
        stores.set(shopId, store);
      }
      return store;
    },
    cleanup: async () => {},
  };
});

runSyncStateStoreConformance("sqlite", async () => {
  const dir = await mkdtemp(join(tmpdir(), "neuroon-state-"));
  return {
    isPersistent: true,
    open: async (shopId) => openSqliteStateStore({ path: join(dir, "state.db"), shopId }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe("SqliteSyncStateStore", () => {
  it("shares a file with the change queue", async () => {
    const dir = await mkdtemp(join(tmpdir(), "neuroon-state-"));
    const path = join(dir, "neuroon.db");
    const queue = openSqliteQueue({ path });
    const state = openSqliteStateStore({ path, shopId: "shop-1" });
    try {
      await queue.enqueue({ kind: "product", key: "p1" });
      await state.put([{ externalId: "p1", contentHash: "h", syncedAt: 1, status: "synced" }]);
      expect(await queue.stats()).toMatchObject({ pending: 1 });
      expect(await state.count()).toBe(1);
    } finally {
      await queue.close();
      await state.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects an empty shop id", () => {
    expect(() => openSqliteStateStore({ path: ":memory:", shopId: "" })).toThrow(/shopId/);
    expect(() => new MemorySyncStateStore({ shopId: "" })).toThrow(/shopId/);
  });
});
