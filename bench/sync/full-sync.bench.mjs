// Full sync of N products (default 100,000; BENCH_SYNC_PRODUCTS=…) against the emulator with its
// REAL rate limits (sync bucket 100 requests / 1 min; BENCH_SYNC_RATE_LIMITS=off to disable).
// Expects exactly ceil(N/500) sync requests and compares wall time with two rate-limit floors
// (below), then runs a second pass that must send nothing. Beside it, the WordPress plugin's
// pattern (50 products per sync request) as a baseline: its request count and floors, computed
// from the same rules. Bounded: N/500 requests, ~N/50,000 minutes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  NeuroonClient,
  openSqliteQueue,
  openSqliteStateStore,
  SyncEngine,
} from "../../packages/core/dist/index.js";
import {
  generatedSource,
  machine,
  memorySampler,
  SHOP_A,
  seconds,
  startEmulatorProcess,
} from "./common.mjs";

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const N = Number(process.env.BENCH_SYNC_PRODUCTS ?? 100_000);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const realLimits = process.env.BENCH_SYNC_RATE_LIMITS !== "off";
const SYNC_LIMIT = 100;
const WINDOW_MS = 60_000;

/**
 * The two floors for R sync requests at 100 per minute.
 * - Burst-credited: the emulator counts fixed 60 s windows, each opened by the first request after
 *   the previous one ended (the client's own limiter is a sliding window, which gives the same
 *   bound), so the first 100 go out at once: R requests need ceil(R/100) windows and the last one
 *   cannot start before the last window opens: (ceil(R/100) - 1) × 60 s. For R = 200: 60 s.
 * - Steady-rate: R requests at 100 per minute, R × 0.6 s (N/50,000 minutes for R = N/500): what a
 *   long-running sync settles to once the first burst is spent. For R = 200: 120 s.
 */
function rateLimitFloors(requests) {
  return {
    burstMs: (Math.ceil(requests / SYNC_LIMIT) - 1) * WINDOW_MS,
    steadyMs: (requests * WINDOW_MS) / SYNC_LIMIT,
  };
}

const minutes = (ms) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : seconds(ms));

const dir = mkdtempSync(join(tmpdir(), "neuroon-bench-full-"));
// The emulator runs in its own process: the peak RSS below is the engine's (with its SQLite state).
const emulator = await startEmulatorProcess({
  port: 0,
  shops: [SHOP_A],
  rateLimits: realLimits ? "real" : false,
  requestLogLimit: 0,
});
const client = new NeuroonClient({
  shopId: SHOP_A.shopId,
  apiKey: SHOP_A.apiKey,
  baseUrl: emulator.url,
  ...(realLimits ? {} : { rateLimits: false }),
});
const queue = openSqliteQueue({ path: join(dir, "queue.db") });
const state = openSqliteStateStore({ path: join(dir, "state.db"), shopId: SHOP_A.shopId });
const engine = new SyncEngine({ client, queue, state, source: generatedSource(N) });

try {
  const memory = memorySampler();
  const started = performance.now();
  const first = await engine.fullSync();
  const firstMs = performance.now() - started;
  const firstMemory = memory.stop();
  const stored = (await client.products.list({ size: 1 })).totalElements;

  const secondStarted = performance.now();
  const second = await engine.fullSync();
  const secondMs = performance.now() - secondStarted;

  const expected = Math.ceil(N / 500);
  const floors = rateLimitFloors(expected);
  const wordpress = rateLimitFloors(Math.ceil(N / 50));
  const ratio = (floorMs) =>
    realLimits && floorMs > 0 ? `${(firstMs / floorMs).toFixed(3)}×` : "—";
  console.log(`Machine: ${machine()}\n`);
  console.log(
    `| Products | Rate limits | Sync requests (expected ceil(N/500)) | Stored in emulator | Wall time | Burst-credited floor | Wall / burst floor (target ≤ 1.05) | Steady-rate floor (N/50,000 min) | Wall / steady floor | Peak RSS / heap | Second pass: requests / unchanged / time |`,
  );
  console.log(`|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|`);
  console.log(
    `| ${N.toLocaleString("en")} | ${realLimits ? "real (sync 100/min)" : "off"} | ${first.syncRequests} (${expected}) | ${stored.toLocaleString("en")} | ${seconds(firstMs)} | ${seconds(floors.burstMs)} | ${ratio(floors.burstMs)} | ${seconds(floors.steadyMs)} | ${ratio(floors.steadyMs)} | ${firstMemory.rssMiB.toFixed(0)} / ${firstMemory.heapMiB.toFixed(0)} MiB | ${second.requests} / ${second.unchanged.toLocaleString("en")} / ${seconds(secondMs)} |`,
  );
  console.log(
    `\nBaseline, the WordPress plugin's pattern (50 products per sync request), same ${N.toLocaleString("en")} products: ${Math.ceil(N / 50).toLocaleString("en")} sync requests (${(Math.ceil(N / 50) / expected).toFixed(0)}× ours); burst-credited floor ${minutes(wordpress.burstMs)}, steady-rate floor ${minutes(wordpress.steadyMs)} (ours: ${minutes(floors.burstMs)} / ${minutes(floors.steadyMs)}).`,
  );
  if (first.syncRequests !== expected || stored !== N || second.requests !== 0) {
    console.error("unexpected figures", { first, second, stored });
    process.exitCode = 1;
  }
} finally {
  await queue.close();
  await state.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
