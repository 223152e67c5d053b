import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmulatorHandle, type RecordedRequest, startEmulator } from "@neuroon/emulator";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { NeuroonClient } from "../../src/client.js";
import { NeuroonError } from "../../src/errors.js";
import { openSqliteQueue, type SqliteChangeQueue } from "../../src/queue/sqlite-queue.js";
import { MemorySyncStateStore } from "../../src/state/memory-state-store.js";
import { SyncEngine } from "../../src/sync/sync-engine.js";
import type { CatalogSource } from "../../src/sync/types.js";
import type { NeuroonProduct } from "../../src/types.js";

// Neuroon is down for the whole length of a sync — first every request answers 503, then the
// server is gone altogether (connection refused) — while the store keeps changing. When it comes
// back (same port, its state restored from disk), every change is delivered, none is lost, and
// no product ever goes back to an older revision: nothing is re-sent out of order.

const SHOP_ID = "shop_outage001";
const API_KEY = `sk_${"3e".repeat(16)}`;
const PRODUCTS = 300;

/** A store whose products carry a revision; `bump` edits one, `remove` deletes one. */
class RevisionStore implements CatalogSource {
  readonly revisions = new Map<string, number>();

  constructor(count: number) {
    for (let i = 0; i < count; i += 1) this.revisions.set(`p${i}`, 0);
  }

  static product(key: string, revision: number): NeuroonProduct {
    return {
      externalId: key,
      name: `Product ${key} r${revision}`,
      price: 10 + revision,
      currency: "EUR",
      url: `https://outage.example/${key}`,
    };
  }

  bump(key: string): void {
    this.revisions.set(key, (this.revisions.get(key) ?? 0) + 1);
  }

  async readProducts(keys: readonly string[]) {
    const products: NeuroonProduct[] = [];
    const missing: string[] = [];
    for (const key of keys) {
      const revision = this.revisions.get(key);
      if (revision === undefined) missing.push(key);
      else products.push(RevisionStore.product(key, revision));
    }
    return { products, missing };
  }

  async *streamCatalog() {
    const all = [...this.revisions].map(([key, rev]) => RevisionStore.product(key, rev));
    for (let i = 0; i < all.length; i += 100) yield all.slice(i, i + 100);
  }
}

const revisionOf = (product: { name?: unknown }) =>
  Number(/ r(\d+)$/.exec(String(product.name))?.[1] ?? Number.NaN);

let dir: string;
let port: number;
let emulator: EmulatorHandle;
let queue: SqliteChangeQueue;
const clock = { now: Date.parse("2026-11-23T12:00:00.000Z") };
/** Every request any emulator instance logged, in order. */
let log: RecordedRequest[];

function start(listenPort: number): Promise<EmulatorHandle> {
  return startEmulator({
    port: listenPort,
    shops: [{ shopId: SHOP_ID, apiKey: API_KEY, url: "https://outage.example" }],
    rateLimits: false,
    requestLogLimit: 50_000,
    persistPath: join(dir, "emulator.ndjson"),
  });
}

function harvest(): void {
  log.push(...emulator.requests);
  emulator.clearRequests();
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "neuroon-outage-"));
  emulator = await start(0);
  port = emulator.port;
  queue = openSqliteQueue({ path: join(dir, "queue.db"), now: () => clock.now });
  log = [];
});

