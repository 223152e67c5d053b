import { afterEach, describe, expect, test } from "vitest";
import {
  clientFor,
  createHarness,
  type Harness,
  SHOP_ID,
  startTestEmulator,
} from "./emulator-harness.js";
import { makeProduct } from "./fake-store.js";

// The drift scan asks Neuroon for products changed after an instant of the engine's clock, and
// Neuroon compares it with timestamps of its own clock. The client reads Neuroon's clock from the
// `Date` header of its responses; the scan overlaps the previous one by that lag plus a margin.

const MINUTE_MS = 60_000;

interface World extends Harness {
  /** Another integration (or the dashboard) writing to Neuroon. */
  editElsewhere(externalId: string, price: number): Promise<void>;
  /** The list requests of the drift scan since the last call. */
  takeScanPages(): number;
}

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  await world?.emulator.close();
  world = undefined;
});

/** `offsetMs`: how far Neuroon's clock is ahead of ours (negative: behind). */
async function createWorld(offsetMs: number): Promise<World> {
  // The engine's and client's clock (ours); Neuroon's is `offsetMs` away from it.
  const clock = { now: Date.parse("2026-11-23T12:00:00Z") };
  const emulator = await startTestEmulator({ now: () => clock.now + offsetMs });
  let logMark = 0;
  world = {
    ...createHarness(emulator, { clock, clockForAll: true }),
    editElsewhere: async (externalId, price) => {
      await clientFor(emulator).products.sync({
        syncType: "INCREMENTAL",
        products: [{ ...makeProduct(externalId), price }],
      });
    },
    takeScanPages: () => {
      const scans = emulator.requests
        .slice(logMark)
        .filter((request) => request.method === "GET" && request.query.includes("modifiedAfter"));
      logMark = emulator.requests.length;
      return scans.length;
    },
  };
  return world;
}

/** Changes `ids` in the store and queues them, as webhooks would. */
async function changeInStore(w: World, ids: readonly string[], revision: number): Promise<void> {
  for (const id of ids) w.store.put([makeProduct(id, { revision })]);
  await w.queue.enqueue(ids.map((key) => ({ kind: "product" as const, key })));
}

describe("drift scan window", () => {
  test("Neuroon's clock 5 minutes behind ours: a dashboard edit is still found", async () => {
    const w = await createWorld(-5 * MINUTE_MS);
    w.store.put([makeProduct("p1")]);
    w.store.put([makeProduct("p2")]);
    await w.engine().fullSync();
    w.clock.now += 1_000;
    await w.editElsewhere("p1", 7.5);
    await changeInStore(w, ["p1", "p2"], 1);

    const summary = await w.engine().drain();

    expect(summary).toMatchObject({ sent: 1, conflicts: 1 });
    expect(w.events).toContainEqual(
      expect.objectContaining({ type: "conflict", externalId: "p1", resolution: "kept-remote" }),
    );
    expect(w.emulator.snapshot(SHOP_ID).find((p) => p.externalId === "p1")?.price).toBe(7.5);
  });

  test("the same skew with a fixed one-minute overlap misses the edit (why the lag is measured)", async () => {
    const w = await createWorld(-5 * MINUTE_MS);
    w.store.put([makeProduct("p1")]);
    w.store.put([makeProduct("p2")]);
    await w.engine({ drift: { clockSkewMs: MINUTE_MS } }).fullSync();
    w.clock.now += 1_000;
    await w.editElsewhere("p1", 7.5);
    await changeInStore(w, ["p1", "p2"], 1);

    const summary = await w.engine({ drift: { clockSkewMs: MINUTE_MS } }).drain();

    expect(summary).toMatchObject({ sent: 2, conflicts: 0 });
    expect(w.emulator.snapshot(SHOP_ID).find((p) => p.externalId === "p1")?.price).toBe(11);
  });

  test("clocks in step: a drain re-lists only what changed since the previous scan, not the last minute", async () => {
    const w = await createWorld(0);
    const ids = Array.from({ length: 300 }, (_, i) => `p${i}`);
    for (const id of ids) w.store.put([makeProduct(id)]);
    await w.engine().fullSync();

    // The first drain's scan starts where the initial load ended (see "initial load" below): one
    // page, not the load's 300 products back.
    w.clock.now += 20_000;
    await changeInStore(w, ["p1", "p3", "p4"], 1);
    expect(await w.engine().drain()).toMatchObject({ sent: 3, conflicts: 0 });
    expect(w.takeScanPages()).toBe(1);

    // 20 s later, a dashboard edit and a store edit: the scan starts 10 s (plus under a second
    // of header rounding) before the previous one, so the full sync's writes are not listed
    // again; a one-minute overlap would list them all.
    w.clock.now += 20_000;
    await w.editElsewhere("p7", 7.5);
    await changeInStore(w, ["p2", "p7"], 1);
    expect(await w.engine().drain()).toMatchObject({ sent: 1, conflicts: 1 });
    expect(w.takeScanPages()).toBe(1);
  });
});

