// Resident memory of `neuroon sync` on a 1,000,000-line JSON Lines feed, once with every line
// valid and once with every line rejected, as a user runs it (the `neuroon` bin with its shebang's
// node flags, `--json` output). The emulator runs in its own process with rate limits off, so the
// memory measured is the CLI's alone. Target: peak RSS < 256 MiB, the 1M full pass's.
// BENCH_FEED_LINES=… changes N; BENCH_FEED_CASES=rejected,valid picks the runs; BENCH_MAX_SEC bounds
// each run (default 1,800 s: the valid feed's 2,000 sync requests take 20 minutes at the documented
// 100 per minute, which the CLI's client paces to).
//
// Peak RSS is the kernel's high-water mark of the CLI process (`VmHWM` in /proc/<pid>/status),
// read every 100 ms; it only grows, so the last reading before exit is the peak.
// Bounded: ceil(N/500) sync requests to 127.0.0.1 for the valid feed, none for the rejected one.
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { machine, product, SHOP_A, seconds, startEmulatorProcess } from "./common.mjs";

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const N = Number(process.env.BENCH_FEED_LINES ?? 1_000_000);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const MAX_SEC = Number(process.env.BENCH_MAX_SEC ?? 1_800);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const CASES = (process.env.BENCH_FEED_CASES ?? "rejected,valid").split(",");
const TARGET_MIB = 256;
const BIN = fileURLToPath(new URL("../../packages/cli/bin/neuroon.js", import.meta.url));

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Writes an N-line feed; `isValid` false gives every line a negative price. */
async function writeFeed(path, isValid) {
  const out = createWriteStream(path);
  for (let i = 0; i < N; i += 1) {
    const line = `${JSON.stringify(isValid ? product(i) : { ...product(i), price: -1 })}\n`;
    if (!out.write(line)) await new Promise((resolve) => out.once("drain", resolve));
  }
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
}

function peakRssOf(pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `neuroon sync <feed> --json` and returns its exit code, figures and peak RSS. */
function runCli(feed, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // The bin itself, so its shebang's node flags apply as for a user.
    const child = spawn(BIN, ["sync", feed, "--json"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let peakRss = 0;
    const timer = setInterval(() => {
      peakRss = Math.max(peakRss, peakRssOf(child.pid));
    }, 100);
    const deadline = setTimeout(() => child.kill("SIGTERM"), MAX_SEC * 1_000);
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(timer);
      clearTimeout(deadline);
      resolve({ code, ms: performance.now() - started, peakRss, json: JSON.parse(stdout) });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "neuroon-bench-feed-"));
const emulator = await startEmulatorProcess({
  port: 0,
  shops: [{ ...SHOP_A, maxProducts: Math.max(2_000_000, N) }],
  rateLimits: false,
  requestLogLimit: 0,
});
try {
  console.log(`Machine: ${machine()}\n`);
  console.log(
    "| Feed lines | Lines | Exit | Sync requests | Rejected (total / in --json) | `--json` size | Wall time | Peak RSS (VmHWM) | Target < 256 MiB |",
  );
  console.log("|---:|---|---:|---:|---:|---:|---:|---:|---|");
  for (const isValid of CASES.map((name) => name.trim() === "valid")) {
    const feed = join(dir, isValid ? "valid.jsonl" : "rejected.jsonl");
    await writeFeed(feed, isValid);
    const run = await runCli(feed, {
      NEUROON_API_URL: emulator.url,
      NEUROON_SHOP_ID: SHOP_A.shopId,
      NEUROON_API_KEY: SHOP_A.apiKey,
      NEUROON_DATA_DIR: join(dir, isValid ? "data-valid" : "data-rejected"),
    });
    if (run.json.summary === undefined) {
      console.error(`the run ended without a summary (exit ${run.code}):`, run.json.error);
      process.exitCode = 1;
    }
    const { summary = {}, rejected = { total: 0, sample: [] } } = run.json;
    console.log(
      `| ${N.toLocaleString("en")} | ${isValid ? "all valid" : "all rejected (price -1)"} | ${run.code} | ${summary.syncRequests} | ${rejected.total.toLocaleString("en")} / ${rejected.sample.length} | ${(JSON.stringify(run.json).length / 1024).toFixed(0)} KiB | ${seconds(run.ms)} | ${mib(run.peakRss)} | ${run.peakRss < TARGET_MIB * 2 ** 20 ? "met" : "**not met**"} |`,
    );
    const expectedCode = isValid ? 0 : 3;
    if (run.code !== expectedCode) {
      console.error(`unexpected exit ${run.code} (expected ${expectedCode})`);
      process.exitCode = 1;
    }
    rmSync(feed, { force: true });
  }
} finally {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
