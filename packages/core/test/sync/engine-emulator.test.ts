import type { RecordedRequest } from "@neuroon/emulator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { StoreError } from "../../src/errors.js";
import { ResetConfirmationError, SafetyValveError } from "../../src/sync/errors.js";
import type { CatalogSource } from "../../src/sync/types.js";
import type { NeuroonProduct, StoredProduct } from "../../src/types.js";
import {
  clientFor,
  createHarness,
  type Emulator,
  type Harness,
  SHOP_ID,
  startTestEmulator,
} from "./emulator-harness.js";
import { makeFamily, makeProduct } from "./fake-store.js";

// The engine with the real client over real HTTP against the emulator. Each test gets a fresh
// shop state by deleting what the previous one left (one emulator for the file keeps it fast).

let emulator: Emulator;
let h: Harness;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  emulator.reset();
  h = createHarness(emulator);
  requestMark = 0;
});

afterEach(async () => {
  await h.close();
});

let requestMark = 0;

function requestLog(): readonly RecordedRequest[] {
  return emulator.requests;
}

/** Requests the engine made since the test started. */
function requestsSinceStart(): readonly RecordedRequest[] {
  return requestLog().slice(requestMark);
}

function syncBodies(): { syncType: string; products: NeuroonProduct[] }[] {
  return requestsSinceStart()
    .filter((r) => r.method === "POST" && r.path.endsWith("/products/sync") && r.status === 200)
    .map((r) => r.body as { syncType: string; products: NeuroonProduct[] });
}

function remoteCatalog(): Map<string, StoredProduct> {
  return new Map(
    emulator
      .snapshot(SHOP_ID)
      .map((product) => [product.externalId, product as unknown as StoredProduct]),
  );
}

async function expectRemoteEqualsStore(): Promise<void> {
  const remote = await remoteCatalog();
  const local = h.store.all();
  expect([...remote.keys()].sort()).toEqual(local.map((p) => p.externalId).sort());
  for (const product of local) {
    expect(remote.get(product.externalId)).toMatchObject({
      name: product.name,
      price: product.price,
      ...(product.parentExternalId ? { parentExternalId: product.parentExternalId } : {}),
    });
  }
}

describe("fullSync against the emulator", () => {
  test("≤500 per request, families whole and parents first; a second pass sends nothing", async () => {
    h.store.put(makeFamily("big", 620));
    for (let i = 0; i < 40; i += 1) h.store.put(makeFamily(`f${i}`, 9));
    for (let i = 0; i < 300; i += 1) h.store.put([makeProduct(`s${i}`)]);
    const summary = await h.engine().fullSync();
    expect(summary.sent).toBe(621 + 400 + 300);
    const bodies = syncBodies();
    expect(bodies.every((b) => b.products.length <= 500 && b.syncType === "INCREMENTAL")).toBe(
      true,
    );
    const batchOf = new Map<string, number>();
    bodies.forEach((body, index) => {
      for (const p of body.products) batchOf.set(p.externalId, index);
    });
    for (let i = 0; i < 40; i += 1) {
      const batches = new Set(makeFamily(`f${i}`, 9).map((p) => batchOf.get(p.externalId)));
      expect(batches.size).toBe(1);
    }
    for (const body of bodies) {
      const seen = new Set<string>();
      for (const p of body.products) {
        if (p.parentExternalId) {
          const parentBatch = batchOf.get(p.parentExternalId) ?? Number.POSITIVE_INFINITY;
          expect(seen.has(p.parentExternalId) || parentBatch < bodies.indexOf(body)).toBe(true);
        }
        seen.add(p.externalId);
      }
    }
    await expectRemoteEqualsStore();

    requestMark = requestLog().length;
    const second = await h.engine().fullSync();
    expect(second).toMatchObject({ sent: 0, requests: 0, unchanged: 1_321 });
    expect(requestsSinceStart()).toHaveLength(0);
  });
});

