import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SyncStateRecord, SyncStateStore } from "../state/types.js";

/** One storage location the battery opens stores on; every test gets a fresh one. */
export interface SyncStateStoreHarness {
  /** Opens a store for `shopId` on this harness's storage; stores of different shops share it. */
  open(shopId: string): Promise<SyncStateStore>;
  /** Whether a store reopened on the same storage sees what an earlier one wrote (false for in-memory stores: the reopen test is skipped). */
  isPersistent: boolean;
  /** Deletes the storage. Stores the battery opened are already closed. */
  cleanup(): Promise<void>;
}

/**
 * The conformance battery every {@link SyncStateStore} backend runs (house style rule 23): every
 * field round-trips, absent fields stay absent, `put` is all or nothing, results are copies,
 * lookups and deletes of thousands of ids, `iterateIds` in byte order a page at a time (also while
 * the caller deletes), shops kept apart, `variantsOf` when present, metadata, and persistence.
 *
 * Call it at the top level of a vitest test file (it registers a `describe` block); it needs
 * `vitest`, an optional peer dependency of `@neuroon/core`.
 *
 * @example
 * ```ts
 * // my-state-store.test.ts
 * import { runSyncStateStoreConformance } from "@neuroon/core/testing";
 * import { openMyStateStore } from "./my-state-store.js";
 *
 * runSyncStateStoreConformance("my backend", async () => {
 *   const database = await createScratchDatabase();
 *   return {
 *     isPersistent: true,
 *     open: async (shopId) => openMyStateStore({ database, shopId }),
 *     cleanup: () => database.drop(),
 *   };
 * });
 * ```
 */
