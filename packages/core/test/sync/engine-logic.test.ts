import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { openSqliteQueue, type SqliteChangeQueue } from "../../src/queue/sqlite-queue.js";
import { MemorySyncStateStore } from "../../src/state/memory-state-store.js";
import {
  ResetConfirmationError,
  SafetyValveError,
  SyncIncompleteError,
} from "../../src/sync/errors.js";
import { SyncEngine } from "../../src/sync/sync-engine.js";
import type { SyncEngineOptions, SyncEvent } from "../../src/sync/types.js";
import { FakeApiError, FakeNeuroon } from "./fake-api.js";
import { FakeStore, makeFamily, makeProduct } from "./fake-store.js";

// Engine logic against an in-process fake API: fast, exact call counts. The same behaviours run
// against the emulator over real HTTP in engine-emulator.test.ts.

let api: FakeNeuroon;
let queue: SqliteChangeQueue;
let state: MemorySyncStateStore;
let store: FakeStore;
let events: SyncEvent[];
let clock: number;

function engine(options: Partial<SyncEngineOptions> = {}): SyncEngine {
  return new SyncEngine({
    client: api,
    queue,
    state,
    source: store,
    shopId: "shop_test0001",
    retry: { baseDelayMs: 0, maxAttempts: 3 },
    onEvent: (event) => events.push(event),
    now: () => api.nowMs,
    ...options,
  });
}

beforeEach(() => {
  api = new FakeNeuroon();
  clock = Date.parse("2026-01-01T00:00:00Z");
  queue = openSqliteQueue({ path: ":memory:", now: () => clock });
  state = new MemorySyncStateStore({ shopId: "shop_test0001" });
  store = new FakeStore({ pageSize: 7 });
  events = [];
});

afterEach(async () => {
  await queue.close();
});

describe("fullSync", () => {
  test("batches at most batchSize, families whole and parent first, then sends nothing when unchanged", async () => {
    for (let i = 0; i < 5; i += 1) store.put(makeFamily(`f${i}`, 3));
    for (let i = 0; i < 6; i += 1) store.put([makeProduct(`s${i}`)]);
    const first = await engine({ batchSize: 10 }).fullSync();
    expect(first.sent).toBe(26);
    const syncs = api.calls.filter((c) => c.method === "sync");
    expect(syncs.every((c) => (c.size ?? 0) <= 10)).toBe(true);
    expect(syncs.length).toBe(3);
    for (const call of syncs) {
      const ids = call.ids ?? [];
      for (const [index, id] of ids.entries()) {
        const family = id.replace(/-v\d+$/, "");
        if (family !== id) expect(ids.indexOf(family)).toBeGreaterThanOrEqual(0);
        if (family !== id) expect(ids.indexOf(family)).toBeLessThan(index);
      }
    }
    expect(api.catalog.size).toBe(26);

    api.calls.length = 0;
    const second = await engine({ batchSize: 10 }).fullSync();
    expect(second).toMatchObject({ sent: 0, unchanged: 26, syncRequests: 0, requests: 0 });
  });

  test("stops with SyncIncompleteError when Neuroon fails, and the rerun resends nothing already confirmed", async () => {
    for (let i = 0; i < 30; i += 1) store.put([makeProduct(`p${i}`)]);
    api.failNext.push(null, new FakeApiError("ServerError", 503, "503 Service Unavailable"));
    const error = await engine({ batchSize: 10 })
      .fullSync()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncIncompleteError);
    expect((error as SyncIncompleteError).summary).toMatchObject({ sent: 10 });
    expect((error as Error).message).toMatch(/503/);
    api.calls.length = 0;
    const rerun = await engine({ batchSize: 10 }).fullSync();
    expect(rerun).toMatchObject({ sent: 20, unchanged: 10, syncRequests: 2 });
  });

  test("sends only what changed since the last pass", async () => {
    for (let i = 0; i < 20; i += 1) store.put([makeProduct(`p${i}`)]);
    await engine().fullSync();
    store.put([makeProduct("p3", { revision: 1 })]);
    store.put([makeProduct("p9", { revision: 1 })]);
    api.calls.length = 0;
    const summary = await engine().fullSync();
    expect(summary).toMatchObject({ sent: 2, unchanged: 18, syncRequests: 1 });
    expect(api.catalog.get("p3")?.price).toBe(11);
  });
});