afterEach(async () => {
  await queue.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Neuroon down for the length of a sync, then back", () => {
  test("every change is delivered after recovery, none lost, none re-sent out of order", async () => {
    const store = new RevisionStore(PRODUCTS);
    const state = new MemorySyncStateStore({ shopId: SHOP_ID });
    const client = new NeuroonClient({
      shopId: SHOP_ID,
      apiKey: API_KEY,
      baseUrl: `http://127.0.0.1:${port}`,
      rateLimits: false,
      maxRetries: 1,
      sleep: async () => {},
    });
    const engine = new SyncEngine({
      client,
      queue,
      state,
      source: store,
      batchSize: 50,
      now: () => clock.now,
      retry: { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 8 },
      random: () => 0.5,
    });
    await engine.fullSync();
    expect(emulator.snapshot(SHOP_ID)).toHaveLength(PRODUCTS);
    harvest();
    const before = JSON.stringify(emulator.snapshot(SHOP_ID));

    // Changes keep arriving; keys chosen deterministically, some edited several times.
    let edits = 0;
    const editRound = async (round: number) => {
      const keys: string[] = [];
      for (let i = round; i < PRODUCTS; i += 3 + round) keys.push(`p${i}`);
      for (const key of keys) store.bump(key);
      edits += keys.length;
      await queue.enqueue(keys.map((key) => ({ kind: "product" as const, key })));
    };

    // A drain during the outage either puts its changes back (failed > 0) or stops with the
    // client's error (the drift scan's list call failed first); a worker retries it later.
    const outageErrors: string[] = [];
    const drainDuringOutage = async () => {
      try {
        const summary = await engine.drain();
        expect(summary.failed + summary.sent).toBeGreaterThan(0);
        expect(summary.sent).toBe(0);
      } catch (error) {
        expect(NeuroonError.isNeuroonError(error)).toBe(true);
        outageErrors.push((error as Error).name);
      }
      const stats = await queue.stats();
      expect(stats.deadLetters).toBe(0);
      expect(stats.pending + stats.delayed + stats.inFlight).toBeGreaterThan(0);
    };

    // Outage, part 1: every request of the API answers 503 for as long as it lasts.
    const down = emulator.faults.add({
      action: { type: "error", status: 503 },
      durationMs: 3_600_000,
    });
    for (let round = 0; round < 3; round += 1) {
      await editRound(round);
      await drainDuringOutage();
      clock.now += 5 * 60_000;
    }
    expect(JSON.stringify(emulator.snapshot(SHOP_ID))).toBe(before);
    emulator.faults.remove(down);
    harvest();

    // Outage, part 2: the server is gone (connection refused) for further syncs.
    await emulator.close();
    for (let round = 3; round < 5; round += 1) {
      await editRound(round);
      await drainDuringOutage();
      clock.now += 5 * 60_000;
    }
    expect((await queue.stats()).deadLetters).toBe(0);

    // Back, on the same port with its catalog restored.
    emulator = await start(port);
    expect(JSON.stringify(emulator.snapshot(SHOP_ID))).toBe(before);
    for (let round = 0; round < 20; round += 1) {
      const stats = await queue.stats();
      if (stats.pending + stats.delayed + stats.inFlight === 0) break;
      clock.now += 10 * 60_000;
      await engine.drain();
    }
    harvest();
    expect(new Set(outageErrors)).toEqual(new Set(["ServerError", "ConnectionError"]));

    expect(await queue.stats()).toMatchObject({
      pending: 0,
      delayed: 0,
      inFlight: 0,
      deadLetters: 0,
    });
    // None lost: Neuroon holds exactly the store's latest revision of every product.
    const remote = new Map(emulator.snapshot(SHOP_ID).map((p) => [p.externalId, revisionOf(p)]));
    expect(remote.size).toBe(PRODUCTS);
    for (const [key, revision] of store.revisions) expect(remote.get(key)).toBe(revision);
    expect(edits).toBeGreaterThan(PRODUCTS / 2);

    // None sent twice out of order: per product, the revisions Neuroon accepted only go up, and
    // no revision was accepted twice.
    const accepted = new Map<string, number[]>();
    for (const request of log) {
      if (request.method !== "POST" || !request.path.endsWith("/products/sync")) continue;
      if (request.status !== 200 || request.replayed) continue;
      for (const product of (request.body as { products: NeuroonProduct[] }).products) {
        accepted.set(product.externalId, [
          ...(accepted.get(product.externalId) ?? []),
          revisionOf(product),
        ]);
      }
    }
    for (const [key, revisions] of accepted) {
      for (let i = 1; i < revisions.length; i += 1) {
        expect(revisions[i], `${key}: ${revisions.join(",")}`).toBeGreaterThan(
          revisions[i - 1] as number,
        );
      }
      expect(revisions.at(-1)).toBe(store.revisions.get(key));
    }
  });
});
