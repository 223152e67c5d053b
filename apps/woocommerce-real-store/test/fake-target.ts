import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NeuroonProduct } from "@neuroon/core";
import {
  type FakeProduct,
  generateCatalog,
  phpJsonEncode,
  startFakeWooCommerce,
  type WcOrderLineItem,
} from "@neuroon/fake-woocommerce";
import { createWooStoreReader } from "@neuroon/woocommerce";
import { createWooBridge, type WooBridge, type WooBridgeConfig } from "@neuroon/woocommerce/bridge";
import {
  API_KEY,
  conversionReportsOf,
  type LogLine,
  recordingLogger,
  SHOP_ID,
  type StoreTarget,
  startTargetEmulator,
  WEBHOOK_SECRET,
} from "./store.js";

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
  const emu = await startTargetEmulator("https://woo.example");
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
  const logs: LogLine[] = [];
  const logger = recordingLogger(logs, warnings);
  const { store } = fake;
  // WooCommerce's line totals: the net price times the quantity, the tax of the line's class
  // (the shop's prices are entered net; the battery's shopper is in Germany, the tax base).
  // The rates name the standard class "standard", products leave it empty.
  const rateOf = (taxClass: string) => {
    const wanted = taxClass === "" ? "standard" : taxClass;
    const rate = store.taxRates.find((r) => r.class === wanted && r.country === "DE");
    if (rate === undefined) throw new Error(`The fake has no DE rate for tax class ${wanted}`);
    return Number(rate.rate);
  };
  const orderLine = (id: number, quantity: number, lineId: number): WcOrderLineItem => {
    const variation = store.variations.get(id);
    const product = store.products.get(variation?.parent_id ?? id);
    if (product === undefined) throw new Error(`No product or variation ${id} in the fake`);
    const item = variation ?? product;
    const taxClass =
      variation && variation.tax_class === "parent" ? product.tax_class : item.tax_class;
    const price = Number(store.activePrice(item));
    const total = (price * quantity).toFixed(2);
    const tax = ((Number(total) * rateOf(taxClass)) / 100).toFixed(2);
    return {
      id: lineId,
      name: product.name,
      product_id: product.id,
      variation_id: variation?.id ?? 0,
      quantity,
      tax_class: taxClass,
      subtotal: total,
      subtotal_tax: tax,
      total,
      total_tax: tax,
      sku: item.sku,
      price,
      meta_data: [],
    };
  };
  return {
    logs,
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
        const created = store.addProduct({
          name: p.name,
          sku: p.sku,
          regular_price: p.regular_price,
          status: p.status ?? "publish",
          ...(p.tax_class ? { tax_class: p.tax_class } : {}),
          ...(p.categoryIds ? { categories: p.categoryIds } : {}),
        });
        fake.webhooks.enqueue("product.created", created.id);
        return created.id;
      });
    },
    async updatePrices(updates) {
      for (const { id, regular_price } of updates) {
        store.updateProduct(id, { regular_price });
        fake.webhooks.enqueue("product.updated", id);
      }
    },
    async updateProduct(id, fields) {
      store.updateProduct(id, fields as Partial<FakeProduct>);
      fake.webhooks.enqueue("product.updated", id);
    },
    async trashProduct(id) {
      store.trashProduct(id);
      fake.webhooks.enqueue("product.deleted", id);
    },
    async forceDeleteProduct(id) {
      store.deleteProduct(id);
    },
    async createVariableProduct(product) {
      const parent = store.addProduct({
        name: product.name,
        sku: product.sku,
        type: "variable",
        status: "publish",
        attributes: [
          {
            id: 0,
            name: product.attribute,
            position: 0,
            visible: true,
            variation: true,
            options: product.options,
          },
        ],
      });
      // The real store sends product.created for the parent and for each variation.
      fake.webhooks.enqueue("product.created", parent.id);
      const variationIds = product.variations.map((v) => {
        const variation = store.addVariation(parent.id, {
          regular_price: v.regular_price,
          manage_stock: true,
          stock_quantity: v.stock_quantity,
          attributes: [{ id: 0, name: product.attribute, option: v.option }],
        });
        fake.webhooks.enqueue("product.created", variation.id);
        return variation.id;
      });
      return { id: parent.id, variationIds };
    },
    async updateVariations(parentId, updates) {
      const attribute = store.products.get(parentId)?.attributes[0]?.name as string;
      for (const { id, option, ...fields } of updates) {
        store.updateVariation(id, {
          ...fields,
          ...(option !== undefined ? { attributes: [{ id: 0, name: attribute, option }] } : {}),
        });
        // As on the real store: product.updated for the variation only, none for the parent.
        fake.webhooks.enqueue("product.updated", id);
      }
    },
    async checkout(lines, clicks) {
      // What the Store API checkout and the README's snippet leave in the store: an unpaid bank
      // transfer order with the cookie in its meta (`wp_json_encode`, so `/` comes out as `\/`).
      const lineItems = lines.map((line, index) => orderLine(line.id, line.quantity, index + 1));
      const order = store.addOrder({
        line_items: lineItems,
        status: "on-hold",
        payment_method: "bacs",
        payment_method_title: "Direct bank transfer",
        total_tax: lineItems.reduce((sum, item) => sum + Number(item.total_tax), 0).toFixed(2),
        meta_data: [
          { id: store.allocateId(), key: "neuroon_clicks", value: phpJsonEncode(clicks) },
        ],
      });
      fake.webhooks.enqueue("order.created", order.id);
      return order.id;
    },
    async setOrderStatus(ids, status) {
      for (const id of ids) {
        const order = store.orders.get(id);
        // WooCommerce sets date_paid when an order first reaches a paid status.
        const paidAt = order?.date_paid_gmt ?? new Date().toISOString().slice(0, 19);
        store.updateOrder(id, { status, date_paid_gmt: paidAt });
        fake.webhooks.enqueue("order.updated", id);
      }
    },
    conversionReports() {
      return conversionReportsOf(emu);
    },
    async createCategory(name) {
      return store.putCategory({ name }).id;
    },
    async setTaxMode(pricesIncludeTax, display) {
      store.updateSettings({ pricesIncludeTax, taxDisplayShop: display });
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