describe("drain against the emulator", () => {
  test("a burst of 10,000 change events on 1,000 products → ceil(1000/500) sync requests", async () => {
    for (let i = 0; i < 1_000; i += 1) h.store.put([makeProduct(`p${i}`)]);
    await h.queue.enqueue(
      Array.from({ length: 10_000 }, (_, i) => ({
        kind: "product" as const,
        key: `p${i % 1_000}`,
      })),
    );
    const summary = await h.engine().drain();
    expect(summary).toMatchObject({ changes: 1_000, sent: 1_000, syncRequests: 2 });
    expect(syncBodies()).toHaveLength(2);
    await expectRemoteEqualsStore();
  });

  test("deletes, vanished variants and conversions", async () => {
    h.store.put(makeFamily("a", 3));
    h.store.put([makeProduct("b")]);
    await h.engine().fullSync();
    h.store.put(makeFamily("a", 1));
    h.store.remove("b");
    await h.queue.enqueue([
      { kind: "product", key: "a" },
      { kind: "delete", key: "b" },
      {
        kind: "conversion",
        key: "ORD-1",
        payload: {
          orderId: "ORD-1",
          orderValue: 10,
          currency: "EUR",
          conversions: [{ productId: "a", searchLogId: "log_1", quantity: 1, lineTotal: 10 }],
        },
      },
    ]);
    const summary = await h.engine().drain();
    expect(summary).toMatchObject({ deleted: 3, conversions: 1 });
    await expectRemoteEqualsStore();
    expect(await h.queue.stats()).toMatchObject({ pending: 0, inFlight: 0, deadLetters: 0 });
  });

  test("a source's resolveConversion: orders read when processed, skips acked, an unreadable store retried", async () => {
    h.store.put([makeProduct("a")]);
    await h.engine().fullSync();
    const orders = new Map<string, { paid: boolean; total: number }>([
      ["101", { paid: true, total: 25 }],
      ["102", { paid: false, total: 9 }],
      ["103", { paid: true, total: 12 }],
    ]);
    let storeDown = true;
    const asked: string[] = [];
    const source: CatalogSource = {
      readProducts: (keys) => h.store.readProducts(keys),
      streamCatalog: () => h.store.streamCatalog(),
      async resolveConversion({ key, payload }) {
        asked.push(key);
        expect(payload).toEqual({ orderId: Number(key) });
        if (key === "103" && storeDown) {
          throw new StoreError("store unreachable", { status: 503, retryAfterMs: 30_000 });
        }
        // Read at processing time: order 101 was edited after it was enqueued.
        const order = orders.get(key);
        if (order === undefined) return { status: "skip", reason: "not-found" };
        if (!order.paid) return { status: "skip", reason: "not-paid" };
        return {
          status: "report",
          request: {
            orderId: key,
            orderValue: order.total,
            currency: "EUR",
            conversions: [
              { productId: "a", searchLogId: `log_${key}`, quantity: 1, lineTotal: order.total },
            ],
          },
        };
      },
    };
    await h.queue.enqueue(
      ["101", "102", "103", "104"].map((key) => ({
        kind: "conversion" as const,
        key,
        payload: { orderId: Number(key) },
      })),
    );
    orders.set("101", { paid: true, total: 30 });
    requestMark = requestLog().length;
    const summary = await h.engine({ source }).drain();
    expect(summary).toMatchObject({ changes: 4, conversions: 1, failed: 1 });
    expect(asked.sort()).toEqual(["101", "102", "103", "104"]);
    const tracked = () =>
      requestsSinceStart()
        .filter(
          (r) => r.method === "POST" && r.path.endsWith("/track/conversion") && r.status < 300,
        )
        .map((r) => r.body as { orderId: string; orderValue: number });
    expect(tracked()).toEqual([expect.objectContaining({ orderId: "101", orderValue: 30 })]);
    expect(h.events).toEqual(
      expect.arrayContaining([
        { type: "conversion-skipped", key: "102", reason: "not-paid" },
        { type: "conversion-skipped", key: "104", reason: "not-found" },
        expect.objectContaining({
          type: "retry",
          key: "103",
          outcome: "retrying",
          delayMs: 30_000,
        }),
      ]),
    );
    expect(await h.queue.stats()).toMatchObject({ pending: 0, delayed: 1, deadLetters: 0 });

    // The store is back once the Retry-After has passed: the order is reported then.
    storeDown = false;
    h.clock.now += 30_000;
    const later = await h.engine({ source }).drain();
    expect(later).toMatchObject({ changes: 1, conversions: 1, failed: 0 });
    expect(tracked().map((body) => body.orderId)).toEqual(["101", "103"]);
    expect(await h.queue.stats()).toMatchObject({ pending: 0, delayed: 0, inFlight: 0 });
  });

  test("without resolveConversion, a conversion naming only an order is dead-lettered", async () => {
    await h.queue.enqueue({ kind: "conversion", key: "7", payload: { orderId: 7 } });
    const summary = await h.engine().drain();
    expect(summary).toMatchObject({ changes: 1, conversions: 0, failed: 1 });
    expect(await h.queue.stats()).toMatchObject({ deadLetters: 1 });
  });

  test("an outage (503s, dropped connections): changes come back later and none is lost", async () => {
    for (let i = 0; i < 30; i += 1) h.store.put([makeProduct(`p${i}`)]);
    await h.queue.enqueue(
      Array.from({ length: 30 }, (_, i) => ({ kind: "product" as const, key: `p${i}` })),
    );
    emulator.faults.failNext(4, 503);
    const first = await h.engine({ batchSize: 10 }).drain();
    expect(first.failed).toBeGreaterThan(0);
    expect((await h.queue.stats()).delayed).toBe(first.failed);
    emulator.faults.dropNext(2);
    for (
      let round = 0;
      round < 10 && (await h.queue.stats()).delayed + (await h.queue.stats()).pending > 0;
      round += 1
    ) {
      h.clock.now += 10 * 60_000;
      await h.engine({ batchSize: 10 }).drain();
    }
    expect(await h.queue.stats()).toMatchObject({
      pending: 0,
      delayed: 0,
      inFlight: 0,
      deadLetters: 0,
    });
    await expectRemoteEqualsStore();
  });

  test("a 400 for a batch is split to isolate the bad product; the rest is synced", async () => {
    for (let i = 0; i < 40; i += 1) h.store.put([makeProduct(`p${i}`)]);
    h.store.put([{ ...makeProduct("p17", { revision: 0 }), price: -1 }]);
    // Skip local validation so the bad product reaches the server.
    const summary = await h
      .engine({ prepare: (products) => ({ valid: [...products], rejected: [] }) })
      .fullSync();
    expect(summary).toMatchObject({ sent: 39, rejected: 1 });
    const remote = await remoteCatalog();
    expect(remote.size).toBe(39);
    expect(remote.has("p17")).toBe(false);
    const rejected = h.events.find((e) => e.type === "rejected");
    expect(rejected).toMatchObject({
      externalId: "p17",
      by: "server",
      reason: expect.stringMatching(/price/),
    });
    expect((await h.state.get(["p17"])).get("p17")).toMatchObject({ status: "rejected" });
  });

  test("a product changed A → B → A is applied each time (no idempotent replay of the first A)", async () => {
    h.store.put([makeProduct("p1", { revision: 0 })]);
    await h.engine().fullSync();
    h.store.put([makeProduct("p1", { revision: 1 })]);
    await h.engine().fullSync();
    h.store.put([makeProduct("p1", { revision: 0 })]);
    await h.engine().fullSync();
    expect(remoteCatalog().get("p1")?.price).toBe(10);
    expect(syncBodies()).toHaveLength(3);
  });

  test("variants of a parent refused locally are held back, not sent as orphans", async () => {
    h.store.put([{ ...makeProduct("fam"), price: -5 }, ...makeFamily("fam", 2).slice(1)]);
    h.store.put([makeProduct("solo")]);
    const summary = await h.engine().fullSync();
    expect(summary).toMatchObject({ sent: 1, rejected: 3 });
    expect(h.events).toContainEqual(
      expect.objectContaining({
        type: "rejected",
        externalId: "fam-v0",
        reason: expect.stringMatching(/parent "fam"/),
      }),
    );
    expect([...remoteCatalog().keys()]).toEqual(["solo"]);
  });

  test("local validation rejects a product without blocking its batch", async () => {
    for (let i = 0; i < 5; i += 1) h.store.put([makeProduct(`p${i}`)]);
    h.store.put([{ ...makeProduct("bad"), name: "" }]);
    const summary = await h.engine().fullSync();
    expect(summary).toMatchObject({ sent: 5, rejected: 1, syncRequests: 1 });
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: "rejected", externalId: "bad", by: "local" }),
    );
  });
});

