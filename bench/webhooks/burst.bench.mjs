// A burst of 10,000 webhooks on 1,000 products through the real WooCommerce bridge
// (`createWooBridge`: signature check, durable SQLite queue, worker with the sync engine), into a
// Neuroon emulator with its real rate limits (sync bucket 100 requests per minute, in its own
// process). Each event edits a product in the fake store (this process) and then delivers a signed
// product.updated for it, 32 deliveries in flight. Measured: the sync requests Neuroon received
// for the burst, and the delay from the last acknowledgement until Neuroon's catalog holds every
// product's last edit. BENCH_BURST_EVENTS / BENCH_BURST_PRODUCTS change the sizes;
// BENCH_MAX_SEC (default 300) bounds the wait. Bounded: EVENTS deliveries, all to 127.0.0.1.
import { machine, seconds } from "../sync/common.mjs";
import { NEUROON_SHOP, startRole, startWooBridge, wooDelivery } from "./common.mjs";

// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const EVENTS = Number(process.env.BENCH_BURST_EVENTS ?? 10_000);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const PRODUCTS = Number(process.env.BENCH_BURST_PRODUCTS ?? 1_000);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain node benchmark, not a turbo task
const MAX_SEC = Number(process.env.BENCH_MAX_SEC ?? 300);
const CONCURRENCY = 32;

const emulator = await startRole("emulator");
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

  console.log(`Machine: ${machine()}\n`);
  console.log(
    "| Events → products | Acks | Burst (first send → last ack) | Sync requests (ideal ceil(products/500)) | Products sent | Other Neuroon requests | 429s | Last ack → Neuroon current | Dead letters | Sync requests during / after the burst | First sync after the last ack |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
  console.log(
    `| ${EVENTS.toLocaleString("en")} → ${PRODUCTS.toLocaleString("en")} | ${[...statuses].map(([s, n]) => `${n.toLocaleString("en")}×${s}`).join(", ")} | ${seconds(lastAck - started)} | ${sync.length} (${Math.ceil(PRODUCTS / 500)}) | ${products.toLocaleString("en")} | ${log.length - sync.length} | ${limited} | ${current === null ? `not current after ${MAX_SEC} s` : seconds(current - lastAck)} | ${status.queue.deadLetters} | ${duringBurst} / ${after.length} | ${firstAfter === null ? "—" : `+${seconds(firstAfter)}`} |`,
  );
  if (current === null || statuses.get(200) !== EVENTS) exitCode = 1;
} finally {
  await woo.close();
  await emulator.close();
}
process.exitCode = exitCode;