describe("drain", () => {
  test("coalesces a burst: 10,000 events on 1,000 products go out in ceil(1000/500) requests", async () => {
    for (let i = 0; i < 1_000; i += 1) store.put([makeProduct(`p${i}`)]);
    const burst = Array.from({ length: 10_000 }, (_, i) => ({
      kind: "product" as const,
      key: `p${i % 1_000}`,
    }));
    await queue.enqueue(burst);
    const summary = await engine().drain();
    expect(summary.changes).toBe(1_000);
    expect(summary.sent).toBe(1_000);
    expect(api.count("sync")).toBe(2);
    expect((await queue.stats()).pending).toBe(0);
  });

  test("runWorker drains as changes arrive until aborted", async () => {
    for (let i = 0; i < 3; i += 1) store.put([makeProduct(`p${i}`)]);
    const controller = new AbortController();
    const worker = engine().runWorker({ signal: controller.signal, idleMs: 5 });
    await queue.enqueue({ kind: "product", key: "p0" });
    await vi.waitFor(() => expect(api.catalog.has("p0")).toBe(true));
    await queue.enqueue([
      { kind: "product", key: "p1" },
      { kind: "product", key: "p2" },
    ]);
    await vi.waitFor(() => expect(api.catalog.size).toBe(3));
    controller.abort();
    const total = await worker;
    expect(total).toMatchObject({ sent: 3, changes: 3 });
  });

  test("uses a feed's full product payload instead of re-reading the store", async () => {
    await queue.enqueue({ kind: "product", key: "feed-1", payload: makeProduct("feed-1") });
    const summary = await engine().drain();
    expect(summary.sent).toBe(1);
    expect(store.readCalls).toBe(0);
    expect(api.catalog.has("feed-1")).toBe(true);
  });

  test("deletes on delete changes, for keys the store lost, and variants gone from their parent", async () => {
    store.put(makeFamily("a", 2));
    store.put([makeProduct("b")]);
    store.put([makeProduct("c")]);
    await engine().fullSync();
    store.put(makeFamily("a", 1));
    store.remove("b");
    await queue.enqueue([
      { kind: "product", key: "a" },
      { kind: "product", key: "b" },
      { kind: "delete", key: "c" },
      { kind: "delete", key: "never-synced" },
    ]);
    const summary = await engine().drain();
    expect([...api.catalog.keys()].sort()).toEqual(["a", "a-v0"]);
    expect(summary.deleted).toBe(4);
    const deleted = events.filter((e) => e.type === "deleted");
    expect(deleted).toContainEqual(
      expect.objectContaining({ externalId: "a-v1", reason: "variant-removed" }),
    );
    expect(deleted).toContainEqual(
      expect.objectContaining({ externalId: "never-synced", alreadyGone: true }),
    );
    expect(await state.get(["a-v1", "b", "c"])).toEqual(new Map());
  });

  test("tracks conversions and dead-letters a malformed one", async () => {
    await queue.enqueue([
      {
        kind: "conversion",
        key: "ORD-1",
        payload: {
          orderId: "ORD-1",
          orderValue: 10,
          currency: "EUR",
          conversions: [{ productId: "p1", searchLogId: "log_1", quantity: 1, lineTotal: 10 }],
        },
      },
      { kind: "conversion", key: "ORD-2", payload: { nope: true } },
    ]);
    const summary = await engine().drain();
    expect(summary.conversions).toBe(1);
    expect(api.conversionsTracked.map((c) => c.orderId)).toEqual(["ORD-1"]);
    const dead = await queue.listDeadLetters();
    expect(dead.map((d) => d.key)).toEqual(["ORD-2"]);
    expect(dead[0]?.reason).toMatch(/TrackConversionRequest/);
  });

  test("an outage puts changes back with backoff, dead-letters after the last attempt, and loses none", async () => {
    for (let i = 0; i < 10; i += 1) store.put([makeProduct(`p${i}`)]);
    await queue.enqueue(
      Array.from({ length: 10 }, (_, i) => ({ kind: "product" as const, key: `p${i}` })),
    );
    api.failNext.push(new FakeApiError("ServerError", 503, "503 Service Unavailable"));
    const failed = await engine({ retry: { baseDelayMs: 1_000, maxAttempts: 5 } }).drain();
    expect(failed).toMatchObject({ sent: 0, failed: 10 });
    expect((await queue.stats()).delayed).toBe(10);
    clock += 60_000;
    const later = await engine().drain();
    expect(later.sent).toBe(10);
    expect(api.catalog.size).toBe(10);
    expect(await queue.stats()).toMatchObject({
      pending: 0,
      delayed: 0,
      inFlight: 0,
      deadLetters: 0,
    });
  });

  test("a change is not acked when only part of its family got through", async () => {
    store.put(makeFamily("big", 7));
    await queue.enqueue({ kind: "product", key: "big" });
    api.failNext.push(null, new FakeApiError("ServerError", 503, "503 down"));
    const first = await engine({ batchSize: 5 }).drain();
    expect(first).toMatchObject({ sent: 5, failed: 1 });
    expect(await queue.stats()).toMatchObject({ pending: 1, inFlight: 0 });
    const second = await engine({ batchSize: 5 }).drain();
    expect(second).toMatchObject({ sent: 3, unchanged: 5 });
    expect(api.catalog.size).toBe(8);
  });

  test("a change that keeps failing becomes a dead letter with the reason", async () => {
    store.put([makeProduct("p1")]);
    await queue.enqueue({ kind: "product", key: "p1" });
    for (let i = 0; i < 3; i += 1)
      api.failNext.push(new FakeApiError("ServerError", 503, "503 down"));
    for (let i = 0; i < 3; i += 1) await engine().drain();
    const dead = await queue.listDeadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reason).toMatch(/503/);
    expect(await queue.replayDeadLetters()).toBe(1);
    await engine().drain();
    expect(api.catalog.has("p1")).toBe(true);
  });

  test("a store outage during re-read retries the changes later", async () => {
    store.put([makeProduct("p1")]);
    await queue.enqueue({ kind: "product", key: "p1" });
    store.outage = new Error("ECONNREFUSED store");
    const summary = await engine({ retry: { baseDelayMs: 10, maxAttempts: 3 } }).drain();
    expect(summary.failed).toBe(1);
    store.outage = undefined;
    clock += 1_000;
    expect((await engine().drain()).sent).toBe(1);
  });
});

