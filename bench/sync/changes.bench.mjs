// The same 10,000 product changes (BENCH_SYNC_CHANGES=…) two ways, on two shops of one emulator:
//  - engine: enqueued to the change queue and drained (coalesced, batched, drift-checked in bulk);
//  - per-product: the vendor docs' pattern (server-to-server page, "Conflict detection before
//    overwriting"): GET the product, compare with the last-known snapshot, POST a 1-product sync.
//  - the WordPress plugin's pattern, as a baseline: the changed products in sync requests of 50,
//    with no drift check (a third shop).
// Emulator rate limits are OFF on every side (the per-product side would need ≥100 minutes at the
// documented 100 sync requests/min); the table also gives the floor each side would hit with them.
// Both shops start from the same synced catalog; the engine's warm-up (first drift scan) is not timed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  diffDrift,
  NeuroonClient,
  openSqliteQueue,
  openSqliteStateStore,
  SyncEngine,
} from "../../packages/core/dist/index.js";
import { startEmulator } from "../../packages/emulator/dist/index.js";
import { generatedSource, machine, product, SHOP_A, SHOP_B, seconds } from "./common.mjs";

const SHOP_C = {
  shopId: "shop_bench0003",
  apiKey: `sk_${"c3".repeat(16)}`,
  url: "https://bench-c.example",
};

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const CHANGES = Number(process.env.BENCH_SYNC_CHANGES ?? 10_000);
const CATALOG = CHANGES;
const PER_MINUTE = 100;

// One clock for emulator and engine, so "ten minutes later" needs no real waiting.
let offsetMs = 0;
const now = () => Date.now() + offsetMs;

const dir = mkdtempSync(join(tmpdir(), "neuroon-bench-changes-"));
const emulator = await startEmulator({
  port: 0,
  shops: [SHOP_A, SHOP_B, SHOP_C],
  rateLimits: false,
  requestLogLimit: 0,
  now,
});
const clientA = new NeuroonClient({
  shopId: SHOP_A.shopId,
  apiKey: SHOP_A.apiKey,
  baseUrl: emulator.url,
  rateLimits: false,
});
const clientB = new NeuroonClient({
  shopId: SHOP_B.shopId,
  apiKey: SHOP_B.apiKey,
  baseUrl: emulator.url,
  rateLimits: false,
});
const clientC = new NeuroonClient({
  shopId: SHOP_C.shopId,
  apiKey: SHOP_C.apiKey,
  baseUrl: emulator.url,
  rateLimits: false,
});
const revisions = new Map();
const source = generatedSource(CATALOG, { revision: (i) => revisions.get(i) ?? 0 });
const queue = openSqliteQueue({ path: join(dir, "queue.db") });
const state = openSqliteStateStore({ path: join(dir, "state.db"), shopId: SHOP_A.shopId });
const engine = new SyncEngine({ client: clientA, queue, state, source, now });

