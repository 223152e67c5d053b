import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { StoreError } from "../../src/errors.js";
import { openSqliteQueue, type SqliteChangeQueue } from "../../src/queue/sqlite-queue.js";
import { MemorySyncStateStore } from "../../src/state/memory-state-store.js";
import {
  ResetConfirmationError,
  SafetyValveError,
  SyncIncompleteError,
} from "../../src/sync/errors.js";
import { SyncEngine } from "../../src/sync/sync-engine.js";
import type { SyncEngineOptions, SyncEvent } from "../../src/sync/types.js";
import { apiError, FakeNeuroon } from "./fake-api.js";
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
    api.failNext.push(null, apiError(503, "Service Unavailable"));
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

describe("runWorker coalescing window (virtual time)", () => {
  // The worker's waits advance a virtual clock (engine and queue) and let the test enqueue what
  // "arrived" meanwhile; nothing depends on wall time.
  interface VirtualRun {
    controller: AbortController;
    worker: Promise<import("../../src/sync/types.js").SyncSummary>;
    /** Virtual ms since the start at which each sync request went out. */
    syncAt: number[];
    conversionAt: number[];
  }
  function runVirtual(options: {
    coalesce?: { quietMs?: number; maxWaitMs?: number };
    /** Called after every virtual wait with the virtual time; enqueue arrivals here. */
    arrive: (t: number, controller: AbortController) => Promise<void>;
    stopAt: number;
    queue?: import("../../src/queue/types.js").ChangeQueue;
    source?: import("../../src/sync/types.js").CatalogSource;
  }): VirtualRun {
    const start = clock;
    const controller = new AbortController();
    const syncAt: number[] = [];
    const conversionAt: number[] = [];
    const e = engine({
      ...(options.queue ? { queue: options.queue } : {}),
      ...(options.source ? { source: options.source } : {}),
      now: () => clock,
      sleep: async (ms, signal) => {
        if (signal?.aborted) return;
        clock += ms;
        const t = clock - start;
        if (t >= options.stopAt) controller.abort();
        else await options.arrive(t, controller);
        await new Promise((resolve) => setImmediate(resolve));
      },
      onEvent: (event) => {
        events.push(event);
        if (event.type === "batch-sent") syncAt.push(clock - start);
        if (event.type === "conversion") conversionAt.push(clock - start);
      },
    });
    const worker = e.runWorker({
      signal: controller.signal,
      idleMs: 1_000,
      ...(options.coalesce ? { coalesce: options.coalesce } : {}),
    });
    return { controller, worker, syncAt, conversionAt };
  }

  async function syncedCatalog(count: number): Promise<string[]> {
    const keys = Array.from({ length: count }, (_, i) => `p${i}`);
    for (const key of keys) store.put([makeProduct(key)]);
    await engine().fullSync();
    api.calls.length = 0;
    return keys;
  }

  /** A burst: one edit per virtual ms for `durationMs`, shuffled over `keys`. */
  function burst(keys: readonly string[], durationMs: number) {
    let seed = 7;
    const order = Array.from({ length: durationMs }, (_, k) => keys[k % keys.length] as string);
    for (let i = order.length - 1; i > 0; i -= 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const j = Math.floor((seed / 2 ** 31) * (i + 1));
      [order[i], order[j]] = [order[j] as string, order[i] as string];
    }
    const last = new Map<string, number>();
    let sent = 0;
    const arrive = async (t: number) => {
      const due = Math.min(order.length, Math.floor(t));
      const batch = [];
      for (; sent < due; sent += 1) {
        const key = order[sent] as string;
        store.put([makeProduct(key, { revision: sent + 1 })]);
        last.set(key, sent + 1);
        batch.push({ kind: "product" as const, key, origin: "webhook" });
      }
      if (batch.length > 0) await queue.enqueue(batch);
    };
    return { arrive, last };
  }

  test("a burst of 4,000 edits on 40 products while the worker runs goes out in ceil(40/500)+1 requests at most", async () => {
    const keys = await syncedCatalog(40);
    const { arrive, last } = burst(keys, 4_000);
    const run = runVirtual({ arrive, stopAt: 12_000 });
    const total = await run.worker;
    expect(api.count("sync")).toBeGreaterThanOrEqual(1);
    expect(api.count("sync")).toBeLessThanOrEqual(Math.ceil(40 / 500) + 1);
    // Every product's last edit reached Neuroon, once the burst was over (not during it).
    for (const [key, revision] of last) expect(api.catalog.get(key)?.price).toBe(10 + revision);
    expect(run.syncAt.every((t) => t >= 4_000)).toBe(true);
    expect(total.failed).toBe(0);
    expect(await queue.stats()).toMatchObject({ pending: 0, inFlight: 0 });
  });

  test("quietMs: 0 keeps draining at once: the same burst costs many requests", async () => {
    const keys = await syncedCatalog(40);
    const { arrive } = burst(keys, 4_000);
    const run = runVirtual({ arrive, stopAt: 12_000, coalesce: { quietMs: 0 } });
    await run.worker;
    expect(api.count("sync")).toBeGreaterThan(2);
  });

  test("a lone change goes out quietMs after the worker sees it", async () => {
    const keys = await syncedCatalog(3);
    store.put([makeProduct("p1", { revision: 1 })]);
    await queue.enqueue({ kind: "product", key: "p1" });
    let second = false;
    const run = runVirtual({
      coalesce: { quietMs: 400, maxWaitMs: 10_000 },
      stopAt: 10_000,
      arrive: async (t) => {
        if (!second && t >= 5_000) {
          second = true;
          store.put([makeProduct("p2", { revision: 1 })]);
          await queue.enqueue({ kind: "product", key: "p2" });
        }
      },
    });
    await run.worker;
    expect(keys).toHaveLength(3);
    expect(api.count("sync")).toBe(2);
    // Seen at 0, quiet 400 ms later; the second is enqueued at 5 000 and seen by the idle loop
    // (1 000 ms sleeps) at 5 400 at the latest, then waits its own 400 ms.
    expect(run.syncAt[0]).toBe(400);
    expect(run.syncAt[1]).toBeGreaterThanOrEqual(5_400);
    expect(run.syncAt[1]).toBeLessThanOrEqual(5_000 + 1_000 + 400);
  });

  test("maxWaitMs bounds a stream that is never quiet; conversions are not held back", async () => {
    // Pending count only (no lastEnqueuedAt): a new product every 100 ms keeps it growing.
    const plain = {
      enqueue: queue.enqueue.bind(queue),
      claim: queue.claim.bind(queue),
      ack: queue.ack.bind(queue),
      fail: queue.fail.bind(queue),
      listDeadLetters: queue.listDeadLetters.bind(queue),
      replayDeadLetters: queue.replayDeadLetters.bind(queue),
      stats: queue.stats.bind(queue),
      close: queue.close.bind(queue),
    };
    let next = 0;
    let conversionSent = false;
    const run = runVirtual({
      queue: plain,
      coalesce: { quietMs: 1_000, maxWaitMs: 5_000 },
      stopAt: 26_000,
      arrive: async (t) => {
        const due = Math.min(240, Math.floor(t / 100));
        for (; next < due; next += 1) {
          store.put([makeProduct(`s${next}`)]);
          await queue.enqueue({ kind: "product", key: `s${next}` });
        }
        if (!conversionSent && t >= 2_000) {
          conversionSent = true;
          await queue.enqueue({
            kind: "conversion",
            key: "ORD-9",
            payload: {
              orderId: "ORD-9",
              orderValue: 10,
              currency: "EUR",
              conversions: [{ productId: "s1", searchLogId: "log_9", quantity: 1, lineTotal: 10 }],
            },
          });
        }
      },
    });
    const total = await run.worker;
    // The stream starts at 100 ms (first seen at the end of the 1 000 ms idle sleep) and never
    // pauses for 1 s: drains come every maxWaitMs, not per change.
    expect(run.syncAt[0]).toBeGreaterThanOrEqual(1_000 + 5_000);
    expect(run.syncAt[0]).toBeLessThanOrEqual(1_000 + 5_000 + 250);
    for (let i = 1; i < run.syncAt.length; i += 1) {
      const gap = (run.syncAt[i] as number) - (run.syncAt[i - 1] as number);
      expect(gap).toBeGreaterThanOrEqual(5_000);
    }
    expect(api.catalog.size).toBe(240);
    // The conversion went out within one look at the queue, long before the products' drain.
    expect(total.conversions).toBe(1);
    expect(run.conversionAt[0]).toBeLessThanOrEqual(2_000 + 250);
    expect(run.conversionAt[0]).toBeLessThan(run.syncAt[0] as number);
  });

  test("changes that arrive while a drain runs wait for the next window, not the same drain", async () => {
    const keys = await syncedCatalog(40);
    let reads = 0;
    let revision = 0;
    // The burst goes on while the worker re-reads the store: each of the first 3 reads brings
    // another edit of every product.
    const source: import("../../src/sync/types.js").CatalogSource = {
      streamCatalog: () => store.streamCatalog(),
      readProducts: async (readKeys) => {
        const read = await store.readProducts(readKeys);
        if (reads < 3) {
          reads += 1;
          revision += 1;
          for (const key of keys) store.put([makeProduct(key, { revision })]);
          await queue.enqueue(keys.map((key) => ({ kind: "product" as const, key })));
        }
        return read;
      },
    };
    await queue.enqueue(keys.map((key) => ({ kind: "product" as const, key })));
    const run = runVirtual({
      source,
      coalesce: { quietMs: 1_000, maxWaitMs: 10_000 },
      stopAt: 20_000,
      arrive: async () => {},
    });
    await run.worker;
    // The first drain finds the products unchanged; each later one sends the edits that arrived
    // during the previous drain, a quiet window later (without the cap on the drain, all three
    // would go out inside the first drain, at the same virtual time).
    expect(run.syncAt).toHaveLength(3);
    for (let i = 1; i < run.syncAt.length; i += 1) {
      expect((run.syncAt[i] as number) - (run.syncAt[i - 1] as number)).toBeGreaterThanOrEqual(
        1_000,
      );
    }
    for (const key of keys) expect(api.catalog.get(key)?.price).toBe(10 + revision);
  });

  test("aborting during the window returns at once and leaves the changes pending, unleased", async () => {
    await syncedCatalog(2);
    store.put([makeProduct("p0", { revision: 1 })]);
    await queue.enqueue({ kind: "product", key: "p0" });
    const run = runVirtual({
      coalesce: { quietMs: 1_000, maxWaitMs: 10_000 },
      stopAt: 500,
      arrive: async () => {},
    });
    const total = await run.worker;
    expect(total.changes).toBe(0);
    expect(api.count("sync")).toBe(0);
    expect(await queue.stats()).toMatchObject({ pending: 1, inFlight: 0, delayed: 0 });
  });

  test("rejects a bad window", async () => {
    const controller = new AbortController();
    await expect(
      engine().runWorker({ signal: controller.signal, coalesce: { quietMs: -1 } }),
    ).rejects.toThrow(RangeError);
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
    const worker = engine().runWorker({
      signal: controller.signal,
      idleMs: 5,
      coalesce: { quietMs: 0 },
    });
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
      expect.objectContaining({ externalId: "never-synced", alreadyGone: true, wasSynced: false }),
    );
    expect(deleted).toContainEqual(
      expect.objectContaining({ externalId: "c", alreadyGone: false, wasSynced: true }),
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
    api.failNext.push(apiError(503, "Service Unavailable"));
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
    api.failNext.push(null, apiError(503, "down"));
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
    for (let i = 0; i < 3; i += 1) api.failNext.push(apiError(503, "down"));
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

describe("store errors, by brand", () => {
  test("a store's 429 while re-reading keeps its Retry-After: the change waits that long, not the backoff", async () => {
    store.put([makeProduct("p1")]);
    await queue.enqueue({ kind: "product", key: "p1" });
    store.outage = new StoreError("Store GET products failed: 429", {
      status: 429,
      retryAfterMs: 120_000,
    });
    const summary = await engine({ retry: { baseDelayMs: 10, maxAttempts: 3 } }).drain();
    expect(summary.failed).toBe(1);
    const retry = events.find((event) => event.type === "retry");
    expect(retry).toMatchObject({ key: "p1", delayMs: 120_000, outcome: "retrying" });
    store.outage = undefined;
    clock += 60_000;
    expect((await engine().drain()).changes).toBe(0);
    clock += 60_000;
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
