// Shared helpers of the webhook benchmarks: the two receivers under test, signed deliveries, and
// percentiles. Plain node against the built packages; all traffic stays on 127.0.0.1.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = (path) => new URL(`../../${path}`, import.meta.url).href;

export const WOO_SECRET = "whsec-bench-0123456789abcdef0123456789";
export const SHOPIFY_SECRET = "shpss_bench-client-secret-0123456789";
export const SHOPIFY_SHOP = "neuroon-bench.myshopify.com";
export const NEUROON_SHOP = {
  shopId: "shop_benchhook1",
  apiKey: `sk_${"c3".repeat(16)}`,
  url: "https://bench-hooks.example",
};
const CONSUMER_KEY = "ck_bench_0123456789abcdef";
const CONSUMER_SECRET = "cs_bench_fedcba9876543210";

/** A product.updated delivery as WooCommerce sends it (PHP-escaped slashes), signed. */
export function wooDelivery(productId, deliveryId, name = `Product ${productId}`) {
  const body = `{"id":${productId},"name":${JSON.stringify(name)},"type":"simple","status":"publish","permalink":"https:\\/\\/shop.example\\/p\\/${productId}\\/","parent_id":0}`;
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-wc-webhook-source": "https://shop.example/",
      "x-wc-webhook-topic": "product.updated",
      "x-wc-webhook-resource": "product",
      "x-wc-webhook-event": "updated",
      "x-wc-webhook-id": "1",
      "x-wc-webhook-delivery-id": String(deliveryId),
      "x-wc-webhook-signature": createHmac("sha256", WOO_SECRET).update(body).digest("base64"),
    },
  };
}

/** A products/update delivery as Shopify sends it, signed with the app secret. */
export function shopifyDelivery(productId, webhookId) {
  const body = `{"id":${productId},"admin_graphql_api_id":"gid:\\/\\/shopify\\/Product\\/${productId}","title":"Product ${productId}","status":"active"}`;
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": createHmac("sha256", SHOPIFY_SECRET).update(body).digest("base64"),
      "x-shopify-topic": "products/update",
      "x-shopify-shop-domain": SHOPIFY_SHOP,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": String(webhookId),
    },
  };
}

/**
 * The real WooCommerce bridge (`createWooBridge`: HTTP server, durable SQLite queue, worker) in
 * this process, between a fake WooCommerce store (in this process, so the caller can edit it) and
 * a Neuroon emulator at `neuroonUrl`.
 */
export async function startWooBridge({ products, neuroonUrl, clientOptions = {}, onEvent }) {
  const { generateCatalog, startFakeWooCommerce } = await import(
    dist("packages/fake-woocommerce/dist/index.js")
  );
  const { createWooBridge } = await import(dist("packages/woocommerce/dist/bridge/index.js"));
  const fake = await startFakeWooCommerce({
    consumerKey: CONSUMER_KEY,
    consumerSecret: CONSUMER_SECRET,
    catalog: generateCatalog({
      products,
      seed: 7,
      orders: 0,
      at: new Date(Math.floor(Date.now() / 1000) * 1000),
    }),
  });
  const dir = mkdtempSync(join(tmpdir(), "neuroon-bench-woo-"));
  const bridge = createWooBridge(
    {
      woocommerce: {
        url: fake.url,
        consumerKey: CONSUMER_KEY,
        consumerSecret: CONSUMER_SECRET,
        webhookSecrets: [WOO_SECRET],
      },
      neuroon: { apiUrl: neuroonUrl, shopId: NEUROON_SHOP.shopId, apiKey: NEUROON_SHOP.apiKey },
      publicUrl: "http://127.0.0.1:8080",
      dataDir: dir,
      port: 0,
      host: "127.0.0.1",
      schedule: { pollIntervalMs: 0, webhookCheckIntervalMs: 0, reconcileHourUtc: false },
    },
    { client: clientOptions, ...(onEvent ? { onEvent } : {}) },
  );
  return {
    fake,
    bridge,
    async start() {
      const { url } = await bridge.start();
      return `${url.replace(/\/$/, "")}/woocommerce/webhooks`;
    },
    async close() {
      await bridge.stop();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The Shopify webhook handler (`createWebhookHandler` of @neuroon/shopify, as
 * `createShopifyBridge(...).webhooks` builds it) behind node:http, with the SQLite delivery log
 * of `openSqliteShopifyStore` and core's durable SQLite queue as the shop's change sink.
 */
export async function startShopifyReceiver() {
  const { createWebhookHandler, openSqliteShopifyStore } = await import(
    dist("packages/shopify/dist/index.js")
  );
  const { openSqliteQueue } = await import(dist("packages/core/dist/index.js"));
  const dir = mkdtempSync(join(tmpdir(), "neuroon-bench-shopify-"));
  const store = openSqliteShopifyStore({ path: join(dir, "shopify.db") });
  const queue = openSqliteQueue({ path: join(dir, "queue.db") });
  const handler = createWebhookHandler({
    secrets: [SHOPIFY_SECRET],
    deliveries: store.deliveries,
    queueFor: (shop) => (shop === SHOPIFY_SHOP ? queue : undefined),
  });
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      handler
        .handle({ rawBody: new Uint8Array(Buffer.concat(chunks)), headers: req.headers })
        .then((result) => {
          res.writeHead(result.status, { "content-type": "text/plain" });
          res.end(result.body);
        })
        .catch((error) => {
          res.writeHead(500);
          res.end(String(error));
        });
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/webhooks`,
    queue,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await queue.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The q-quantile (0..1) of an ascending array, nearest rank. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const ms = (value) => value.toFixed(2);

const ROLES = fileURLToPath(new URL("./roles.mjs", import.meta.url));

/**
 * Starts `roles.mjs <role>` in a child process and resolves with the JSON line it prints when
 * ready; `close()` ends it (through its stdin).
 */
export function startRole(role, env = {}) {
  const child = spawn(process.execPath, [ROLES, role], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let text = "";
    let ready = false;
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      if (ready) return;
      text += chunk;
      const newline = text.indexOf("\n");
      if (newline >= 0) {
        ready = true;
        const info = JSON.parse(text.slice(0, newline));
        resolve({
          info,
          close: () =>
            new Promise((done) => {
              child.on("exit", done);
              child.stdin.end();
            }),
        });
      }
    });
    child.on("exit", (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}
