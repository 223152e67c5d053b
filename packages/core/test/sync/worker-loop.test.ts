import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { openSqliteQueue, type SqliteChangeQueue } from "../../src/queue/sqlite-queue.js";
import { MemorySyncStateStore } from "../../src/state/memory-state-store.js";
import { SyncEngine } from "../../src/sync/sync-engine.js";
import type { SyncSummary } from "../../src/sync/types.js";
import { type DrainRequest, drainCoalesced, runWorkerLoop } from "../../src/sync/worker-loop.js";
import { FakeNeuroon } from "./fake-api.js";
import { FakeStore, makeProduct } from "./fake-store.js";

// The one worker loop, driving a real engine over a real SQLite queue on real time (short windows).

let api: FakeNeuroon;
let queue: SqliteChangeQueue;
let engine: SyncEngine;
let store: FakeStore;

beforeEach(() => {
  api = new FakeNeuroon();
  queue = openSqliteQueue({ path: ":memory:" });
  store = new FakeStore({ pageSize: 50 });
  engine = new SyncEngine({
    client: api,
    queue,
    state: new MemorySyncStateStore({ shopId: "shop_loop0001" }),
    source: store,
    shopId: "shop_loop0001",
    retry: { baseDelayMs: 0, maxAttempts: 3 },
  });
});

afterEach(async () => {
  await queue.close();
});

describe("drainCoalesced", () => {
  test("is one turn: nothing pending gives undefined; pending changes go out in one drain", async () => {
    const drain = (request: Parameters<SyncEngine["drain"]>[0]) => engine.drain(request);
    expect(await drainCoalesced({ queue, drain, coalesce: { quietMs: 20 } })).toBeUndefined();
    for (let i = 0; i < 30; i += 1) store.put([makeProduct(`p${i}`)]);
    await queue.enqueue(
      Array.from({ length: 30 }, (_, i) => ({ kind: "product" as const, key: `p${i}` })),
    );
    const summary = await drainCoalesced({ queue, drain, coalesce: { quietMs: 20 } });
    expect(summary).toMatchObject({ changes: 30, sent: 30, syncRequests: 1 });
  });
});

describe("drainCoalesced with a separate drainSignal", () => {
  test("passes its own signal as the drain's stopSignal, so a graceful stop finishes the batch", async () => {
    const soft = new AbortController();
    const hard = new AbortController();
    const requests: DrainRequest[] = [];
    await queue.enqueue({ kind: "product", key: "p1" });
    store.put([makeProduct("p1")]);
    await drainCoalesced({
      queue,
      drain: (request) => {
        requests.push(request);
        return engine.drain(request);
      },
      signal: soft.signal,
      drainSignal: hard.signal,
      coalesce: { quietMs: 0 },
    });
    expect(requests.at(-1)).toMatchObject({ signal: hard.signal, stopSignal: soft.signal });
  });
});

describe("runWorkerLoop", () => {
  test("drains what arrives, reports each drain, and resolves with the totals when stopped", async () => {
    const stop = new AbortController();
    const drains: SyncSummary[] = [];
    const worker = runWorkerLoop({
      queue,
      drain: (request) => engine.drain(request),
      signal: stop.signal,
      idleMs: 10,
      coalesce: { quietMs: 20, maxWaitMs: 200 },
      onDrain: (summary) => drains.push(summary),
    });
    for (let i = 0; i < 5; i += 1) store.put([makeProduct(`a${i}`)]);
    await queue.enqueue(
      Array.from({ length: 5 }, (_, i) => ({ kind: "product" as const, key: `a${i}` })),
    );
    await vi.waitFor(() => expect(api.catalog.size).toBe(5), { timeout: 20_000 });
    store.put([makeProduct("b0")]);
    await queue.enqueue({ kind: "product", key: "b0" });
    await vi.waitFor(() => expect(api.catalog.size).toBe(6), { timeout: 20_000 });
    stop.abort();
    const total = await worker;
    expect(total).toMatchObject({ sent: 6, changes: 6 });
    expect(drains.reduce((sum, summary) => sum + summary.sent, 0)).toBe(6);
  });

  test("a throwing drain is reported with a growing backoff and the loop goes on", async () => {
    const stop = new AbortController();
    const errors: number[] = [];
    let calls = 0;
    await queue.enqueue({ kind: "delete", key: "gone" });
    const worker = runWorkerLoop({
      queue,
      drain: async (request) => {
        calls += 1;
        if (calls <= 3) throw new Error(`disk full ${calls}`);
        return await engine.drain(request);
      },
      signal: stop.signal,
      idleMs: 5,
      maxBackoffMs: 1_000,
      random: () => 0,
      coalesce: { quietMs: 0 },
      onError: (_error, retryInMs) => errors.push(retryInMs),
    });
    await vi.waitFor(() => expect(api.count("delete")).toBe(1), { timeout: 20_000 });
    stop.abort();
    await worker;
    expect(errors).toEqual([10, 20, 40]);
    expect(await queue.stats()).toMatchObject({ pending: 0, inFlight: 0 });
  });

  test("stops at once when aborted while idle", async () => {
    const stop = new AbortController();
    const worker = runWorkerLoop({
      queue,
      drain: (request) => engine.drain(request),
      signal: stop.signal,
      idleMs: 60_000,
    });
    await vi.waitFor(async () => expect((await queue.stats()).pending).toBe(0));
    stop.abort();
    await expect(worker).resolves.toMatchObject({ changes: 0 });
  });
});