describe("a 400 for a batch", () => {
  test("is split until the offender is isolated; the rest is synced and the offender rejected with the reason", async () => {
    for (let i = 0; i < 16; i += 1) store.put([makeProduct(`p${i}`)]);
    api.invalid.add("p11");
    const summary = await engine().fullSync();
    expect(summary.sent).toBe(15);
    expect(summary.rejected).toBe(1);
    expect(api.catalog.has("p11")).toBe(false);
    expect(api.catalog.size).toBe(15);
    expect(api.count("sync")).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(16)));
    const record = (await state.get(["p11"])).get("p11");
    expect(record).toMatchObject({ status: "rejected", reason: expect.stringMatching(/price/) });
    expect(events).toContainEqual(
      expect.objectContaining({ type: "rejected", externalId: "p11", by: "server" }),
    );
    // Unchanged rejected products are not resent on the next pass.
    api.calls.length = 0;
    expect((await engine().fullSync()).syncRequests).toBe(0);
  });
});

describe("drift", () => {
  async function syncThenEdit() {
    store.put([makeProduct("p1")]);
    store.put([makeProduct("p2")]);
    await engine().fullSync();
    api.edit("p1", { price: 7.5 });
    store.put([makeProduct("p1", { revision: 1 })]);
    store.put([makeProduct("p2", { revision: 1 })]);
    api.calls.length = 0;
  }

  test("keep-remote skips a product edited in Neuroon and reports the conflict", async () => {
    await syncThenEdit();
    const summary = await engine({ drift: { policy: "keep-remote" } }).fullSync();
    expect(summary).toMatchObject({ sent: 1, conflicts: 1 });
    expect(api.catalog.get("p1")?.price).toBe(7.5);
    expect(api.catalog.get("p2")?.price).toBe(11);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "conflict",
        externalId: "p1",
        fields: ["price"],
        resolution: "kept-remote",
      }),
    );
    // One bulk list call, not one GET per product.
    expect(api.count("list")).toBe(1);
    // State keeps the last synced snapshot: the conflict stands until someone resolves it.
    expect((await state.get(["p1"])).get("p1")?.snapshot?.price).toBe(10);
    expect((await engine().fullSync()).conflicts).toBe(1);
  });

  test("an edit seen by an earlier scan is remembered until the product changes locally", async () => {
    for (let i = 0; i < 250; i += 1) store.put([makeProduct(`p${i}`)]);
    await engine().fullSync();
    api.edit("p1", { name: "Renamed in the dashboard" });
    store.put([makeProduct("p2", { revision: 1 })]);
    expect(await engine({ drift: { clockSkewMs: 0 } }).fullSync()).toMatchObject({
      sent: 1,
      conflicts: 0,
    });
    // p1 changes locally only now; the scan since the last one does not list it again.
    store.put([makeProduct("p1", { revision: 1 })]);
    api.calls.length = 0;
    const summary = await engine({ drift: { clockSkewMs: 0 } }).fullSync();
    expect(summary).toMatchObject({ sent: 0, conflicts: 1 });
    expect(api.count("list")).toBe(1);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "conflict", externalId: "p1", fields: ["name"] }),
    );
  });

  test("overwrite sends it anyway and still reports it", async () => {
    await syncThenEdit();
    const summary = await engine({ drift: { policy: "overwrite" } }).fullSync();
    expect(summary).toMatchObject({ sent: 2, conflicts: 1 });
    expect(api.catalog.get("p1")?.price).toBe(11);
    expect(events).toContainEqual(
      expect.objectContaining({ type: "conflict", resolution: "overwritten" }),
    );
  });
});