try {
  // Same starting catalog on both shops.
  await engine.fullSync();
  const lastKnown = new Map();
  for (let start = 0; start < CATALOG; start += 500) {
    const batch = [];
    for (let i = start; i < Math.min(CATALOG, start + 500); i += 1) batch.push(product(i));
    await clientB.products.sync({ syncType: "INCREMENTAL", products: batch });
    await clientC.products.sync({ syncType: "INCREMENTAL", products: batch });
    for (const p of batch) lastKnown.set(p.externalId, p);
  }
  // Warm-up: ten minutes later one change, so the engine's first drift scan (which lists the
  // initial load) is behind us, as in a long-running installation. Then ten more minutes pass.
  offsetMs += 10 * 60_000;
  revisions.set(0, 1);
  await queue.enqueue({ kind: "product", key: "bench-0" });
  const warmupStarted = performance.now();
  const warmup = await engine.drain();
  const warmupMs = performance.now() - warmupStarted;
  offsetMs += 10 * 60_000;

  // The same CHANGES changes on both sides.
  for (let i = 0; i < CHANGES; i += 1) revisions.set(i, 2);
  await queue.enqueue(
    Array.from({ length: CHANGES }, (_, i) => ({ kind: "product", key: `bench-${i}` })),
  );
  const engineStarted = performance.now();
  const summary = await engine.drain();
  const engineMs = performance.now() - engineStarted;

  let perRequests = 0;
  let conflicts = 0;
  const perStarted = performance.now();
  for (let i = 0; i < CHANGES; i += 1) {
    const local = product(i, 2);
    perRequests += 1;
    const remote = await clientB.products.get(local.externalId).catch(() => null);
    if (remote && diffDrift(lastKnown.get(local.externalId) ?? {}, remote).length > 0) {
      conflicts += 1;
      continue;
    }
    perRequests += 1;
    await clientB.products.sync({ syncType: "INCREMENTAL", products: [local] });
    lastKnown.set(local.externalId, local);
  }
  const perMs = performance.now() - perStarted;

  // The WordPress plugin's pattern: the changed products, 50 per sync request, no drift check.
  let wpRequests = 0;
  const wpStarted = performance.now();
  for (let start = 0; start < CHANGES; start += 50) {
    const batch = [];
    for (let i = start; i < Math.min(CHANGES, start + 50); i += 1) batch.push(product(i, 2));
    await clientC.products.sync({ syncType: "INCREMENTAL", products: batch });
    wpRequests += 1;
  }
  const wpMs = performance.now() - wpStarted;

  const listRequests = summary.requests - summary.syncRequests;
  // Floors with the documented limits: sync bucket and "other" bucket, 100 requests/min each,
  // used in parallel by the engine (sync + list), one after the other per product by the docs' loop.
  // Burst-credited: the first 100 of a bucket at once; steady rate: 0.6 s a request.
  const floor = (requests) => Math.floor(Math.max(0, requests - 1) / PER_MINUTE) * 60_000;
  const steady = (requests) => (requests * 60_000) / PER_MINUTE;
  const engineFloor = Math.max(floor(summary.syncRequests), floor(listRequests));
  const engineSteady = Math.max(steady(summary.syncRequests), steady(listRequests));
  // The docs' loop alternates GET and POST, each in its own bucket: the sync bucket binds.
  const perFloor = floor(CHANGES);
  const perSteady = steady(CHANGES);
  const same =
    JSON.stringify(
      emulator
        .snapshot(SHOP_A.shopId)
        .map((p) => [p.externalId, p.price])
        .sort(),
    ) ===
    JSON.stringify(
      emulator
        .snapshot(SHOP_B.shopId)
        .map((p) => [p.externalId, p.price])
        .sort(),
    );

  console.log(`Machine: ${machine()}\n`);
  console.log(
    `| ${CHANGES.toLocaleString("en")} changes | Requests | of which sync | of which list (drift) / GET | Wall time (limits off) | Floor, burst-credited | Floor, steady rate | Conflicts |`,
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  console.log(
    `| Engine (queue → drain) | ${summary.requests} | ${summary.syncRequests} | ${listRequests} | ${seconds(engineMs)} | ${seconds(engineFloor)} | ${seconds(engineSteady)} | ${summary.conflicts} |`,
  );
  console.log(
    `| Per-product (GET, compare, POST) | ${perRequests.toLocaleString("en")} | ${(perRequests - CHANGES).toLocaleString("en")} | ${CHANGES.toLocaleString("en")} | ${seconds(perMs)} | ${seconds(perFloor)} | ${seconds(perSteady)} | ${conflicts} |`,
  );
  console.log(
    `| WordPress plugin's pattern (50 per sync request, no drift check) | ${wpRequests.toLocaleString("en")} | ${wpRequests.toLocaleString("en")} | 0 | ${seconds(wpMs)} | ${seconds(floor(wpRequests))} | ${seconds(steady(wpRequests))} | — |`,
  );
  console.log(
    `\nEngine warm-up drain (1 change ten minutes after the initial load: the first drift check): ${warmup.requests} requests (${warmup.syncRequests} sync), ${seconds(warmupMs)}. Both shops identical afterwards: ${same}.`,
  );
  if (!same || summary.sent !== CHANGES) process.exitCode = 1;
} finally {
  await queue.close();
  await state.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
