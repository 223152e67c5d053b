#!/usr/bin/env node
// Benchmarks @neuroon/emulator at catalog scale: fills one shop with --products products
// (default 1,000,000) over real HTTP, then times 500-product syncs and listing pages at that
// size. Runs against the built package: `pnpm --filter @neuroon/emulator build` first, then
// `node bench/emulator/emulator.bench.mjs`. Prints a markdown table; bounded by --max-sec (default 300).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    products: { type: "string", default: "1000000" },
    "max-sec": { type: "string", default: "300" },
  },
});
const TOTAL_PRODUCTS = Number(args.products);
const MAX_SEC = Number(args["max-sec"]);
const BATCH = 500;
const SAMPLES = 100;
const deadline = Date.now() + MAX_SEC * 1000;

const SHOP = {
  shopId: "shop_bench001",
  apiKey: "sk_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0",
  url: "https://bench.example",
};
// The emulator runs in its own process, as `neuroon emulator` would, so the benchmark's own
// JSON work and garbage do not land in the measured server's heap.
const entry = new URL("../../packages/emulator/dist/index.js", import.meta.url).href;
const child = spawn(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    `const { startEmulator } = await import(${JSON.stringify(entry)});
     const emu = await startEmulator({ shops: [${JSON.stringify(SHOP)}], rateLimits: false, requestLogLimit: 0 });
     console.log(emu.url);
     process.on("SIGTERM", () => emu.close().then(() => process.exit(0)));`,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
// Never leave the server behind, whatever happens to the benchmark.
process.on("exit", () => child.kill("SIGKILL"));
const [url] = await Promise.race([
  once(createInterface({ input: child.stdout }), "line"),
  once(child, "exit").then(([code]) => {
    throw new Error(`emulator process exited with ${code} before listening`);
  }),
]);
const base = `${url}/api/plugin/shops/${SHOP.shopId}`;
const memory = async () => (await (await fetch(`${url}/__emulator/health`)).json()).rssBytes;
const headers = { "x-shop-api-key": SHOP.apiKey, "content-type": "application/json" };

function product(i, version = 0) {
  return {
    externalId: `sku-${i}`,
    sku: `SKU${i}`,
    name: `Product ${i} v${version}`,
    description: "A sturdy everyday product used by the emulator benchmark.",
    price: (i % 10_000) / 100,
    currency: "EUR",
    url: `https://bench.example/p/${i}`,
    imageUrl: `https://bench.example/i/${i}.jpg`,
    categories: ["Home", "Kitchen"],
    brands: ["Bench"],
    inStock: i % 7 !== 0,
    stockQuantity: i % 50,
  };
}

function batchBody(from, version = 0) {
  const products = [];
  for (let i = from; i < from + BATCH; i++) products.push(product(i, version));
  return JSON.stringify({ syncType: "INCREMENTAL", products });
}

async function call(path, init) {
  const res = await fetch(`${base}${path}`, { headers, ...init });
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${path}: ${text.slice(0, 200)}`);
  return text;
}

async function timeIt(fn, samples = SAMPLES) {
  const times = [];
  for (let i = 0; i < samples && Date.now() < deadline; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? Number.NaN;
  return { n: times.length, p50: q(0.5), p95: q(0.95), max: times[times.length - 1] ?? Number.NaN };
}

const rows = [];
const fmt = (ms) => ms.toFixed(2);
function row(name, r) {
  rows.push(`| ${name} | ${r.n} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.max)} |`);
}

// Fill: pre-serialised bodies would cost memory; build each body just before sending it.
const fillStart = performance.now();
let filled = 0;
const CONCURRENCY = 2;
async function filler(worker) {
  for (let from = worker * BATCH; from < TOTAL_PRODUCTS; from += BATCH * CONCURRENCY) {
    if (Date.now() > deadline) throw new Error("deadline reached while filling");
    await call("/products/sync", { method: "POST", body: batchBody(from) });
    filled += BATCH;
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => filler(w)));
const fillSec = (performance.now() - fillStart) / 1000;
const rssAfterFill = await memory();

// Pre-build bodies so the timings measure the emulator, not the benchmark's JSON.stringify.
const updateBodies = Array.from({ length: SAMPLES }, (_, i) =>
  batchBody(Math.floor((i * 7919 * BATCH) % (TOTAL_PRODUCTS - BATCH)), 1),
);
row(
  `sync 500 updates @ ${filled.toLocaleString("en")} products`,
  await timeIt((i) => call("/products/sync", { method: "POST", body: updateBodies[i] })),
);
const newBodies = Array.from({ length: SAMPLES }, (_, i) => batchBody(TOTAL_PRODUCTS + i * BATCH));
row(
  "sync 500 new products",
  await timeIt((i) => call("/products/sync", { method: "POST", body: newBodies[i] })),
);
const size = 100;
const lastPage = Math.floor(filled / size) - 1;
row("list page 0 (size 100)", await timeIt(() => call(`/products?page=0&size=${size}`)));
row(
  `list page ${Math.floor(lastPage / 2)} (size 100)`,
  await timeIt(() => call(`/products?page=${Math.floor(lastPage / 2)}&size=${size}`)),
);
row(
  `list page ${lastPage} (size 100)`,
  await timeIt(() => call(`/products?page=${lastPage}&size=${size}`)),
);
row(
  "list sort=updatedAt,desc page 5000",
  await timeIt(() => call(`/products?page=5000&size=${size}&sort=updatedAt,desc`)),
);
const midIso = new Date(Date.now() - 1000).toISOString();
row(
  "list modifiedAfter (size 100)",
  await timeIt(() => call(`/products?size=${size}&modifiedAfter=${midIso}`)),
);
let cursor = "";
row(
  "cursor page (limit 100), walking",
  await timeIt(async () => {
    const body = JSON.parse(await call(`/products?cursor=${cursor}&limit=100`));
    cursor = body.nextCursor ?? "";
  }),
);
row(
  "GET product by externalId",
  await timeIt((i) => call(`/products/sku-${(i * 104_729) % filled}`)),
);
row(
  "list sort=name,asc (first = builds sorted copy)",
  await timeIt(() => call(`/products?page=3&size=${size}&sort=name,asc`), 1),
);
row(
  "list sort=name,asc (cached)",
  await timeIt(() => call(`/products?page=7&size=${size}&sort=name,asc`), 20),
);

child.kill("SIGTERM");
await once(child, "exit");
console.log(
  `Emulator benchmark: ${filled.toLocaleString("en")} products filled in ${fillSec.toFixed(1)} s (${Math.round(filled / fillSec).toLocaleString("en")} products/s over HTTP, ${CONCURRENCY} connections); emulator RSS after fill ${(rssAfterFill / 2 ** 20).toFixed(0)} MiB.`,
);
console.log(
  `Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${new Date().toISOString()}`,
);
console.log("");
console.log("| Operation | Samples | p50 ms | p95 ms | max ms |");
console.log("|---|---:|---:|---:|---:|");
for (const line of rows) console.log(line);