export function runSyncStateStoreConformance(
  name: string,
  factory: () => Promise<SyncStateStoreHarness>,
): void {
  describe(`SyncStateStore conformance: ${name}`, () => {
    let harness: SyncStateStoreHarness;
    let opened: SyncStateStore[];
    let store: SyncStateStore;

    const open = async (shopId: string): Promise<SyncStateStore> => {
      const instance = await harness.open(shopId);
      opened.push(instance);
      return instance;
    };
    const record = (
      externalId: string,
      overrides: Partial<SyncStateRecord> = {},
    ): SyncStateRecord => ({
      externalId,
      contentHash: `hash-${externalId}`,
      syncedAt: 1_750_000_000_000,
      status: "synced",
      ...overrides,
    });

    beforeEach(async () => {
      opened = [];
      harness = await factory();
      store = await open("shop-1");
    });

    afterEach(async () => {
      for (const instance of opened) await instance.close();
      await harness.cleanup();
    });

    it("stores and returns every field of a record", async () => {
      const full: SyncStateRecord = {
        externalId: "v1",
        contentHash: "sha256:abc",
        snapshot: {
          name: "Mug – blue",
          price: 12.5,
          salePrice: 9.99,
          description: "Stoneware",
          sku: "MUG-B",
          stockQuantity: 0,
          inStock: false,
          stockStatus: "outofstock",
        },
        syncedAt: 1_750_000_123_456,
        parentExternalId: "p1",
        status: "rejected",
        reason: "422 price must be >= 0",
      };
      await store.put([full, record("p1")]);
      const found = await store.get(["v1", "p1", "missing"]);
      expect(found.get("v1")).toEqual(full);
      expect(found.get("p1")).toEqual(record("p1"));
      expect(found.has("missing")).toBe(false);
      expect(found.size).toBe(2);
      expect(store.shopId).toBe("shop-1");
    });

    it("leaves absent optional fields absent", async () => {
      await store.put([record("p1")]);
      const found = (await store.get(["p1"])).get("p1");
      expect(Object.keys(found ?? {}).sort()).toEqual([
        "contentHash",
        "externalId",
        "status",
        "syncedAt",
      ]);
    });

    it("replaces a record on put", async () => {
      await store.put([record("p1", { status: "failed", reason: "503" })]);
      await store.put([record("p1", { contentHash: "new" })]);
      expect((await store.get(["p1"])).get("p1")).toEqual(record("p1", { contentHash: "new" }));
      expect(await store.count()).toBe(1);
    });

    it("writes a batch all or nothing", async () => {
      await expect(
        store.put([record("p1"), record("p2", { status: "unknown" as never })]),
      ).rejects.toThrow(/status/);
      await expect(store.put([record("")])).rejects.toThrow(/externalId/);
      expect(await store.count()).toBe(0);
    });

    it("returns copies, so mutating a result does not change the store", async () => {
      const input = record("p1", { snapshot: { name: "Mug", price: 10 } });
      await store.put([input]);
      if (input.snapshot) input.snapshot.price = 99;
      const first = (await store.get(["p1"])).get("p1");
      if (first?.snapshot) first.snapshot.price = 42;
      expect((await store.get(["p1"])).get("p1")?.snapshot).toEqual({ name: "Mug", price: 10 });
    });

    it("deletes records and reports how many existed", async () => {
      await store.put([record("p1"), record("p2"), record("p3")]);
      expect(await store.delete(["p1", "p3", "missing", "p1"])).toBe(2);
      expect([...(await store.get(["p1", "p2", "p3"])).keys()]).toEqual(["p2"]);
      expect(await store.count()).toBe(1);
      expect(await store.delete([])).toBe(0);
    });

    it("looks up and deletes thousands of ids at once", async () => {
      const ids = Array.from({ length: 2_500 }, (_, i) => `p${i}`);
      await store.put(ids.map((id) => record(id)));
      expect((await store.get([...ids, "missing"])).size).toBe(2_500);
      expect(await store.delete(ids.slice(0, 2_000))).toBe(2_000);
      expect(await store.count()).toBe(500);
    });

    it("streams every id once, in ascending order, a batch at a time", async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `p${String(i).padStart(2, "0")}`);
      await store.put([...ids].reverse().map((id) => record(id)));
      const seen: string[] = [];
      for await (const id of store.iterateIds({ batchSize: 4 })) seen.push(id);
      expect(seen).toEqual(ids);
      const all: string[] = [];
      for await (const id of store.iterateIds()) all.push(id);
      expect(all).toEqual(ids);
    });

    it("keeps iterating correctly while the caller deletes what it saw", async () => {
      const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
      await store.put(ids.map((id) => record(id)));
      const seen: string[] = [];
      for await (const id of store.iterateIds({ batchSize: 3 })) {
        seen.push(id);
        await store.delete([id]);
      }
      expect(seen).toEqual(ids);
      expect(await store.count()).toBe(0);
    });

    it("iterates nothing for an empty store and rejects a bad batch size", async () => {
      for await (const id of store.iterateIds()) throw new Error(`unexpected ${id}`);
      await expect(async () => {
        for await (const _ of store.iterateIds({ batchSize: 0 })) break;
      }).rejects.toThrow(/batchSize/);
    });

    it("keeps shops apart", async () => {
      const other = await open("shop-2");
      await store.put([record("p1", { contentHash: "one" })]);
      await other.put([record("p1", { contentHash: "two" }), record("p2")]);
      await store.setMeta("cursor", "a");
      expect((await store.get(["p1"])).get("p1")?.contentHash).toBe("one");
      expect(await store.count()).toBe(1);
      expect(await other.count()).toBe(2);
      expect(await other.getMeta("cursor")).toBeUndefined();
      expect(await other.delete(["p1"])).toBe(1);
      expect(await store.count()).toBe(1);
      const ids: string[] = [];
      for await (const id of other.iterateIds()) ids.push(id);
      expect(ids).toEqual(["p2"]);
    });

    it("finds the variants of parents", async (context) => {
      if (store.variantsOf === undefined) {
        context.skip();
        return;
      }
      await store.put([
        record("p1"),
        record("p1-b", { parentExternalId: "p1" }),
        record("p1-a", { parentExternalId: "p1" }),
        record("p2-a", { parentExternalId: "p2" }),
        record("p3-a", { parentExternalId: "p3" }),
      ]);
      expect(await store.variantsOf(["p1", "p2", "p1", "nope"])).toEqual(["p1-a", "p1-b", "p2-a"]);
      expect(await store.variantsOf([])).toEqual([]);
      await store.put([record("p1-a")]);
      expect(await store.variantsOf(["p1"])).toEqual(["p1-b"]);
      const other = await open("shop-2");
      expect(await other.variantsOf?.(["p1"])).toEqual([]);
    });

    it("stores run metadata as JSON and removes it on undefined", async () => {
      expect(await store.getMeta("lastReconcileAt")).toBeUndefined();
      await store.setMeta("lastReconcileAt", 1_750_000_000_000);
      await store.setMeta("fullSyncCursor", {
        page: 12,
        after: "p99",
        startedAt: "2026-11-23T12:00:00Z",
      });
      expect(await store.getMeta<number>("lastReconcileAt")).toBe(1_750_000_000_000);
      expect(await store.getMeta("fullSyncCursor")).toEqual({
        page: 12,
        after: "p99",
        startedAt: "2026-11-23T12:00:00Z",
      });
      await store.setMeta("fullSyncCursor", null);
      expect(await store.getMeta("fullSyncCursor")).toBeNull();
      await store.setMeta("fullSyncCursor", undefined);
      expect(await store.getMeta("fullSyncCursor")).toBeUndefined();
    });

    it("keeps records and metadata across close and reopen", async (context) => {
      if (!harness.isPersistent) {
        context.skip();
        return;
      }
      await store.put([record("p1", { snapshot: { price: 3 } })]);
      await store.setMeta("lastReconcileAt", 5);
      await store.close();
      const reopened = await open("shop-1");
      expect((await reopened.get(["p1"])).get("p1")).toEqual(
        record("p1", { snapshot: { price: 3 } }),
      );
      expect(await reopened.getMeta("lastReconcileAt")).toBe(5);
    });
  });
}