describe("initial load", () => {
  // Issue 17: after a 100,000-product initial load, the first drift check listed the load back
  // (one page per 100 products: ~1,000 requests, ~10 minutes at 100 per minute) before the first
  // edits went out. A complete full pass by a fresh data directory wrote every product the engine
  // holds a snapshot of; it is the baseline, and scans start from its end.
  const loaded = Array.from({ length: 1_000 }, (_, i) => `p${i}`);
  const changed = loaded.slice(0, 300);

  test("the first drain after it lists only what changed since, not the 1,000 loaded products", async () => {
    const w = await createWorld(0);
    for (const id of loaded) w.store.put([makeProduct(id)]);
    await w.engine().fullSync();
    w.takeScanPages();

    // 300 changes: more than the load's 10 pages, so reading them one by one is no way out.
    w.clock.now += 10 * MINUTE_MS;
    await changeInStore(w, changed, 1);
    expect(await w.engine().drain()).toMatchObject({ sent: 300, conflicts: 0 });
    expect(w.takeScanPages()).toBe(1);
    const reads = w.emulator.requests.filter(
      (request) => request.method === "GET" && /\/products\/[^/]+$/.test(request.path),
    );
    expect(reads).toEqual([]);
  });

  test("the first drain lists only what changed even when the lag it measures has grown since the load", async () => {
    // The `Date` header has whole seconds: the load's first response showed no lag, a later one
    // 900 ms. The first loaded product's own scan window (its sync time less the lag and a
    // margin) then starts before the ledger's coverage; the baseline still bounds it, so the
    // load is not listed back.
    const w = await createWorld(0);
    for (const id of loaded) w.store.put([makeProduct(id)]);
    await w.engine().fullSync();
    w.clock.now += 900;
    await w.client.products.list({ size: 1 }).pages()[Symbol.asyncIterator]().next();
    expect(w.client.serverClock.behindByMs()).toBe(900);
    w.takeScanPages();

    w.clock.now += 10 * MINUTE_MS;
    await changeInStore(w, changed, 1);
    expect(await w.engine().drain()).toMatchObject({ sent: 300, conflicts: 0 });
    expect(w.takeScanPages()).toBe(1);
  });

  test.each([
    ["in step", 0],
    ["Neuroon 5 minutes behind", -5 * MINUTE_MS],
    ["Neuroon 5 minutes ahead", 5 * MINUTE_MS],
  ])(
    "clocks %s: a dashboard edit one second after the load is still found",
    async (_, offsetMs) => {
      const w = await createWorld(offsetMs);
      for (const id of loaded) w.store.put([makeProduct(id)]);
      await w.engine().fullSync();
      w.clock.now += 1_000;
      await w.editElsewhere("p7", 7.5);
      w.clock.now += 10 * MINUTE_MS;
      await changeInStore(w, changed, 1);

      const summary = await w.engine().drain();

      expect(summary).toMatchObject({ sent: 299, conflicts: 1 });
      expect(w.emulator.snapshot(SHOP_ID).find((p) => p.externalId === "p7")?.price).toBe(7.5);
    },
  );

  test("a later full pass is no baseline: an edit made meanwhile is still found", async () => {
    const w = await createWorld(0);
    for (const id of loaded) w.store.put([makeProduct(id)]);
    await w.engine().fullSync();
    w.clock.now += MINUTE_MS;
    await w.editElsewhere("p7", 7.5);
    w.clock.now += MINUTE_MS;
    // Nothing changed in the store: the second pass sends nothing and moves no baseline.
    expect(await w.engine().fullSync()).toMatchObject({ sent: 0 });
    w.clock.now += 10 * MINUTE_MS;
    await changeInStore(w, ["p7"], 1);

    expect(await w.engine().drain()).toMatchObject({ sent: 0, conflicts: 1 });
  });
});
