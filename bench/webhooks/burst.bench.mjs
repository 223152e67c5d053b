// A burst of 10,000 webhooks on 1,000 products through the real WooCommerce bridge
// (`createWooBridge`: signature check, durable SQLite queue, worker with the sync engine), into a
// Neuroon emulator with its real rate limits (sync bucket 100 requests per minute, in its own
// process). Each event edits a product in the fake store (this process) and then delivers a signed
// product.updated for it, 32 deliveries in flight. Measured: the sync requests Neuroon received
// for the burst, and the delay from the last acknowledgement until Neuroon's catalog holds every
// product's last edit. BENCH_BURST_EVENTS / BENCH_BURST_PRODUCTS change the sizes;
// BENCH_MAX_SEC (default 300) bounds the wait. Bounded: EVENTS deliveries, all to 127.0.0.1.
//
// Edit to searchable: the emulator models Neuroon's indexing latency (a sync becomes visible in
// list and search 2–5 s after its 200; BENCH_INDEXING_LATENCY_MS=2000-5000 by default, "off" for
// none). The bench polls Neuroon's visible catalog every POLL_MS during and after the burst and,
// for each product, takes the time from the acknowledgement of its last edit's webhook to the
// first poll that shows that edit; then LONE_EDITS single edits (BENCH_LONE_EDITS, default 10),
// each alone on a quiet bridge, the common case of a merchant saving one product.
import { machine, seconds } from "../sync/common.mjs";
import { NEUROON_SHOP, quantile, startRole, startWooBridge, wooDelivery } from "./common.mjs";

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const EVENTS = Number(process.env.BENCH_BURST_EVENTS ?? 10_000);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const PRODUCTS = Number(process.env.BENCH_BURST_PRODUCTS ?? 1_000);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const MAX_SEC = Number(process.env.BENCH_MAX_SEC ?? 300);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const INDEXING_LATENCY = process.env.BENCH_INDEXING_LATENCY_MS ?? "2000-5000";
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const LONE_EDITS = Number(process.env.BENCH_LONE_EDITS ?? 10);
const CONCURRENCY = 32;
const POLL_MS = 100;

const emulator = await startRole("emulator", { BENCH_INDEXING_LATENCY_MS: INDEXING_LATENCY });
const control = (path, init) => fetch(`${emulator.info.url}/__emulator${path}`, init);
const catalog = async () =>
  new Map(
    (await (await control(`/shops/${NEUROON_SHOP.shopId}/catalog`)).json()).map((p) => [
      p.externalId,
      p,
    ]),
  );