describe("drift against the emulator", () => {
  async function syncThenEditElsewhere() {
    h.store.put([makeProduct("p1")]);
    h.store.put([makeProduct("p2")]);
    await h.engine().fullSync();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Another source edits p1 in Neuroon (the dashboard, another integration).
    await clientFor(emulator).products.sync({
      syncType: "INCREMENTAL",
      products: [{ ...makeProduct("p1"), price: 7.5 }],
    });
    h.store.put([makeProduct("p1", { revision: 1 })]);
    h.store.put([makeProduct("p2", { revision: 1 })]);
    await h.queue.enqueue([
      { kind: "product", key: "p1" },
      { kind: "product", key: "p2" },
    ]);
    requestMark = requestLog().length;
  }

  test("keep-remote: the edited product is skipped and reported; found with one list call", async () => {
    await syncThenEditElsewhere();
    const summary = await h.engine({ drift: { policy: "keep-remote" } }).drain();
    expect(summary).toMatchObject({ sent: 1, conflicts: 1 });
    expect(h.events).toContainEqual(
      expect.objectContaining({
        type: "conflict",
        externalId: "p1",
        fields: ["price"],
        resolution: "kept-remote",
      }),
    );
    const remote = await remoteCatalog();
    expect(remote.get("p1")?.price).toBe(7.5);
    expect(remote.get("p2")?.price).toBe(11);
    const gets = requestsSinceStart().filter((r) => r.method === "GET");
    expect(gets.filter((r) => r.query.includes("modifiedAfter"))).toHaveLength(1);
    expect(gets.filter((r) => /\/products\/[^/]+$/.test(r.path))).toHaveLength(0);
  });

  test("overwrite: sent anyway and reported", async () => {
    await syncThenEditElsewhere();
    const summary = await h.engine({ drift: { policy: "overwrite" } }).drain();
    expect(summary).toMatchObject({ sent: 2, conflicts: 1 });
    expect((await remoteCatalog()).get("p1")?.price).toBe(11);
  });
});

