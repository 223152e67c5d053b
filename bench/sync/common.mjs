// Shared helpers of the sync-engine benchmarks (plain node against the built packages).
import { execSync } from "node:child_process";
import { cpus, freemem, loadavg, totalmem } from "node:os";

export const SHOP_A = {
  shopId: "shop_bench0001",
  apiKey: `sk_${"a1".repeat(16)}`,
  url: "https://bench-a.example",
};
export const SHOP_B = {
  shopId: "shop_bench0002",
  apiKey: `sk_${"b2".repeat(16)}`,
  url: "https://bench-b.example",
};

/** A deterministic product; `revision` changes price and name. */
export function product(i, revision = 0) {
  return {
    externalId: `bench-${i}`,
    name: `Bench product ${i} r${revision}`,
    price: 10 + (i % 90) + revision,
    currency: "EUR",
    url: `https://bench.example/p/${i}`,
    description: `A product used by the sync benchmark, number ${i}.`,
    sku: `B-${i}`,
    inStock: true,
    stockQuantity: i % 50,
    categories: ["Bench", "Root"],
  };
}

/** A store of `count` products streamed in pages, never held in memory at once. */
export function generatedSource(count, { pageSize = 1_000, revision = () => 0 } = {}) {
  return {
    async readProducts(keys) {
      const products = [];
      const missing = [];
      for (const key of keys) {
        const i = Number(key.slice("bench-".length));
        if (Number.isInteger(i) && i >= 0 && i < count) products.push(product(i, revision(i)));
        else missing.push(key);
      }
      return { products, missing };
    },
    async *streamCatalog() {
      for (let start = 0; start < count; start += pageSize) {
        const page = [];
        for (let i = start; i < Math.min(count, start + pageSize); i += 1)
          page.push(product(i, revision(i)));
        yield page;
      }
    },
  };
}

/**
 * Peak RSS / heap sampler. With `--expose-gc` (bench/run-all.mjs passes it) it collects garbage
 * before each sample, so the heap figure is live data rather than V8's lazy headroom.
 */
export function memorySampler(intervalMs = 250) {
  let rss = 0;
  let heap = 0;
  const sample = () => {
    globalThis.gc?.();
    const usage = process.memoryUsage();
    rss = Math.max(rss, usage.rss);
    heap = Math.max(heap, usage.heapUsed);
  };
  const timer = setInterval(sample, intervalMs);
  sample();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rssMiB: rss / 2 ** 20, heapMiB: heap / 2 ** 20 };
    },
  };
}

/**
 * The machine line every bench prints: cores, CPU model, memory, Node, date and the load average
 * (the machine is shared, so a figure means little without the load it was measured under).
 */
export function machine() {
  let free = "";
  try {
    free =
      execSync("free -h", { encoding: "utf8" }).trim().split("\n")[1]?.replace(/\s+/g, " ") ?? "";
  } catch {
    free = `${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free`;
  }
  const model = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `nproc ${cpus().length} (${model}); free -h: \`${free}\`; Node ${process.version}; ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; ${loadAverage()}`;
}

/** `load average 1.2 / 0.9 / 0.6` (1, 5 and 15 minutes), as `uptime` prints it. */
export function loadAverage() {
  return `load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(" / ")}`;
}

export const seconds = (ms) => `${(ms / 1_000).toFixed(1)} s`;

const EMULATOR_MODULE = new URL("../../packages/emulator/dist/index.js", import.meta.url).href;

/**
 * Starts the emulator in its own process, so the benchmark process's memory is the engine's
 * alone. Options must be JSON (no clock functions).
 */
export async function startEmulatorProcess(options) {
  const { spawn } = await import("node:child_process");
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { startEmulator } from ${JSON.stringify(EMULATOR_MODULE)};
       const emulator = await startEmulator(JSON.parse(process.env.BENCH_EMULATOR_OPTIONS));
       process.stdout.write(emulator.url + "\\n");
       process.stdin.on("end", async () => { await emulator.close(); process.exit(0); });
       process.stdin.resume();`,
    ],
    {
      env: { ...process.env, BENCH_EMULATOR_OPTIONS: JSON.stringify(options) },
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const url = await new Promise((resolve, reject) => {
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      text += chunk;
      if (text.includes("\n")) resolve(text.trim());
    });
    child.on("exit", (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        child.on("exit", resolve);
        child.stdin.end();
      }),
  };
}
