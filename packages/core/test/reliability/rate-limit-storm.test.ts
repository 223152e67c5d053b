import { type EmulatorHandle, type RecordedRequest, startEmulator } from "@neuroon/emulator";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { NeuroonClient } from "../../src/client.js";
import { VirtualTime } from "./virtual-time.js";

// A 429 storm with Retry-After against the emulator's real rate limits (sync bucket: 100 requests
// per 60 s fixed window), with the real client and its default pacing. Client and emulator share a
// virtual clock (./virtual-time.ts), so the assertions are about the instants the emulator
// recorded — counts per window and gaps after each 429 — not about wall-clock durations.

const SHOP_ID = "shop_storm0001";
const API_KEY = `sk_${"7c".repeat(16)}`;
const SYNC_PATH = `/api/plugin/shops/${SHOP_ID}/products/sync`;
const WINDOW_MS = 60_000;
const SYNC_LIMIT = 100;
const START = Date.parse("2026-11-23T12:00:00.000Z");

const atMs = (request: RecordedRequest) => Date.parse(`${request.at}Z`);

let time: VirtualTime;
let emulator: EmulatorHandle;

beforeEach(async () => {
  time = new VirtualTime(START);
  emulator = await startEmulator({
    port: 0,
    shops: [{ shopId: SHOP_ID, apiKey: API_KEY, url: "https://storm.example" }],
    rateLimits: "real",
    requestLogLimit: 10_000,
    now: time.clock,
  });
});

afterEach(async () => {
  await emulator.close();
});

function client(): NeuroonClient {
  return new NeuroonClient({
    shopId: SHOP_ID,
    apiKey: API_KEY,
    baseUrl: emulator.url,
    maxRetries: 8,
    sleep: time.sleep,
    now: time.clock,
    random: () => 0.5,
    ...time.hooks,
  });
}

const product = (i: number) => ({
  externalId: `storm-${i}`,
  name: `Storm product ${i}`,
  price: 10 + i,
  currency: "EUR",
  url: `https://storm.example/p/${i}`,
});

/** Sync requests the emulator saw, in arrival order. */
const syncRequests = () =>
  emulator.requests.filter((r) => r.method === "POST" && r.path === SYNC_PATH);

/** The largest number of requests whose start lies in any interval of `windowMs`. */
function maxInAnyWindow(instants: readonly number[], windowMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi += 1) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe("a 429 storm with Retry-After", () => {
  test("250 concurrent syncs: every one lands, each retry waits Retry-After, no window holds more than 100", async () => {
    const api = client();
    // Every sync request for the next 10 s (virtual) gets 429 with Retry-After: 3.
    const storm = emulator.faults.rateLimitStorm({
      durationMs: 10_000,
      retryAfterSec: 3,
      limit: SYNC_LIMIT,
      match: { path: SYNC_PATH },
    });
    const results = await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        api.products.sync({ syncType: "INCREMENTAL", products: [product(i)] }),
      ),
    );

    expect(results).toHaveLength(250);
    expect(emulator.snapshot(SHOP_ID)).toHaveLength(250);
    const requests = syncRequests();
    const stormed = requests.filter((r) => r.status === 429);
    // The storm happened, and every 429 came from it: the emulator's own limiter never fired.
    expect(stormed.length).toBeGreaterThan(0);
    expect(stormed.every((r) => r.faultId === storm)).toBe(true);
    expect(requests.filter((r) => r.status === 200)).toHaveLength(250);
    expect(requests.every((r) => r.status === 200 || r.status === 429)).toBe(true);

    // Never more than 100 sync requests in any 60 s interval, 429s included; 250 successes
    // therefore span at least two full windows of the shared clock.
    const instants = requests.map(atMs);
    expect(maxInAnyWindow(instants, WINDOW_MS)).toBeLessThanOrEqual(SYNC_LIMIT);
    expect(Math.max(...instants) - Math.min(...instants)).toBeGreaterThanOrEqual(2 * WINDOW_MS);

    // Each retry of a call (same idempotency key) starts at least Retry-After after the 429.
    const byKey = new Map<string, RecordedRequest[]>();
    for (const request of requests) {
      const key = request.idempotencyKey ?? "";
      byKey.set(key, [...(byKey.get(key) ?? []), request]);
    }
    expect(byKey.size).toBe(250);
    let retries = 0;
    for (const attempts of byKey.values()) {
      expect(attempts.at(-1)?.status).toBe(200);
      for (let i = 1; i < attempts.length; i += 1) {
        const previous = attempts[i - 1] as RecordedRequest;
        expect(previous.status).toBe(429);
        expect(atMs(attempts[i] as RecordedRequest) - atMs(previous)).toBeGreaterThanOrEqual(3_000);
        retries += 1;
      }
    }
    expect(retries).toBe(stormed.length);
    // Nothing was sent while the storm lasted except first attempts and waited-out retries: no
    // request followed its own 429 early, so no call needed more than ceil(10 s / 3 s) + 1 tries.
    for (const attempts of byKey.values()) expect(attempts.length).toBeLessThanOrEqual(5);
  });

  test("a storm longer than the client will wait fails the call with RateLimitError, after waiting as told", async () => {
    const api = new NeuroonClient({
      shopId: SHOP_ID,
      apiKey: API_KEY,
      baseUrl: emulator.url,
      maxRetries: 2,
      sleep: time.sleep,
      now: time.clock,
      random: () => 0.5,
      ...time.hooks,
    });
    emulator.faults.rateLimitStorm({ times: 10, retryAfterSec: 20, match: { path: SYNC_PATH } });
    await expect(
      api.products.sync({ syncType: "INCREMENTAL", products: [product(1)] }),
    ).rejects.toMatchObject({ name: "RateLimitError", status: 429 });
    const attempts = syncRequests();
    expect(attempts.map((r) => r.status)).toEqual([429, 429, 429]);
    for (let i = 1; i < attempts.length; i += 1) {
      expect(
        atMs(attempts[i] as RecordedRequest) - atMs(attempts[i - 1] as RecordedRequest),
      ).toBeGreaterThanOrEqual(20_000);
    }
    expect(emulator.snapshot(SHOP_ID)).toHaveLength(0);
  });
});
