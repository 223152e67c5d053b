// Resident memory of a 1,000,000-product full pass: SyncEngine.fullSync() streams a generated
// catalog (pages of 1,000, never held at once) into the emulator, which runs in its own process
// with rate limits off, so the memory measured is the engine's (with its SQLite state and queue)
// alone. Target: peak RSS < 256 MiB. BENCH_MEMORY_PRODUCTS=… changes N; BENCH_MAX_SEC bounds each
// pass (default 600 s: the pass is aborted and reported as incomplete past it).
//
// The pass runs twice, each in a fresh child process: with Node's defaults, and with the V8 flags
// the `neuroon` bin starts node with (read from its shebang). Peak RSS is the kernel's high-water
// mark (`VmHWM` in /proc/self/status), so no short peak falls between samples.
// Bounded: 2 × ceil(N/500) sync requests to 127.0.0.1.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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
const CHILD_ARG = "--child";

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The kernel's peak resident set of this process, in bytes. */
function peakRssBytes() {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** One full pass in this process; prints its figures as one JSON line. */
async function runPass() {
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
  // The live heap after a forced GC once a second (with --expose-gc): what the engine keeps.
  let peakLiveHeap = 0;
  const heapTimer = setInterval(() => {
    globalThis.gc?.();
    peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed);
  }, 1_000);
  try {
    const rssAtStart = process.memoryUsage().rss;
    const started = performance.now();
    const summary = await engine.fullSync({ signal: AbortSignal.timeout(MAX_SEC * 1_000) });
    const ms = performance.now() - started;
    const peakRss = peakRssBytes();
    const stored = (await client.products.list({ size: 1 })).totalElements;
    console.log(
      JSON.stringify({
        syncRequests: summary.syncRequests,
        stored,
        ms,
        rssAtStart,
        peakRss,
        peakLiveHeap,
      }),
    );
  } finally {
    clearInterval(heapTimer);
    await queue.close();
    await state.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one pass in a child `node <flags>` and returns its figures. */
function passInChild(flags) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", ...flags, fileURLToPath(import.meta.url), CHILD_ARG],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`the pass with [${flags.join(" ")}] exited with ${code}`));
      else resolve(JSON.parse(output.trim().split("\n").at(-1)));
    });
  });
}

/** The node flags in the `neuroon` bin's shebang (`#!/usr/bin/env -S node --flag…`). */
function cliNodeFlags() {
  const bin = new URL("../../packages/cli/bin/neuroon.js", import.meta.url);
  const shebang = readFileSync(bin, "utf8").split("\n", 1)[0] ?? "";
  return shebang.split(/\s+/).filter((word) => word.startsWith("--"));
}

if (process.argv.includes(CHILD_ARG)) {
  await runPass();
} else {
  const expected = Math.ceil(N / 500);
  const configurations = [
    { label: "Node defaults", flags: [] },
    {
      label: `as the \`neuroon\` bin starts node (\`${cliNodeFlags().join(" ")}\`)`,
      flags: cliNodeFlags(),
    },
  ];
  console.log(`Machine: ${machine()}\n`);
  console.log(
    "| Products | Node | Sync requests (expected) | Stored in emulator | Wall time | Products/s | RSS at start | Peak RSS (VmHWM) | Peak live heap (after GC) | Target < 256 MiB |",
  );
  console.log("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const { label, flags } of configurations) {
    const pass = await passInChild(flags);
    console.log(
      `| ${N.toLocaleString("en")} | ${label} | ${pass.syncRequests} (${expected}) | ${pass.stored.toLocaleString("en")} | ${seconds(pass.ms)} | ${Math.round(N / (pass.ms / 1_000)).toLocaleString("en")} | ${mib(pass.rssAtStart)} | ${mib(pass.peakRss)} | ${mib(pass.peakLiveHeap)} | ${pass.peakRss < TARGET_MIB * 2 ** 20 ? "met" : "**not met**"} |`,
    );
    if (pass.syncRequests !== expected || pass.stored !== N) {
      console.error("unexpected figures", pass);
      process.exitCode = 1;
    }
  }
}