describe("drift check cost against the emulator (issue 17 item 15)", () => {
  const LOADED = 2_000;

  function requestCounts() {
    const requests = requestsSinceStart();
    return {
      lists: requests.filter((r) => r.method === "GET" && r.query.includes("modifiedAfter")).length,
      byId: requests.filter((r) => r.method === "GET" && /\/products\/[^/]+$/.test(r.path)).length,
      syncs: requests.filter((r) => r.method === "POST" && r.path.endsWith("/products/sync"))
        .length,
      all: requests.length,
    };
  }

  test("the first edits after an initial load read the few changed products by id, not the whole load", async () => {
    for (let i = 0; i < LOADED; i += 1) h.store.put([makeProduct(`p${i}`)]);
    await h.engine().fullSync();
    h.store.put([makeProduct("p7", { revision: 1 })]);
    h.store.put([makeProduct("p1500", { revision: 1 })]);
    h.store.put([makeProduct("p1999", { revision: 1 })]);
    await h.queue.enqueue(["p7", "p1500", "p1999"].map((key) => ({ kind: "product", key })));
    requestMark = requestLog().length;
    const summary = await h.engine().drain();
    expect(summary).toMatchObject({ sent: 3, conflicts: 0 });
    // One list page to learn the size of the scan (20 pages), then 3 reads by id: 5 requests, not 21.
    expect(requestCounts()).toEqual({ lists: 1, byId: 3, syncs: 1, all: 5 });
    await expectRemoteEqualsStore();
  });

  test("after another writer touched every product, a small drain still finds its drifted product by id", async () => {
    for (let i = 0; i < LOADED; i += 1) h.store.put([makeProduct(`p${i}`)]);
    await h.engine().fullSync();
    // Another data directory (another host, the dashboard) rewrites the whole catalog in Neuroon,
    // with one product's price changed.
    const other = clientFor(emulator);
    for (let start = 0; start < LOADED; start += 500) {
      const products = Array.from({ length: 500 }, (_, i) => makeProduct(`p${start + i}`));
      products[0] = { ...(products[0] as NeuroonProduct), price: start === 500 ? 7.5 : 11 };
      await other.products.sync({ syncType: "INCREMENTAL", products });
    }
    for (const key of ["p3", "p500", "p1234"]) h.store.put([makeProduct(key, { revision: 1 })]);
    await h.queue.enqueue(["p3", "p500", "p1234"].map((key) => ({ kind: "product", key })));
    requestMark = requestLog().length;
    const summary = await h.engine({ drift: { policy: "keep-remote" } }).drain();
    expect(summary).toMatchObject({ sent: 2, conflicts: 1 });
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: "conflict", externalId: "p500", fields: ["price"] }),
    );
    expect(requestCounts()).toEqual({ lists: 1, byId: 3, syncs: 1, all: 5 });
  });

  test("when many products changed, paging stays the plan (fewer requests than one per product)", async () => {
    for (let i = 0; i < 300; i += 1) h.store.put([makeProduct(`p${i}`)]);
    await h.engine().fullSync();
    for (let i = 0; i < 300; i += 1) h.store.put([makeProduct(`p${i}`, { revision: 1 })]);
    await h.queue.enqueue(
      Array.from({ length: 300 }, (_, i) => ({ kind: "product" as const, key: `p${i}` })),
    );
    requestMark = requestLog().length;
    expect(await h.engine().drain()).toMatchObject({ sent: 300 });
    expect(requestCounts()).toMatchObject({ lists: 3, byId: 0, syncs: 1 });
  });
});

