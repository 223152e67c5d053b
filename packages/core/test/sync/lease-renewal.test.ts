import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.js";
import { MemorySyncStateStore } from "../../src/state/memory-state-store.js";
import { SyncEngine } from "../../src/sync/sync-engine.js";
import type { NeuroonProduct } from "../../src/types.js";
import { clientFor, type Emulator, SHOP_ID, startTestEmulator } from "./emulator-harness.js";
import { FakeStore, makeFamily } from "./fake-store.js";

// Issue 17 item 5: a claim that takes longer than its lease (a slow Neuroon, a long rate-limit
// wait; the CLI leases for 60 s) must not come back to the same run. The queue runs on a test
// clock; every re-read of a claim moves it twice by 90 % of the lease, so the claim ends 180 % of
// a lease after it began, and each time waits until the engine renewed the leases (on the
// renewed lease's terms, not on a duration).
const LEASE_MS = 300;
const PRODUCTS = 30;
const BATCH_SIZE = 10;
const TEST_TIMEOUT_MS = Number(process.env.NEUROON_TEST_TIMEOUT_MS ?? 60_000);

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator.close();
});

test("a drain whose claims outlive their lease renews them: no change is claimed twice, counts are right", async () => {
  const clock = { now: 1_750_000_000_000 };
  const queue = openSqliteQueue({ path: ":memory:", now: () => clock.now });
  const renewals = vi.spyOn(queue, "renewLeases");
  class SlowStore extends FakeStore {
    override async readProducts(keys: readonly string[]) {
      for (let step = 0; step < 2; step += 1) {
        clock.now += LEASE_MS * 0.9;
        const seen = renewals.mock.calls.length;
        await vi.waitFor(() => expect(renewals.mock.calls.length).toBeGreaterThan(seen), {
          timeout: TEST_TIMEOUT_MS,
          interval: 5,
        });
      }
      return super.readProducts(keys);
    }
  }
  const store = new SlowStore();
  for (let i = 0; i < PRODUCTS; i += 1) store.put(makeFamily(`lease-${i}`, 0));
  await queue.enqueue([...store.families.keys()].map((key) => ({ kind: "product" as const, key })));
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
    const synced: NeuroonProduct[] = emulator.snapshot(SHOP_ID);
    expect(synced).toHaveLength(PRODUCTS);
    expect(emulator.requests.filter((r) => r.path.endsWith("/products/sync"))).toHaveLength(
      PRODUCTS / BATCH_SIZE,
    );
  } finally {
    await queue.close();
  }
});
