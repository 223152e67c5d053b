import { afterAll, beforeAll, expect, test } from "vitest";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.js";
import { MemorySyncStateStore } from "../../src/state/memory-state-store.js";
import { SyncEngine } from "../../src/sync/sync-engine.js";
import { clientFor, type Emulator, SHOP_ID, startTestEmulator } from "./emulator-harness.js";
import { FakeStore, makeFamily } from "./fake-store.js";

// Issue 17 item 5: a claim that takes longer than its lease (a slow Neuroon, a long rate-limit
// wait) must not come back to the same run. The CLI leases for 60 s; here the lease is 400 ms and
// every sync request takes 600 ms, on the real clock, so each claim outlives its first lease.
const LEASE_MS = 400;
const SLOW_SYNC_MS = 600;
const PRODUCTS = 30;
const BATCH_SIZE = 10;

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator.close();
});

test("a drain whose claims outlive their lease renews them: no change is claimed twice, counts are right", {
  timeout: 60_000,
}, async () => {
  const queue = openSqliteQueue({ path: ":memory:" });
  const store = new FakeStore();
  for (let i = 0; i < PRODUCTS; i += 1) store.put(makeFamily(`lease-${i}`, 0));
  await queue.enqueue([...store.families.keys()].map((key) => ({ kind: "product" as const, key })));
  emulator.faults.delay(SLOW_SYNC_MS, {
    match: { path: `/api/plugin/shops/${SHOP_ID}/products/sync` },
    durationMs: 60_000,
  });
  const progress: number[] = [];
  const engine = new SyncEngine({
    client: clientFor(emulator),
    queue,
    state: new MemorySyncStateStore({ shopId: SHOP_ID }),
    source: store,
    batchSize: BATCH_SIZE,
    claim: { limit: BATCH_SIZE, leaseMs: LEASE_MS },
    onEvent: (event) => {
      if (event.type === "progress" && event.phase === "drain") progress.push(event.done);
    },
  });
  try {
    // Bounded, so a run that keeps re-claiming its own changes ends instead of looping.
    const summary = await engine.drain({ maxChanges: PRODUCTS * 2 });
    expect(summary).toMatchObject({ changes: PRODUCTS, sent: PRODUCTS, failed: 0 });
    expect(progress).toEqual([10, 20, 30]);
    expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 });
    const syncs = emulator.requests.filter((r) => r.path.endsWith("/products/sync"));
    expect(syncs).toHaveLength(PRODUCTS / BATCH_SIZE);
  } finally {
    emulator.faults.clear();
    await queue.close();
  }
});