const woo = await startWooBridge({
  products: Math.ceil(PRODUCTS * 2.5),
  neuroonUrl: emulator.info.url,
});
let exitCode = 0;
try {
  const webhookUrl = await woo.start();
  await woo.bridge.syncAll();
  // With indexing latency the initial load becomes visible up to its maximum after the last 200.
  const latencyMaxMs = INDEXING_LATENCY === "off" ? 0 : Number(INDEXING_LATENCY.split("-").at(-1));
  await new Promise((resolve) => setTimeout(resolve, latencyMaxMs + 500));
  const initial = await catalog();
  // Simple products the bridge indexed: their Neuroon name is the store name.
  const ids = [...woo.fake.store.products.values()]
    .filter((p) => p.type === "simple" && initial.has(String(p.id)))
    .slice(0, PRODUCTS)
    .map((p) => p.id);
  if (ids.length < PRODUCTS) throw new Error(`only ${ids.length} simple indexed products`);
  // Let the first drift scan after the initial load happen before the burst, as in a running
  // installation, then start counting.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await control("/requests", { method: "DELETE" });

  // Deterministic shuffle of the events over the products (every product gets EVENTS/PRODUCTS).
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const order = Array.from({ length: EVENTS }, (_, k) => ids[k % ids.length]);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const lastName = new Map();
  // Each product's final edit is its last event in `order`; its ack time is when the edit "went in".
  const finalEvent = new Map();
  for (let k = 0; k < order.length; k += 1) finalEvent.set(String(order[k]), k);
  const finalAckAt = new Map();
  const visibleAt = new Map();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const remote = await catalog();
      const seen = performance.now();
      for (const [id, k] of finalEvent) {
        if (!visibleAt.has(id) && remote.get(id)?.name === `Burst edit ${k}`)
          visibleAt.set(id, seen);
      }
      if (visibleAt.size === finalEvent.size) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  const statuses = new Map();
  let next = 0;
  const started = performance.now();
  const startedWall = Date.now();
  let lastAck = started;
  let lastAckWall = startedWall;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < EVENTS) {
        const k = next++;
        const id = order[k];
        const name = `Burst edit ${k}`;
        woo.fake.store.updateProduct(id, { name });
        lastName.set(String(id), name);
        const { body, headers } = wooDelivery(id, `burst-${k}`, name);
        const response = await fetch(webhookUrl, { method: "POST", body, headers });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        lastAck = performance.now();
        if (finalEvent.get(String(id)) === k) finalAckAt.set(String(id), lastAck);
        lastAckWall = Date.now();
      }
    }),
  );

  // Wait until Neuroon holds every product's last edit.
  let current = null;
  const deadline = performance.now() + MAX_SEC * 1_000;
  while (performance.now() < deadline) {
    const remote = await catalog();
    if ([...lastName].every(([id, name]) => remote.get(id)?.name === name)) {
      current = performance.now();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  polling = false;
  await poller;
  const editToSearchable = [...finalAckAt]
    .filter(([id]) => visibleAt.has(id))
    .map(([id, ack]) => visibleAt.get(id) - ack)
    .sort((a, b) => a - b);
  const log = await (await control("/requests?limit=100000")).json();
  const sync = log.filter((r) => r.method === "POST" && r.path.endsWith("/products/sync"));
  const limited = log.filter((r) => r.status === 429).length;
  const products = sync.reduce((n, r) => n + (r.body?.products?.length ?? 0), 0);
  // When Neuroon saw the sync requests (the emulator logs UTC LocalDateTime, ms precision).
  const at = (r) => Date.parse(`${r.at}Z`);
  const duringBurst = sync.filter((r) => at(r) <= lastAckWall).length;
  const after = sync.filter((r) => at(r) > lastAckWall).map(at);
  const firstAfter = after.length > 0 ? Math.min(...after) - lastAckWall : null;
  const status = await woo.bridge.status();

  // Lone edits: one product saved on a quiet bridge, then wait until Neuroon shows it.
  const lone = [];
  for (let e = 0; e < LONE_EDITS; e += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const id = ids[(e * 37) % ids.length];
    const name = `Lone edit ${e}`;
    woo.fake.store.updateProduct(id, { name });
    const { body, headers } = wooDelivery(id, `lone-${e}`, name);
    const response = await fetch(webhookUrl, { method: "POST", body, headers });
    await response.arrayBuffer();
    const acked = performance.now();
    const loneDeadline = acked + 60_000;
    while (performance.now() < loneDeadline) {
      if ((await catalog()).get(String(id))?.name === name) {
        lone.push(performance.now() - acked);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  lone.sort((a, b) => a - b);

  console.log(`Machine: ${machine()}\n`);
  console.log(
    "| Events → products | Acks | Burst (first send → last ack) | Sync requests (ideal ceil(products/500)) | Products sent | Other Neuroon requests | 429s | Last ack → Neuroon current | Dead letters | Sync requests during / after the burst | First sync after the last ack |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
  console.log(
    `| ${EVENTS.toLocaleString("en")} → ${PRODUCTS.toLocaleString("en")} | ${[...statuses].map(([s, n]) => `${n.toLocaleString("en")}×${s}`).join(", ")} | ${seconds(lastAck - started)} | ${sync.length} (${Math.ceil(PRODUCTS / 500)}) | ${products.toLocaleString("en")} | ${log.length - sync.length} | ${limited} | ${current === null ? `not current after ${MAX_SEC} s` : seconds(current - lastAck)} | ${status.queue.deadLetters} | ${duringBurst} / ${after.length} | ${firstAfter === null ? "—" : `+${seconds(firstAfter)}`} |`,
  );
  const latencyLabel = INDEXING_LATENCY === "off" ? "none" : `${INDEXING_LATENCY} ms`;
  const dist = (sorted) =>
    sorted.length === 0
      ? "—"
      : `${seconds(quantile(sorted, 0.5))} / ${seconds(quantile(sorted, 0.99))} / ${seconds(sorted.at(-1))}`;
  console.log(
    `\nEdit to searchable (webhook ack of a product's last edit → first ${POLL_MS} ms poll of Neuroon's visible catalog that shows it), indexing latency ${latencyLabel}:\n`,
  );
  console.log("| Case | Products | p50 / p99 / max |");
  console.log("|---|---:|---|");
  console.log(
    `| ${EVENTS.toLocaleString("en")}-event burst, each product's last edit | ${editToSearchable.length.toLocaleString("en")} of ${finalEvent.size.toLocaleString("en")} | ${dist(editToSearchable)} |`,
  );
  console.log(`| lone edits on a quiet bridge | ${lone.length} of ${LONE_EDITS} | ${dist(lone)} |`);
  if (
    current === null ||
    statuses.get(200) !== EVENTS ||
    editToSearchable.length !== finalEvent.size ||
    lone.length !== LONE_EDITS
  )
    exitCode = 1;
} finally {
  await woo.close();
  await emulator.close();
}
process.exitCode = exitCode;
