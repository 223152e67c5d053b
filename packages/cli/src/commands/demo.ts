import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SyncEvent, WidgetTokenCache } from "@neuroon/core";
import { DEMO_API_KEY, DEMO_SHOP_ID, type EmulatorHandle, startEmulator } from "@neuroon/emulator";
import type { FakeProduct, FakeWooCommerce } from "@neuroon/fake-woocommerce";
import { createWooCatalogSource, createWooStoreReader } from "@neuroon/woocommerce";
import { createWooBridge, type WooBridge } from "@neuroon/woocommerce/bridge";
import type { Command } from "commander";
import { CliError } from "../cli/errors.js";

const DEMO_CONSUMER_KEY = "ck_demo0000000000000000000000000000000000";
const DEMO_CONSUMER_SECRET = "cs_demo0000000000000000000000000000000000";
const DEMO_WEBHOOK_SECRET = "whsec-neuroon-demo";
const SYNC_BATCH_LIMIT = 500;
const SETTLE_TIMEOUT_MS = 60_000;
/** Enough to keep every request of the demo in the emulator's log, so the report counts them all. */
const REQUEST_LOG_LIMIT = 1_000_000;

/** What `neuroon demo` measured; printed as a table, or as JSON with `--json`. */
export interface DemoReport {
  storeProducts: number;
  indexedProducts: number;
  indexMatchesStore: boolean;
  fullSync: { syncRequests: number; floorRequests: number; records: number; elapsedMs: number };
  events: {
    webhooksDelivered: number;
    changesProcessed: number;
    coalesced: number;
    syncRequests: number;
  };
  deletedWithoutWebhook: { externalId: string; removedByReconcile: boolean };
  conversionsReported: number;
  widgetTokenValid: boolean;
  neuroonRequests: number;
  rateLimited: number;
  elapsedMs: number;
}

export interface DemoOptions {
  products: number;
  seed: number;
  keepRunning: boolean;
  json: boolean;
}

export interface DemoIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: live progress then, plain lines otherwise. */
  isInteractive: boolean;
  /** Resolves when the user asks to stop (`--keep-running`). */
  waitForStop: () => Promise<void>;
}

/** Registers `neuroon demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description(
      "Run the product end to end on this machine: a local Neuroon emulator, a fake WooCommerce store " +
        "with a realistic catalog and the WooCommerce bridge; a full sync, live store events, a " +
        "deletion no webhook announced, a paid order and a reconcile, then a report.",
    )
    .option("--products <count>", "parent products in the sample store", parsePositiveInt, 3000)
    .option("--seed <number>", "seed of the generated catalog", parsePositiveInt, 7)
    .option(
      "--keep-running",
      "keep the emulator, the store and the bridge running afterwards",
      false,
    )
    .option("--json", "print the report as JSON", false)
    .action(async (options: DemoOptions) => {
      const report = await runDemo(options, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        isInteractive: process.stderr.isTTY === true,
        waitForStop: () =>
          new Promise((resolve) => {
            process.once("SIGINT", () => resolve());
            process.once("SIGTERM", () => resolve());
          }),
      });
      if (!report.indexMatchesStore || !report.widgetTokenValid) process.exitCode = 1;
    });
}

function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new Error(`expected a positive whole number, received "${value}"`);
  }
  return parsed;
}

/**
 * The fake WooCommerce store lives in this repository and is not published: a user's install of
 * the CLI has nothing fake in it, so the demo runs from a clone (`./dev demo`).
 */
async function loadFakeWooCommerce(): Promise<typeof import("@neuroon/fake-woocommerce")> {
  try {
    return await import("@neuroon/fake-woocommerce");
  } catch (error) {
    throw new CliError(
      "neuroon demo needs the fake WooCommerce store, which is part of the repository, not of the published CLI.",
      {
        hint: "Run the demo from a clone: git clone https://github.com/neuroon-ai/neuroon-connect && cd neuroon-connect && ./dev demo",
        cause: error,
      },
    );
  }
}