describe("reconcile and FULL against the emulator", () => {
  beforeEach(async () => {
    for (let i = 0; i < 50; i += 1)
      h.store.put(i % 10 === 0 ? makeFamily(`p${i}`, 2) : [makeProduct(`p${i}`)]);
    await h.engine().fullSync();
    requestMark = requestLog().length;
  });

  test("reconcile deletes what the store no longer has (cursor pagination)", async () => {
    h.store.remove("p3");
    h.store.remove("p10");
    const summary = await h.engine().reconcile();
    expect(summary.deleted).toBe(4);
    const lists = requestsSinceStart().filter((r) => r.method === "GET");
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((r) => r.query.includes("cursor="))).toBe(true);
    await expectRemoteEqualsStore();
  });

  test("the safety valve refuses an empty source and names the override", async () => {
    h.store.families.clear();
    const error = await h
      .engine()
      .reconcile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyValveError);
    expect(error).toMatchObject({ details: { wouldDelete: 60, remoteTotal: 60, sourceTotal: 0 } });
    expect(requestsSinceStart().filter((r) => r.method === "DELETE")).toHaveLength(0);
    expect((await remoteCatalog()).size).toBe(60);
  });

  test("drain, fullSync and reconcile never send FULL; resetCatalog does, only when confirmed", async () => {
    h.store.put([makeProduct("p1", { revision: 3 })]);
    await h.queue.enqueue({ kind: "product", key: "p2" });
    h.store.put([makeProduct("p2", { revision: 3 })]);
    const sneaky = { syncType: "FULL", full: true, force: true } as never;
    await h.engine(sneaky).drain(sneaky);
    await h.engine(sneaky).fullSync(sneaky);
    h.store.remove("p5");
    await h.engine(sneaky).reconcile(sneaky);
    expect(syncBodies().length).toBeGreaterThan(0);
    expect(syncBodies().every((b) => b.syncType === "INCREMENTAL")).toBe(true);

    await expect(h.engine().resetCatalog({ confirm: "shop_other" })).rejects.toBeInstanceOf(
      ResetConfirmationError,
    );
    await clientFor(emulator).products.sync({
      syncType: "INCREMENTAL",
      products: [makeProduct("stray")],
    });
    requestMark = requestLog().length;
    const reset = await h.engine({ batchSize: 20 }).resetCatalog({ confirm: SHOP_ID });
    expect(reset.sent).toBe(h.store.all().length);
    expect(syncBodies().every((b) => b.syncType === "FULL")).toBe(true);
    await expectRemoteEqualsStore();
  });
});

