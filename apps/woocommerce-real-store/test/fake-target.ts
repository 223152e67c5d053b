import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NeuroonProduct } from "@neuroon/core";
import { startEmulator } from "@neuroon/emulator";
import { type FakeProduct, generateCatalog, startFakeWooCommerce } from "@neuroon/fake-woocommerce";
import { createWooStoreReader } from "@neuroon/woocommerce";
import { createWooBridge, type WooBridge, type WooBridgeConfig } from "@neuroon/woocommerce-bridge";
import { API_KEY, SHOP_ID, type StoreTarget, WEBHOOK_SECRET } from "./store.js";

const CONSUMER_KEY = "ck_battery_0123456789abcdef";
const CONSUMER_SECRET = "cs_battery_fedcba9876543210";

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The battery's target on `@neuroon/fake-woocommerce` (a German shop, 19 % and 7 % VAT, as the real one). */
export async function startFakeTarget(): Promise<StoreTarget> {
  const emu = await startEmulator({
    shops: [{ shopId: SHOP_ID, apiKey: API_KEY, url: "https://woo.example" }],
    rateLimits: false,
  });
  const fake = await startFakeWooCommerce({
    consumerKey: CONSUMER_KEY,
    consumerSecret: CONSUMER_SECRET,
    catalog: generateCatalog({ at: new Date(), products: 10, seed: 14, orders: 0 }),
    settings: { pricesIncludeTax: false, taxDisplayShop: "incl" },
  });
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "woo-battery-"));
  const config: WooBridgeConfig = {
    woocommerce: {
      url: fake.url,
      consumerKey: CONSUMER_KEY,
      consumerSecret: CONSUMER_SECRET,
      webhookSecrets: [WEBHOOK_SECRET],
    },
    neuroon: { apiUrl: emu.url, shopId: SHOP_ID, apiKey: API_KEY },
    publicUrl: `http://127.0.0.1:${port}`,
    dataDir,
    port,
    host: "127.0.0.1",
    schedule: {
      pollIntervalMs: 0,
      webhookCheckIntervalMs: 0,
      taxCheckIntervalMs: 0,
      reconcileHourUtc: false,
    },
    workerIdleMs: 50,
    coalesce: { quietMs: 200 },
  };
  const warnings: string[] = [];
  const bridges: WooBridge[] = [];
  const logger = {
    info: () => {},
    warn: (message: string) => warnings.push(message),
    error: (message: string) => warnings.push(message),
  };
  return {
    emu,
    reader: createWooStoreReader({
      url: fake.url,
      consumerKey: CONSUMER_KEY,
      consumerSecret: CONSUMER_SECRET,
    }),
    config,
    warnings,
    makeBridge(overrides = {}, options = {}) {
      const bridge = createWooBridge(
        { ...config, ...overrides },
        { logger, shutdownGraceMs: 5_000, ...options },
      );
      bridges.push(bridge);
      return bridge;
    },
    async createProducts(products) {
      return products.map((p) => {
        const created = fake.store.addProduct({
          name: p.name,
          sku: p.sku,
          regular_price: p.regular_price,
          status: "publish",
          ...(p.tax_class ? { tax_class: p.tax_class } : {}),
          ...(p.categoryIds ? { categories: p.categoryIds } : {}),
        });
        fake.webhooks.enqueue("product.created", created.id);
        return created.id;
      });
    },
    async updatePrices(updates) {
      for (const { id, regular_price } of updates) {
        fake.store.updateProduct(id, { regular_price });
        fake.webhooks.enqueue("product.updated", id);
      }
    },
    async updateProduct(id, fields) {
      fake.store.updateProduct(id, fields as Partial<FakeProduct>);
      fake.webhooks.enqueue("product.updated", id);
    },
    async trashProduct(id) {
      fake.store.trashProduct(id);
      fake.webhooks.enqueue("product.deleted", id);
    },
    async forceDeleteProduct(id) {
      fake.store.deleteProduct(id);
    },
    async createCategory(name) {
      return fake.store.putCategory({ name }).id;
    },
    async setTaxMode(pricesIncludeTax, display) {
      fake.store.updateSettings({ pricesIncludeTax, taxDisplayShop: display });
    },
    async deliverQueued() {
      while (fake.webhooks.queued > 0) await fake.webhooks.runQueue();
    },
    indexed() {
      return new Map(
        emu
          .snapshot(SHOP_ID)
          .map((product) => [product.externalId, product as unknown as NeuroonProduct]),
      );
    },
    async close() {
      for (const bridge of bridges) await bridge.stop().catch(() => {});
      await fake.close();
      await emu.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