/** Runs the demo; every server it starts is closed before it returns (unless kept running). */
export async function runDemo(options: DemoOptions, io: DemoIo): Promise<DemoReport> {
  const startedAt = Date.now();
  const step = (text: string) => io.stderr(`▸ ${text}\n`);
  const cleanups: Array<() => Promise<void>> = [];
  const { generateCatalog, startFakeWooCommerce } = await loadFakeWooCommerce();
  try {
    step("Starting the Neuroon emulator (documented rate limits: 100 syncs per minute)");
    const emulator = await startEmulator({
      port: 0,
      host: "127.0.0.1",
      requestLogLimit: REQUEST_LOG_LIMIT,
    });
    cleanups.push(() => emulator.close());

    step(
      `Starting a fake WooCommerce store with ${options.products} products (seed ${options.seed})`,
    );
    const store = await startFakeWooCommerce({
      consumerKey: DEMO_CONSUMER_KEY,
      consumerSecret: DEMO_CONSUMER_SECRET,
      catalog: generateCatalog({ products: options.products, seed: options.seed, orders: 0 }),
    });
    cleanups.push(() => store.close());

    const dataDir = await mkdtemp(join(tmpdir(), "neuroon-demo-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let changesProcessed = 0;
    const bridge = createWooBridge(
      {
        woocommerce: {
          url: store.url,
          consumerKey: DEMO_CONSUMER_KEY,
          consumerSecret: DEMO_CONSUMER_SECRET,
          webhookSecrets: [DEMO_WEBHOOK_SECRET],
        },
        neuroon: { apiUrl: emulator.url, shopId: DEMO_SHOP_ID, apiKey: DEMO_API_KEY },
        publicUrl: `http://127.0.0.1:${port}`,
        dataDir,
        port,
        host: "127.0.0.1",
        schedule: { pollIntervalMs: 0, webhookCheckIntervalMs: 0, reconcileHourUtc: false },
        workerIdleMs: 25,
        // The worker's coalescing window (the bridge's defaults, spelled out): the 100 edits of
        // one product below merge in the queue and go out once, in one sync request.
        coalesce: { quietMs: 1_000, maxWaitMs: 10_000 },
      },
      {
        onEvent: (event: SyncEvent) => {
          if (io.isInteractive && event.type === "progress" && event.phase === "full-sync") {
            io.stderr(`  ${event.done} products read\r`);
          }
          if (event.type === "batch-sent" && event.phase === "drain")
            changesProcessed += event.size;
        },
      },
    );
    cleanups.unshift(() => bridge.stop());

    step("Connecting the bridge: checking both credentials, creating the store's webhooks");
    await bridge.start();
    const setup = await bridge.setup();
    step(`  ${setup.webhooks.length} webhooks point at ${setup.deliveryUrl}`);

    step("Full sync of the catalog");
    const syncMark = emulator.requests.length;
    const fullSync = await bridge.syncAll();
    const fullSyncRequests = countSyncRequests(emulator, syncMark);
    const records = emulator.snapshot(DEMO_SHOP_ID).length;
    if (io.isInteractive) io.stderr("\n");
    step(
      `  ${records} records (products and variations) in ${syncRequests(fullSyncRequests)}, ${seconds(fullSync.elapsedMs)}`,
    );

    step("Replaying store events through signed webhooks");
    const published = indexableSimpleProducts(store);
    const edited = published.slice(0, 25);
    for (const product of edited) {
      store.store.updateProduct(product.id, { regular_price: bumpPrice(product.regular_price) });
    }
    const hot = published[25];
    if (hot === undefined)
      throw new Error("The sample store is too small; use --products 100 or more.");
    let webhooksDelivered = 0;
    const eventsMark = emulator.requests.length;
    for (const product of edited)
      webhooksDelivered += await deliver(store, "product.updated", product.id);
    for (let edit = 1; edit <= 100; edit += 1) {
      store.store.updateProduct(hot.id, { stock_quantity: 1000 - edit });
      webhooksDelivered += await deliver(store, "product.updated", hot.id);
    }
    await settle(bridge);
    const eventSyncRequests = countSyncRequests(emulator, eventsMark);
    step(
      `  ${webhooksDelivered} webhooks → ${changesProcessed} product changes sent ` +
        `(${webhooksDelivered - changesProcessed} coalesced) in ${syncRequests(eventSyncRequests)}`,
    );

    const gone = published[26];
    if (gone === undefined)
      throw new Error("The sample store is too small; use --products 100 or more.");
    step(
      `Deleting product ${gone.id} in the store for good: WooCommerce sends no webhook for that`,
    );
    store.store.deleteProduct(gone.id);

    step("A shopper who found two products through search pays an order");
    const [first, second] = published.slice(30, 32);
    if (first === undefined || second === undefined)
      throw new Error("The sample store is too small.");
    const clicks = { [String(first.id)]: "log_demo_1", [String(second.id)]: "log_demo_2" };
    const order = store.store.addOrder({
      status: "pending",
      meta_data: [{ id: 1, key: "_neuroon_clicks", value: JSON.stringify(clicks) }],
      line_items: [orderLine(1, first, 2), orderLine(2, second, 1)],
    });
    await deliver(store, "order.created", order.id);
    store.store.updateOrder(order.id, {
      status: "processing",
      date_paid_gmt: new Date().toISOString().slice(0, 19),
    });
    await deliver(store, "order.updated", order.id);
    await deliver(store, "order.updated", order.id);
    await settle(bridge);
    const conversionsReported = emulator
      .conversions(DEMO_SHOP_ID)
      .filter((conversion) => conversion.orderId === String(order.id)).length;
    step(`  order ${order.id} reported ${conversionsReported} time(s) with its search log ids`);

    step("Nightly reconcile: removing what the store no longer has");
    const reconcile = await bridge.reconcile();
    const removedByReconcile = emulator
      .snapshot(DEMO_SHOP_ID)
      .every((product) => product.externalId !== String(gone.id));
    step(`  ${reconcile.deleted} deleted`);

    step("Signing a widget token and checking it the way Neuroon does");
    const token = await new WidgetTokenCache({ shopId: DEMO_SHOP_ID, apiKey: DEMO_API_KEY }).get();
    const widgetTokenValid = emulator.verifyWidgetToken(token.token).ok;

    const storeRecords = await countIndexableRecords(store);
    const indexed = emulator.snapshot(DEMO_SHOP_ID).length;
    const report: DemoReport = {
      storeProducts: storeRecords,
      indexedProducts: indexed,
      indexMatchesStore: indexed === storeRecords,
      fullSync: {
        syncRequests: fullSyncRequests,
        floorRequests: Math.ceil(records / SYNC_BATCH_LIMIT),
        records,
        elapsedMs: fullSync.elapsedMs,
      },
      events: {
        webhooksDelivered,
        changesProcessed,
        coalesced: webhooksDelivered - changesProcessed,
        syncRequests: eventSyncRequests,
      },
      deletedWithoutWebhook: { externalId: String(gone.id), removedByReconcile },
      conversionsReported,
      widgetTokenValid,
      neuroonRequests: emulator.requests.length,
      rateLimited: emulator.requests.filter((request) => request.status === 429).length,
      elapsedMs: Date.now() - startedAt,
    };
    const isOk = report.indexMatchesStore && report.widgetTokenValid;
    io.stdout(
      options.json
        ? `${JSON.stringify({ ok: isOk, exitCode: isOk ? 0 : 1, ...report }, null, 2)}\n`
        : formatReport(report),
    );

    if (options.keepRunning) {
      io.stderr(
        `\nStill running (Ctrl-C to stop):\n  Neuroon emulator  ${emulator.url}  shop ${DEMO_SHOP_ID} (the emulator's documented demo key)\n` +
          `  WooCommerce store ${store.url}\n  Bridge            ${bridge.url}\n\n` +
          tryItYourself(emulator.url, store.url),
      );
      await io.waitForStop();
    }
    return report;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}

/**
 * What to paste in another shell to run the CLI against the demo's servers. Every value is the
 * demo's own (the emulator's documented demo key, the fake store's fixed keys), not a secret.
 */
export function tryItYourself(emulatorUrl: string, storeUrl: string): string {
  return [
    "Try the CLI against them from another shell:",
    `  export NEUROON_API_URL=${emulatorUrl} NEUROON_SHOP_ID=${DEMO_SHOP_ID} NEUROON_API_KEY=${DEMO_API_KEY}`,
    `  export WOOCOMMERCE_URL=${storeUrl} WOOCOMMERCE_CONSUMER_KEY=${DEMO_CONSUMER_KEY} WOOCOMMERCE_CONSUMER_SECRET=${DEMO_CONSUMER_SECRET} WOOCOMMERCE_WEBHOOK_SECRET=${DEMO_WEBHOOK_SECRET}`,
    "  export NEUROON_DATA_DIR=$(mktemp -d)",
    "  ./dev neuroon woocommerce setup --public-url http://127.0.0.1:8790   # webhooks to a bridge on 8790",
    "  ./dev neuroon woocommerce sync",
    "  ./dev neuroon woocommerce serve --port 8790",
    "",
  ].join("\n");
}

function formatReport(report: DemoReport): string {
  const rows: Array<[string, string]> = [
    [
      "Products in the index",
      `${report.indexedProducts} (store: ${report.storeProducts}) ${report.indexMatchesStore ? "✓" : "✗"}`,
    ],
    [
      "Full sync",
      `${syncRequests(report.fullSync.syncRequests)} for ${report.fullSync.records} records ` +
        `(floor ${report.fullSync.floorRequests}), ${seconds(report.fullSync.elapsedMs)}`,
    ],
    [
      "Store events",
      `${report.events.webhooksDelivered} webhooks → ${report.events.changesProcessed} changes (${report.events.coalesced} coalesced) in ${syncRequests(report.events.syncRequests)}`,
    ],
    [
      "Deleted without webhook",
      `product ${report.deletedWithoutWebhook.externalId} ${report.deletedWithoutWebhook.removedByReconcile ? "removed by reconcile ✓" : "still indexed ✗"}`,
    ],
    ["Conversions reported", `${report.conversionsReported} (one paid order, three deliveries)`],
    ["Widget token", report.widgetTokenValid ? "valid ✓" : "rejected ✗"],
    ["Requests to Neuroon", `${report.neuroonRequests} (${report.rateLimited} rate-limited)`],
    ["Time", seconds(report.elapsedMs)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `\nNeuroon Connect demo\n${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n")}\n`;
}

function syncRequests(count: number): string {
  return `${count} sync request${count === 1 ? "" : "s"}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function countSyncRequests(emulator: EmulatorHandle, from: number): number {
  return emulator.requests
    .slice(from)
    .filter((request) => request.method === "POST" && request.path.endsWith("/products/sync"))
    .length;
}

function indexableSimpleProducts(store: FakeWooCommerce): FakeProduct[] {
  return [...store.store.products.values()].filter(
    (product) =>
      product.type === "simple" &&
      product.status === "publish" &&
      product.catalog_visibility === "visible" &&
      product.regular_price !== "",
  );
}

function bumpPrice(price: string): string {
  return (Number(price) + 1).toFixed(2);
}

function orderLine(id: number, product: FakeProduct, quantity: number) {
  const total = (Number(product.regular_price) * quantity).toFixed(2);
  return {
    id,
    name: product.name,
    product_id: product.id,
    variation_id: 0,
    quantity,
    tax_class: "",
    subtotal: total,
    subtotal_tax: "0.00",
    total,
    total_tax: "0.00",
    sku: product.sku,
    price: Number(product.regular_price),
    meta_data: [],
  };
}

async function deliver(store: FakeWooCommerce, topic: string, id: number): Promise<number> {
  const deliveries = await store.deliverWebhook(topic, id);
  return deliveries.length;
}

async function settle(bridge: WooBridge): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const { queue } = await bridge.status();
    if (queue.pending + queue.inFlight + queue.delayed === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `The bridge still has ${queue.pending + queue.inFlight + queue.delayed} changes queued after ${SETTLE_TIMEOUT_MS / 1000} s.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the store says should be in Neuroon, read through the WooCommerce adapter's own rules. */
async function countIndexableRecords(store: FakeWooCommerce): Promise<number> {
  const source = createWooCatalogSource(
    createWooStoreReader({
      url: store.url,
      consumerKey: DEMO_CONSUMER_KEY,
      consumerSecret: DEMO_CONSUMER_SECRET,
    }),
  );
  let count = 0;
  for await (const page of source.streamCatalog()) count += page.length;
  return count;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