describe("reconcile", () => {
  beforeEach(async () => {
    for (let i = 0; i < 30; i += 1) store.put([makeProduct(`p${i}`)]);
    await engine().fullSync();
  });

  test("deletes what the store no longer has", async () => {
    store.remove("p4");
    store.remove("p5");
    const summary = await engine().reconcile();
    expect(summary.deleted).toBe(2);
    expect(api.catalog.has("p4") || api.catalog.has("p5")).toBe(false);
    expect(api.catalog.size).toBe(28);
  });

  test("falls back to page/size when the server has no cursor pagination", async () => {
    api.cursorSupported = false;
    store.remove("p4");
    expect((await engine().reconcile()).deleted).toBe(1);
    expect(api.count("list")).toBeGreaterThan(0);
  });

  test("the safety valve refuses to wipe the index for an empty source, unless forced", async () => {
    store.families.clear();
    const error = await engine()
      .reconcile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyValveError);
    expect((error as SafetyValveError).details).toEqual({
      wouldDelete: 30,
      remoteTotal: 30,
      sourceTotal: 0,
      maxDeleteRatio: 0.1,
    });
    expect((error as Error).message).toMatch(/force: true/);
    expect(api.count("delete")).toBe(0);
    expect(api.catalog.size).toBe(30);
    expect((await engine().reconcile({ force: true })).deleted).toBe(30);
  });

  test("a store that lists nothing but still has the products deletes nothing", async () => {
    store.listsNothing = true;
    expect((await engine().reconcile({ force: true })).deleted).toBe(0);
    expect(api.catalog.size).toBe(30);
  });
});

describe("FULL", () => {
  test("no drain, fullSync or reconcile sends FULL, whatever options are passed", async () => {
    for (let i = 0; i < 5; i += 1) store.put([makeProduct(`p${i}`)]);
    await queue.enqueue({ kind: "product", key: "p0" });
    const sneaky = { syncType: "FULL", full: true, force: true } as never;
    const e = engine({ ...(sneaky as object) } as Partial<SyncEngineOptions>);
    await e.drain(sneaky);
    await e.fullSync(sneaky);
    store.remove("p1");
    await e.reconcile(sneaky);
    expect(api.count("sync")).toBeGreaterThan(0);
    expect(api.count("sync", "FULL")).toBe(0);
  });

  test("resetCatalog sends FULL only with the shop id as confirmation", async () => {
    for (let i = 0; i < 5; i += 1) store.put([makeProduct(`p${i}`)]);
    await expect(engine().resetCatalog({ confirm: "yes" })).rejects.toBeInstanceOf(
      ResetConfirmationError,
    );
    expect(api.count("sync")).toBe(0);
    const summary = await engine().resetCatalog({ confirm: "shop_test0001" });
    expect(summary.sent).toBe(5);
    expect(api.count("sync", "FULL")).toBe(1);
    api.calls.length = 0;
    expect((await engine().fullSync()).syncRequests).toBe(0);
  });
});
