// Acknowledgement latency of the webhook receivers at a steady 500 deliveries per second over
// loopback, for 10 s each (BENCH_ACK_RATE, BENCH_ACK_SECONDS). Open loop: delivery i is due at
// t0 + i/rate whatever happened to the earlier ones, so a stall shows up in the figures instead of
// slowing the load down (no coordinated omission). Latency = answer received − time due.
//
// Receivers, each in its own child process (this process only generates load):
// - WooCommerce: the real bridge (`createWooBridge`: server, signature check, durable SQLite
//   enqueue before the 200, worker draining to a Neuroon emulator with its real rate limits). The
//   fake store its worker re-reads from runs in the same child, so the store's REST work competes
//   with the acknowledgements (pessimistic). The emulator runs in a third process.
// - Shopify: `createWebhookHandler` (what `createShopifyBridge(...).webhooks` is) behind node:http,
//   with the SQLite delivery log and core's SQLite queue; no worker.
// Bounded: rate × seconds requests per receiver, all to 127.0.0.1.
import { loadavg } from "node:os";
import { machine } from "../sync/common.mjs";
import { ms, quantile, shopifyDelivery, startRole, wooDelivery } from "./common.mjs";

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const RATE = Number(process.env.BENCH_ACK_RATE ?? 500);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const SECONDS = Number(process.env.BENCH_ACK_SECONDS ?? 10);
async function openLoop(url, makeDelivery) {
  const total = RATE * SECONDS;
  const latencies = [];
  const service = [];
  const statuses = new Map();
  let errors = 0;
  let maxLagMs = 0;
  const inFlight = new Set();
  const t0 = performance.now() + 50;
  let next = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + (next * 1_000) / RATE <= now) {
        const due = t0 + (next * 1_000) / RATE;
        maxLagMs = Math.max(maxLagMs, now - due);
        const { body, headers } = makeDelivery(next);
        const sent = performance.now();
        const request = fetch(url, { method: "POST", body, headers })
          .then(async (response) => {
            await response.arrayBuffer();
            const end = performance.now();
            latencies.push(end - due);
            service.push(end - sent);
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          })
          .catch(() => {
            errors += 1;
          })
          .finally(() => inFlight.delete(request));
        inFlight.add(request);
        next += 1;
      }
      if (next < total) setTimeout(tick, 1);
      else Promise.all(inFlight).then(resolve);
    };
    setTimeout(tick, 50);
  });
  const elapsed = (performance.now() - t0) / 1_000;
  latencies.sort((a, b) => a - b);
  service.sort((a, b) => a - b);
  return { total, elapsed, latencies, service, statuses, errors, maxLagMs };
}

/** The 1-minute load average, as `uptime` prints it first. */
const load1 = () => loadavg()[0].toFixed(2);

function row(label, r, loadBefore) {
  const ok = [...r.statuses].map(([status, count]) => `${count}×${status}`).join(", ");
  return `| ${label} | ${RATE}/s × ${SECONDS} s | ${(r.latencies.length / r.elapsed).toFixed(0)}/s | ${ok}${r.errors ? `, ${r.errors} errors` : ""} | ${ms(quantile(r.latencies, 0.5))} | ${ms(quantile(r.latencies, 0.99))} | ${ms(r.latencies.at(-1) ?? Number.NaN)} | ${ms(quantile(r.service, 0.99))} | ${loadBefore} → ${load1()} |`;
}

const rows = [];
let failed = false;

// WooCommerce bridge.
{
  const emulator = await startRole("emulator");
  const woo = await startRole("woo", { BENCH_NEUROON_URL: emulator.info.url });
  try {
    const ids = woo.info.productIds;
    const loadBefore = load1();
    const result = await openLoop(woo.info.url, (i) =>
      wooDelivery(ids[i % ids.length], `ack-${i}`, `Renamed ${i}`),
    );
    rows.push(row("WooCommerce bridge (`createWooBridge`)", result, loadBefore));
    if (result.statuses.get(200) !== result.total) failed = true;
  } finally {
    await woo.close();
    await emulator.close();
  }
}

// Shopify webhook handler.
{
  const shopify = await startRole("shopify");
  try {
    const loadBefore = load1();
    const result = await openLoop(shopify.info.url, (i) =>
      shopifyDelivery(9_000_000_000_000_000 + (i % 1_000), `ack-${i}`),
    );
    rows.push(row("Shopify (`createWebhookHandler` behind node:http)", result, loadBefore));
    if (result.statuses.get(200) !== result.total) failed = true;
  } finally {
    await shopify.close();
  }
}

console.log(`Machine: ${machine()}\n`);
console.log(
  "| Receiver | Offered load | Achieved | Answers | p50 ms | p99 ms | max ms | p99 ms, from send | Load average (1 min), start → end |",
);
console.log("|---|---:|---:|---|---:|---:|---:|---:|---|");
for (const line of rows) console.log(line);
if (failed) {
  console.error("some deliveries were not answered 200");
  process.exitCode = 1;
}
