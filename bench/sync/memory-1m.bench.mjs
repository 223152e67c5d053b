// Resident memory of a 1,000,000-product full pass: SyncEngine.fullSync() streams a generated
// catalog (pages of 1,000, never held at once) into the emulator, which runs in its own process
// with rate limits off, so the RSS sampled here is the engine's (with its SQLite state and queue)
// alone. Target: peak RSS < 256 MiB. BENCH_MEMORY_PRODUCTS=… changes N; BENCH_MAX_SEC bounds the
// run (default 600 s: the pass is aborted and reported as incomplete past it).
// Bounded: ceil(N/500) sync requests to 127.0.0.1.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  NeuroonClient,
  openSqliteQueue,
  openSqliteStateStore,
  SyncEngine,
} from "../../packages/core/dist/index.js";
import { generatedSource, machine, SHOP_A, seconds, startEmulatorProcess } from "./common.mjs";

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const N = Number(process.env.BENCH_MEMORY_PRODUCTS ?? 1_000_000);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const MAX_SEC = Number(process.env.BENCH_MAX_SEC ?? 600);
const TARGET_MIB = 256;

const dir = mkdtempSync(join(tmpdir(), "neuroon-bench-mem-"));
const emulator = await startEmulatorProcess({
  port: 0,
  shops: [{ ...SHOP_A, maxProducts: Math.max(2_000_000, N) }],
  rateLimits: false,
  requestLogLimit: 0,
});
const client = new NeuroonClient({
  shopId: SHOP_A.shopId,
  apiKey: SHOP_A.apiKey,
  baseUrl: emulator.url,
  rateLimits: false,
});
const queue = openSqliteQueue({ path: join(dir, "queue.db") });
const state = openSqliteStateStore({ path: join(dir, "state.db"), shopId: SHOP_A.shopId });
const engine = new SyncEngine({ client, queue, state, source: generatedSource(N) });

// RSS sampled every 100 ms without forcing GC (what an operator's monitor would see), plus the
// live heap after a forced GC once a second (with --expose-gc).
const baseline = process.memoryUsage().rss;
let peakRss = baseline;
let peakLiveHeap = 0;
let samples = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  samples += 1;
}, 100);
const heapTimer = setInterval(() => {
  globalThis.gc?.();
  peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed);
}, 1_000);

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
try {
  const started = performance.now();
  const summary = await engine.fullSync({ signal: AbortSignal.timeout(MAX_SEC * 1_000) });
  const ms = performance.now() - started;
  clearInterval(rssTimer);
  clearInterval(heapTimer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  globalThis.gc?.();
  peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed);
  const stored = (await client.products.list({ size: 1 })).totalElements;
  const expected = Math.ceil(N / 500);
  console.log(`Machine: ${machine()}\n`);
  console.log(
    "| Products | Sync requests (expected) | Stored in emulator | Wall time | Products/s | RSS at start | Peak RSS (100 ms samples) | Peak live heap (after GC) | Target |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  console.log(
    `| ${N.toLocaleString("en")} | ${summary.syncRequests} (${expected}) | ${stored.toLocaleString("en")} | ${seconds(ms)} | ${Math.round(N / (ms / 1_000)).toLocaleString("en")} | ${mib(baseline)} | ${mib(peakRss)} | ${mib(peakLiveHeap)} | < ${TARGET_MIB} MiB: ${peakRss < TARGET_MIB * 2 ** 20 ? "met" : "NOT met"} |`,
  );
  console.log(`\n(${samples} RSS samples)`);
  if (summary.syncRequests !== expected || stored !== N) {
    console.error("unexpected figures", { summary, stored });
    process.exitCode = 1;
  }
} finally {
  clearInterval(rssTimer);
  clearInterval(heapTimer);
  await queue.close();
  await state.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
