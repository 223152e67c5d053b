// Full sync of N products (default 100,000; BENCH_SYNC_PRODUCTS=…) against the emulator with its
// REAL rate limits (sync bucket 100 requests / 1 min; BENCH_SYNC_RATE_LIMITS=off to disable).
// Expects exactly ceil(N/500) sync requests and compares wall time with the rate-limit floor,
// then runs a second pass that must send nothing. Bounded: N/500 requests, ~N/50,000 minutes.
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
  // The emulator counts fixed 60 s windows, each opened by the first request after the previous
  // one ended (the client's own limiter is a sliding window, which gives the same bound): R sync
  // requests need ceil(R/100) windows and the last one cannot start before the last window opens,
  // so floor = (ceil(R/100) - 1) × 60 s. For R = 200 that is one full window: 60 s.
  const floorMs = realLimits ? (Math.ceil(expected / SYNC_LIMIT) - 1) * WINDOW_MS : 0;
  console.log(`Machine: ${machine()}\n`);
  console.log(
    `| Products | Rate limits | Sync requests (expected ceil(N/500)) | Stored in emulator | Wall time | Rate-limit floor | Wall / floor (target ≤ 1.05) | Peak RSS / heap | Second pass: requests / unchanged / time |`,
  );
  console.log(`|---:|---|---:|---:|---:|---:|---:|---:|---|`);
  console.log(
    `| ${N.toLocaleString("en")} | ${realLimits ? "real (sync 100/min)" : "off"} | ${first.syncRequests} (${expected}) | ${stored.toLocaleString("en")} | ${seconds(firstMs)} | ${realLimits ? seconds(floorMs) : "—"} | ${floorMs > 0 ? `${(firstMs / floorMs).toFixed(3)}×` : "—"} | ${firstMemory.rssMiB.toFixed(0)} / ${firstMemory.heapMiB.toFixed(0)} MiB | ${second.requests} / ${second.unchanged.toLocaleString("en")} / ${seconds(secondMs)} |`,
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
