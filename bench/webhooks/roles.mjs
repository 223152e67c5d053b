// Child-process roles of the webhook benchmarks (not a benchmark itself): each starts one party,
// prints one JSON line with what the parent needs, and stops when its stdin closes.
//   emulator  Neuroon emulator, real rate limits, large request log → {url}; BENCH_INDEXING_LATENCY_MS
//             ("2000-5000", the documented 2–5 s; "off" for none) delays when a sync becomes visible
//   woo       fake WooCommerce (1,000 products) + the real bridge → {url, productIds}
//   shopify   the Shopify webhook handler behind node:http → {url}
import { NEUROON_SHOP, startShopifyReceiver, startWooBridge } from "./common.mjs";

const role = process.argv[2];
let close = async () => {};

/** `BENCH_INDEXING_LATENCY_MS=min-max` (milliseconds) or `off`; unset means no latency. */
function indexingLatency() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
  const value = process.env.BENCH_INDEXING_LATENCY_MS ?? "off";
  if (value === "off") return false;
  const [minMs, maxMs] = value.split("-").map(Number);
  return { minMs, maxMs: maxMs ?? minMs };
}
let info;
if (role === "emulator") {
  const { startEmulator } = await import("../../packages/emulator/dist/index.js");
  const emulator = await startEmulator({
    port: 0,
    shops: [NEUROON_SHOP],
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
    rateLimits: process.env.BENCH_RATE_LIMITS === "off" ? false : "real",
    requestLogLimit: 100_000,
    indexingLatency: indexingLatency(),
  });
  info = { url: emulator.url };
  close = () => emulator.close();
} else if (role === "woo") {
  const woo = await startWooBridge({
    products: 1_000,
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
    neuroonUrl: process.env.BENCH_NEUROON_URL,
  });
  const url = await woo.start();
  const productIds = [...woo.fake.store.products.values()]
    .filter((p) => p.type !== "variation" && p.status === "publish")
    .map((p) => p.id);
  info = { url, productIds };
  close = () => woo.close();
} else if (role === "shopify") {
  const receiver = await startShopifyReceiver();
  info = { url: receiver.url };
  close = () => receiver.close();
} else {
  throw new Error(`unknown role ${role}`);
}
process.stdout.write(`${JSON.stringify(info)}\n`);
process.stdin.on("end", async () => {
  await close();
  process.exit(0);
});
process.stdin.resume();
