import { startEmulator } from "@neuroon/emulator";
import { NeuroonClient } from "../../src/client.js";
import { openSqliteQueue, type SqliteChangeQueue } from "../../src/queue/sqlite-queue.js";
import { MemorySyncStateStore } from "../../src/state/memory-state-store.js";
import { SyncEngine } from "../../src/sync/sync-engine.js";
import type { SyncEngineOptions, SyncEvent } from "../../src/sync/types.js";
import { FakeStore } from "./fake-store.js";

export const SHOP_ID = "shop_sync0001";
export const API_KEY = `sk_${"5a".repeat(16)}`;

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

/** Starts the emulator with one shop, rate limits off unless asked. */
export function startTestEmulator(
  options: Parameters<typeof startEmulator>[0] = {},
): Promise<Emulator> {
  return startEmulator({
    port: 0,
    shops: [{ shopId: SHOP_ID, apiKey: API_KEY, url: "https://shop.example" }],
    rateLimits: false,
    requestLogLimit: 20_000,
    ...options,
  });
}

/** The real client pointed at the emulator; fast retries so outage tests stay quick. */
export function clientFor(
  emulator: Emulator,
  options: Partial<ConstructorParameters<typeof NeuroonClient>[0]> = {},
) {
  return new NeuroonClient({
    shopId: SHOP_ID,
    apiKey: API_KEY,
    baseUrl: emulator.url,
    rateLimits: false,
    maxRetries: 1,
    sleep: async () => {},
    ...options,
  });
}

export interface Harness {
  emulator: Emulator;
  client: NeuroonClient;
  queue: SqliteChangeQueue;
  state: MemorySyncStateStore;
  store: FakeStore;
  events: SyncEvent[];
  clock: { now: number };
  engine(options?: Partial<SyncEngineOptions>): SyncEngine;
  close(): Promise<void>;
}

/**
 * Everything an engine needs, against an emulator the caller owns. The queue reads `clock`;
 * with `clockForAll`, so do the client and the engine (give the emulator the same clock to
 * control time on both sides of the wire).
 */
export function createHarness(
  emulator: Emulator,
  {
    clock = { now: Date.now() },
    clockForAll = false,
  }: { clock?: { now: number }; clockForAll?: boolean } = {},
): Harness {
  const now = () => clock.now;
  const client = clientFor(emulator, clockForAll ? { now } : {});
  const queue = openSqliteQueue({ path: ":memory:", now });
  const state = new MemorySyncStateStore({ shopId: SHOP_ID });
  const store = new FakeStore({ pageSize: 200 });
  const events: SyncEvent[] = [];
  return {
    emulator,
    client,
    queue,
    state,
    store,
    events,
    clock,
    engine: (options = {}) =>
      new SyncEngine({
        client,
        queue,
        state,
        source: store,
        retry: { baseDelayMs: 1_000, maxAttempts: 5 },
        ...(clockForAll && { now }),
        onEvent: (event) => events.push(event),
        ...options,
      }),
    close: () => queue.close(),
  };
}