describe("drain that throws or is aborted against the emulator", () => {
  // The drift scan's bulk list: GET …/products?modifiedAfter=… (the path carries no query).
  const LIST = { method: "GET", path: /\/products$/ };
  const COUNT = 12;

  /** Syncs COUNT products, changes them all in the store and enqueues them: the drain scans drift. */
  async function syncedThenChanged(): Promise<void> {
    for (let i = 0; i < COUNT; i += 1) h.store.put([makeProduct(`p${i}`)]);
    await h.engine().fullSync();
    for (let i = 0; i < COUNT; i += 1) h.store.put([makeProduct(`p${i}`, { revision: 1 })]);
    await h.queue.enqueue(
      Array.from({ length: COUNT }, (_, i) => ({ kind: "product" as const, key: `p${i}` })),
    );
    requestMark = requestLog().length;
    h.events.length = 0;
  }

  function retryEvents() {
    return h.events.filter((event) => event.type === "retry");
  }

  async function expectDeliveredAfterwards(): Promise<void> {
    const summary = await h.engine().drain();
    expect(summary).toMatchObject({ changes: COUNT, sent: COUNT, failed: 0 });
    expect(await h.queue.stats()).toMatchObject({
      pending: 0,
      delayed: 0,
      inFlight: 0,
      deadLetters: 0,
    });
    await expectRemoteEqualsStore();
  }

  test("a 503 on the drift scan: the claimed changes go back with backoff, none stays leased", async () => {
    await syncedThenChanged();
    // The harness client makes two attempts per call (maxRetries: 1); both fail.
    emulator.faults.failNext(2, 503, { match: LIST });
    await expect(h.engine().drain()).rejects.toMatchObject({ status: 503 });
    expect(await h.queue.stats()).toMatchObject({
      pending: 0,
      delayed: COUNT,
      inFlight: 0,
      deadLetters: 0,
    });
    expect(syncBodies()).toHaveLength(0);
    const retries = retryEvents();
    expect(retries).toHaveLength(COUNT);
    for (const retry of retries) {
      expect(retry).toMatchObject({ outcome: "retrying", error: expect.stringMatching(/503/) });
      // baseDelayMs 1000 less at most 25 % jitter.
      expect((retry as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(750);
    }

    emulator.faults.clear();
    h.clock.now += 10 * 60_000;
    await expectDeliveredAfterwards();
  });

  test("a 429 on the drift scan: Retry-After sets the delay of every change", async () => {
    await syncedThenChanged();
    // 120 s is past the client's maxRetryAfterMs (60 s), so it throws instead of waiting.
    emulator.faults.rateLimitStorm({ times: 2, retryAfterSec: 120, match: LIST });
    await expect(h.engine().drain()).rejects.toMatchObject({ name: "RateLimitError" });
    emulator.faults.clear();
    expect(await h.queue.stats()).toMatchObject({ delayed: COUNT, inFlight: 0 });
    expect(retryEvents().map((retry) => (retry as { delayMs: number }).delayMs)).toEqual(
      Array(COUNT).fill(120_000),
    );

    h.clock.now += 60_000;
    expect(await h.engine().drain()).toMatchObject({ changes: 0 });
    h.clock.now += 61_000;
    await expectDeliveredAfterwards();
  });

  /**
   * A client whose drift-scan request is held by the emulator and aborted while in flight. A GET
   * is used so the answer the emulator still gives later changes nothing.
   */
  function abortDuringScan(controller: AbortController) {
    emulator.faults.delay(1_500, { times: 1, match: LIST });
    return clientFor(emulator, {
      onRequest: (event) => {
        if (event.method === "GET" && event.url.includes("modifiedAfter")) {
          setTimeout(() => controller.abort(), 20);
        }
      },
    });
  }

  /** Waits for the held request to be answered, so it cannot land in a later test's log. */
  async function heldRequestAnswered(): Promise<void> {
    await vi.waitFor(
      () => expect(requestsSinceStart().some((r) => r.query.includes("modifiedAfter"))).toBe(true),
      { timeout: 5_000, interval: 50 },
    );
  }

  test("stopSignal ends the drain after the claim in hand: nothing cut short, nothing more claimed", async () => {
    for (let i = 0; i < 6; i += 1) h.store.put([makeProduct(`s${i}`)]);
    await h.queue.enqueue(
      Array.from({ length: 6 }, (_, i) => ({ kind: "product" as const, key: `s${i}` })),
    );
    const stop = new AbortController();
    const engine = h.engine({
      claim: { limit: 2 },
      onEvent: (event) => {
        h.events.push(event);
        // A graceful shutdown arrives while the first claim is being sent.
        if (event.type === "batch-sent") stop.abort();
      },
    });
    const summary = await engine.drain({ stopSignal: stop.signal });
    expect(summary).toMatchObject({ changes: 2, sent: 2, failed: 0 });
    expect(await h.queue.stats()).toMatchObject({ pending: 4, inFlight: 0, delayed: 0 });
  });

  test("an aborted drain hands its changes back ready at once, never dead-lettered by the abort", async () => {
    await syncedThenChanged();
    // Age the changes to one attempt short of retry.maxAttempts (5 in the harness).
    for (let round = 0; round < 4; round += 1) {
      const claimed = await h.queue.claim({ limit: COUNT, leaseMs: 60_000 });
      for (const change of claimed) {
        await h.queue.fail(change.id, "earlier failure", { delayMs: 0, maxAttempts: 99 });
      }
    }
    const controller = new AbortController();
    const client = abortDuringScan(controller);
    const drained = h.engine({ client }).drain({ signal: controller.signal });
    await expect(drained).rejects.toMatchObject({ name: "AbortError" });
    // The abort reached the request in flight: the drain did not wait for its answer.
    expect(requestsSinceStart().some((r) => r.query.includes("modifiedAfter"))).toBe(false);
    // Ready now (pending, not delayed), with the queue's clock unchanged: no lease to wait for.
    expect(await h.queue.stats()).toMatchObject({
      pending: COUNT,
      delayed: 0,
      inFlight: 0,
      deadLetters: 0,
    });
    expect(retryEvents()).toHaveLength(COUNT);
    expect(retryEvents().every((retry) => retry.delayMs === 0)).toBe(true);
    await heldRequestAnswered();
    await expectDeliveredAfterwards();
  });

  test("runWorker aborted mid-drain returns and leaves nothing leased", async () => {
    await syncedThenChanged();
    const controller = new AbortController();
    const client = abortDuringScan(controller);
    // With a coalescing window in front of the drain: the abort lands in the drain it ends.
    const total = await h.engine({ client }).runWorker({
      signal: controller.signal,
      idleMs: 10,
      coalesce: { quietMs: 50, maxWaitMs: 200 },
    });
    expect(total.sent).toBe(0);
    expect(await h.queue.stats()).toMatchObject({ pending: COUNT, delayed: 0, inFlight: 0 });
    await heldRequestAnswered();
    await expectDeliveredAfterwards();
  });
});
