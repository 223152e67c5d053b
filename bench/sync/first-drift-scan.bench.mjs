// The first edits after an initial load: what the drift check costs before they go out.
// A fresh data directory loads N products (default 100,000; BENCH_SYNC_PRODUCTS) with
// `SyncEngine.fullSync()`; then, each some minutes later on one clock shared by engine and
// emulator, a drain of 1 change, one of 100, and one of 10,000 (BENCH_FIRST_EDITS=1,100,10000).
// Before a product this engine synced is overwritten, the drift guard checks Neuroon's copy:
// paging the list of products modified since its last scan (one page per 100) or reading the
// changed products one by one, whichever costs fewer requests. The table counts the requests of
// each drain by kind (sync, list pages, GETs) and gives the floor the documented limits (sync and
// "other" buckets, 100 requests per minute each, used in parallel) would impose, with the first
// 100 of each bucket at once (burst-credited) and at the steady rate (0.6 s a request).
// Rate limits are off in the emulator (the floor column is computed from the counted requests),
// so the run takes seconds; BENCH_SYNC_RATE_LIMITS=real runs the same with the emulator's real
// limits on the real clock (no "minutes later"): each drain follows the previous one at once.
// Bounded: N/500 + at most a few thousand requests, all to 127.0.0.1.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  NeuroonClient,
  openSqliteQueue,
  openSqliteStateStore,
  SyncEngine,
} from "../../packages/core/dist/index.js";
import { startEmulator } from "../../packages/emulator/dist/index.js";
import { generatedSource, machine, SHOP_A, seconds } from "./common.mjs";

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const N = Number(process.env.BENCH_SYNC_PRODUCTS ?? 100_000);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const EDITS = (process.env.BENCH_FIRST_EDITS ?? "1,100,10000").split(",").map(Number);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const realLimits = process.env.BENCH_SYNC_RATE_LIMITS === "real";
const PER_MINUTE = 100;
const GAP_MS = 10 * 60_000;

let offsetMs = 0;
const now = () => Date.now() + offsetMs;

const dir = mkdtempSync(join(tmpdir(), "neuroon-bench-first-scan-"));
const emulator = await startEmulator({
  port: 0,
  shops: [SHOP_A],
  rateLimits: realLimits ? "real" : false,
  requestLogLimit: 100_000,
  ...(realLimits ? {} : { now }),
});
const client = new NeuroonClient({
  shopId: SHOP_A.shopId,
  apiKey: SHOP_A.apiKey,
  baseUrl: emulator.url,
  ...(realLimits ? {} : { rateLimits: false }),
});
const revisions = new Map();
const source = generatedSource(N, { revision: (i) => revisions.get(i) ?? 0 });
const queue = openSqliteQueue({ path: join(dir, "queue.db") });
const state = openSqliteStateStore({ path: join(dir, "state.db"), shopId: SHOP_A.shopId });
const engine = new SyncEngine({
  client,
  queue,
  state,
  source,
  ...(realLimits ? {} : { now }),
});

/** Requests the emulator logged since the last call, by kind. */
function takeRequests() {
  const log = emulator.requests;
  emulator.clearRequests();
  const count = (test) => log.filter(test).length;
  return {
    sync: count((r) => r.method === "POST" && r.path.endsWith("/products/sync")),
    list: count((r) => r.method === "GET" && /\/products$/.test(r.path)),
    get: count((r) => r.method === "GET" && /\/products\/[^/]+$/.test(r.path)),
    all: log.length,
  };
}

/** Floors for requests spread over the sync and the "other" bucket, used in parallel. */
function floors({ sync, list, get }) {
  const other = list + get;
  const burst = (n) => Math.max(0, Math.ceil(n / PER_MINUTE) - 1) * 60_000;
  const steady = (n) => (n * 60_000) / PER_MINUTE;
  return {
    burstMs: Math.max(burst(sync), burst(other)),
    steadyMs: Math.max(steady(sync), steady(other)),
  };
}

const rows = [];
try {
  const loadStarted = performance.now();
  const load = await engine.fullSync();
  const loadMs = performance.now() - loadStarted;
  const loaded = takeRequests();
  rows.push({
    label: `initial load (\`fullSync\`, ${N.toLocaleString("en")} products)`,
    requests: loaded,
    ms: loadMs,
    sent: load.sent,
  });
  let revision = 1;
  for (const edits of EDITS) {
    if (!realLimits) offsetMs += GAP_MS;
    // Spread the edits over the catalog, so they do not all sit in the first pages.
    const step = Math.max(1, Math.floor(N / edits));
    const keys = [];
    for (let e = 0; e < edits; e += 1) {
      const i = (e * step) % N;
      revisions.set(i, revision);
      keys.push({ kind: "product", key: `bench-${i}` });
    }
    revision += 1;
    await queue.enqueue(keys);
    const started = performance.now();
    const summary = await engine.drain();
    const ms = performance.now() - started;
    rows.push({
      label: `then ${edits.toLocaleString("en")} edit${edits === 1 ? "" : "s"}${realLimits ? "" : ", 10 min later"}`,
      requests: takeRequests(),
      ms,
      sent: summary.sent,
      conflicts: summary.conflicts,
    });
  }

  console.log(`Machine: ${machine()}\n`);
  console.log(
    `| ${N.toLocaleString("en")} products, fresh data directory | Products sent | Sync requests | List pages (drift) | GET by id (drift) | Wall time, limits ${realLimits ? "real" : "off"} | Floor, burst-credited | Floor, steady rate |`,
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const row of rows) {
    const floor = floors(row.requests);
    console.log(
      `| ${row.label} | ${row.sent.toLocaleString("en")} | ${row.requests.sync} | ${row.requests.list} | ${row.requests.get} | ${seconds(row.ms)} | ${seconds(floor.burstMs)} | ${seconds(floor.steadyMs)} |`,
    );
  }
  for (const row of rows.slice(1)) {
    if (row.conflicts !== 0) process.exitCode = 1;
  }
} finally {
  await queue.close();
  await state.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
