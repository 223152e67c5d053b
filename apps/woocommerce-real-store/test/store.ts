import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { NeuroonProduct, SyncEvent } from "@neuroon/core";
import { type WaitForOptions, waitFor as waitForCondition } from "@neuroon/core/testing";
import { type EmulatorHandle, startEmulator } from "@neuroon/emulator";
import { createWooStoreReader, type WooStoreReader } from "@neuroon/woocommerce";
import {
  createWooBridge,
  type WooBridge,
  type WooBridgeConfig,
  type WooBridgeOptions,
} from "@neuroon/woocommerce/bridge";
import { inject } from "vitest";
import { PHP_DIR, REPO_ROOT } from "./locate.js";

/** The running store, as the global setup found it. */
export interface RealStoreInfo {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  stateDir: string;
  logDir: string;
  archives: string;
}

/** WooCommerce delivers webhooks to loopback only on ports 80, 443 and 8080 of the store's host. */
export const BRIDGE_PORT = 8080;
export const WEBHOOK_SECRET = "whsec-real-store-0123456789abcdef0123";
export const SHOP_ID = "shop_real0001";
export const API_KEY = "sk_0123456789abcdef0123456789abcd01";

/** The store of this run, or null when the suite is skipped. */
export function realStore(): RealStoreInfo | null {
  return inject("realStore");
}

/** Runs PHP inside WordPress as the admin (what `wp eval` would do) and returns its stdout. */
export function evalPhp(store: RealStoreInfo, code: string): string {
  const result = spawnSync("php", [join(PHP_DIR, "eval.php"), code], {
    encoding: "utf8",
    env: {
      ...process.env,
      REALWOO_DIR: join(store.stateDir, ".."),
      REALWOO_HOSTPORT: new URL(store.url).host,
    },
  });
  if (result.status !== 0) {
    throw new Error(`php eval failed (${result.status}): ${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

/**
 * Runs Action Scheduler's queue once, as WP-Cron's `action_scheduler_run_queue` event does (the
 * harness's `neuroon-test-queue.php` mu-plugin): the due webhook deliveries leave back to back.
 * Requesting `/wp-cron.php` instead sends nothing within a minute of the last run (the event is
 * scheduled every minute), which cost the suite a minute per round. Returns the deliveries still
 * pending.
 */
export async function runQueue(
  store: RealStoreInfo,
): Promise<{ processed: number; pending: number }> {
  const response = await fetch(`${store.url}/?neuroon-test-run-queue`);
  const text = await response.text();
  if (!response.ok)
    throw new Error(`The queue runner answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as { processed: number; pending: number };
}

/**
 * The amount a storefront shows in `price_html`: the sale (`<ins>`) amount when there is one, the
 * lowest of a range (`from – to`, grouped and variable products).
 */
export function shownAmount(priceHtml: string): number {
  const current = /<ins[^>]*>(.*?)<\/ins>/s.exec(priceHtml)?.[1] ?? priceHtml;
  const text = current.replace(/<[^>]+>/g, "").replace(/&[#a-z0-9]+;/gi, " ");
  const amount = /\d[\d,]*(?:\.\d+)?/.exec(text)?.[0];
  if (amount === undefined) throw new Error(`No amount in price_html ${priceHtml.slice(0, 200)}`);
  return Number(amount.replaceAll(",", ""));
}

/** A reader with the suite's REST key; batch writes of 200 products take a while on 2 busy cores. */
export function storeReader(store: RealStoreInfo): WooStoreReader {
  return createWooStoreReader({
    url: store.url,
    consumerKey: store.consumerKey,
    consumerSecret: store.consumerSecret,
    timeoutMs: 240_000,
  });
}

/** The suite's one timeout setting (vitest.shared.ts, scaled by NEUROON_TEST_TIMEOUT_SCALE). */
const TEST_TIMEOUT_MS = Number(process.env.NEUROON_TEST_TIMEOUT_MS ?? 60_000);

/** Core's polling wait, with twice the suite's timeout: the real store sends deliveries slowly. */
export function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  return waitForCondition(check, { timeoutMs: 2 * TEST_TIMEOUT_MS, intervalMs: 250, ...options });
}

/**
 * The store-side attribution snippet exactly as `packages/woocommerce`'s README prints it, and the
 * plugin file the README says to put it in: the test installs what the README tells merchants to,
 * so the two cannot drift apart.
 */
export function attributionSnippetFromReadme(): { pluginFile: string; code: string } {
  const readme = readFileSync(join(REPO_ROOT, "packages/woocommerce/README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Store-side snippet"));
  const pluginFile = /`wp-content\/plugins\/([^`]+\.php)`/.exec(section)?.[1];
  const code = /```php\n([\s\S]*?)```/.exec(section)?.[1];
  if (pluginFile === undefined || code === undefined) {
    throw new Error(
      "packages/woocommerce/README.md has no store-side snippet (a php block and its plugin path)",
    );
  }
  return { pluginFile, code };
}

/** A bridge logger that keeps every line (and the warnings and errors apart, as text). */
export function recordingLogger(logs: LogLine[], warnings: string[]) {
  const record =
    (level: LogLine["level"]) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      logs.push({ level, message, fields });
      if (level !== "info") warnings.push(message);
    };
  return { debug: () => {}, info: record("info"), warn: record("warn"), error: record("error") };
}

/** Every conversion report the emulator answered 2xx, from its request log (duplicates kept). */
export function conversionReportsOf(emu: EmulatorHandle): ConversionReport[] {
  return emu.requests
    .filter(
      (request) =>
        request.method === "POST" &&
        request.path.endsWith("/track/conversion") &&
        request.status >= 200 &&
        request.status < 300,
    )
    .map((request) => request.body as ConversionReport);
}

/** An emulator for one target: rate limits off, a request log long enough for the whole battery. */
export function startTargetEmulator(url: string): Promise<EmulatorHandle> {
  return startEmulator({
    shops: [{ shopId: SHOP_ID, apiKey: API_KEY, url }],
    rateLimits: false,
    requestLogLimit: 1_000_000,
  });
}

/** The billing address of the battery's shopper (a German address: the shop's tax base). */
export const SHOPPER_ADDRESS = {
  first_name: "Erika",
  last_name: "Mustermann",
  address_1: "Teststr. 2",
  city: "Berlin",
  postcode: "10115",
  country: "DE",
  email: "erika@example.com",
  phone: "",
};

/** A variable product the battery creates: one attribute, one virtual variation per entry. */
export interface NewVariableProduct {
  name: string;
  sku: string;
  attribute: string;
  /** Every value of the attribute (a variation may later move to one not used yet). */
  options: string[];
  variations: { option: string; regular_price: string; stock_quantity: number }[];
}

/** A change to one variation; `option` moves it to another value of its attribute. */
export interface VariationUpdate {
  id: number;
  regular_price?: string;
  stock_quantity?: number;
  option?: string;
}

/** A line a shopper puts in the cart: a simple product's or a variation's id. */
export interface CartLine {
  id: number;
  quantity: number;
}

/** A conversion report Neuroon answered 2xx (`POST …/track/conversion`), from its request log. */
export interface ConversionReport {
  orderId: string;
  orderValue: number;
  currency: string;
  conversions: { productId: string; searchLogId: string; quantity: number; lineTotal: number }[];
}

/** One line the bridge logged. */
export interface LogLine {
  level: "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

/** A product the battery creates; the same fields on both stores. */
export interface NewProduct {
  name: string;
  sku: string;
  regular_price: string;
  /** `publish` unless given. */
  status?: "publish" | "draft";
  tax_class?: string;
  categoryIds?: number[];
}

/**
 * What the scenario battery does to a store, implemented once for the real store (REST, the Store
 * API and Action Scheduler's queue) and once for the fake (its store API and queued deliveries):
 * everything the battery asserts is read back the same way from both, so any difference fails a
 * test.
 */
export interface StoreTarget {
  emu: EmulatorHandle;
  reader: WooStoreReader;
  config: WooBridgeConfig;
  warnings: string[];
  makeBridge(overrides?: Partial<WooBridgeConfig>, options?: WooBridgeOptions): WooBridge;
  /** Products created by one batch (on the real store one `POST products/batch`). */
  createProducts(products: readonly NewProduct[]): Promise<number[]>;
  /** Regular prices changed by one batch. */
  updatePrices(updates: readonly { id: number; regular_price: string }[]): Promise<void>;
  /** Changes a product as wp-admin would (status, password, catalog visibility). */
  updateProduct(
    id: number,
    fields: { status?: string; post_password?: string; catalog_visibility?: string },
  ): Promise<void>;
  /** Moves a product to the trash (`product.deleted` fires). */
  trashProduct(id: number): Promise<void>;
  /** Deletes a product for good: WooCommerce sends no webhook for it. */
  forceDeleteProduct(id: number): Promise<void>;
  /** A variable product and its variations (the real store: one product, one variations batch). */
  createVariableProduct(
    product: NewVariableProduct,
  ): Promise<{ id: number; variationIds: number[] }>;
  /** Variations of one product changed by one batch (`POST products/{id}/variations/batch`). */
  updateVariations(parentId: number, updates: readonly VariationUpdate[]): Promise<void>;
  /**
   * A shopper's checkout carrying the `neuroon_clicks` cookie, paid by bank transfer (so the order
   * waits `on-hold`, unpaid); returns the order id. On the real store: the attribution snippet
   * from `packages/woocommerce`'s README as an active plugin, and WooCommerce's Store API.
   */
  checkout(lines: readonly CartLine[], clicks: Record<string, string>): Promise<number>;
  /** The merchant sets orders' status, all in one request (`POST orders/batch`). */
  setOrderStatus(ids: readonly number[], status: "processing" | "completed"): Promise<void>;
  /** Every conversion report Neuroon accepted, in order, duplicates included. */
  conversionReports(): ConversionReport[];
  /** What the bridges of this target logged. */
  logs: LogLine[];
  /** A product category, saved with the name as typed; returns its id. */
  createCategory(name: string): Promise<number>;
  /** `woocommerce_prices_include_tax` and `woocommerce_tax_display_shop`. */
  setTaxMode(pricesIncludeTax: boolean, display: "incl" | "excl"): Promise<void>;
  /** Sends every queued webhook delivery (Action Scheduler's queue on the real store). */
  deliverQueued(): Promise<void>;
  /** The emulator's products (the fields as the bridge sent them), by externalId. */
  indexed(): Map<string, NeuroonProduct>;
  close(): Promise<void>;
}

export interface RealHarness extends StoreTarget {
  store: RealStoreInfo;
  emu: EmulatorHandle;
  reader: WooStoreReader;
  config: WooBridgeConfig;
  events: SyncEvent[];
  warnings: string[];
  makeBridge(overrides?: Partial<WooBridgeConfig>, options?: WooBridgeOptions): WooBridge;
  /** Runs Action Scheduler's queue until it holds no delivery (each run sends a time-boxed batch). */
  deliverQueued(): Promise<void>;
  /** The emulator's products (the fields as the bridge sent them), by externalId. */
  indexed(): Map<string, NeuroonProduct>;
  close(): Promise<void>;
}

/** An emulator and a bridge configuration for the real store; the bridge listens on 127.0.0.1:8080. */
export async function startRealHarness(store: RealStoreInfo): Promise<RealHarness> {
  const emu = await startTargetEmulator(store.url);
  const dataDir = mkdtempSync(join(tmpdir(), "woo-real-"));
  const config: WooBridgeConfig = {
    woocommerce: {
      url: store.url,
      consumerKey: store.consumerKey,
      consumerSecret: store.consumerSecret,
      webhookSecrets: [WEBHOOK_SECRET],
    },
    neuroon: { apiUrl: emu.url, shopId: SHOP_ID, apiKey: API_KEY },
    publicUrl: `http://127.0.0.1:${BRIDGE_PORT}`,
    dataDir,
    port: BRIDGE_PORT,
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
  const events: SyncEvent[] = [];
  const warnings: string[] = [];
  const bridges: WooBridge[] = [];
  const logs: LogLine[] = [];
  const logger = recordingLogger(logs, warnings);
  const reader = storeReader(store);
  let checkoutReady: Promise<void> | undefined;
  // The attribution snippet as a real, active plugin, and bank transfer as a payment method.
  const prepareCheckout = async () => {
    const { pluginFile, code } = attributionSnippetFromReadme();
    const path = join(store.stateDir, "..", "wp", "wp-content", "plugins", pluginFile);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, code);
    const activated = evalPhp(
      store,
      `$r = activate_plugin(${JSON.stringify(pluginFile)}); echo is_wp_error($r) ? $r->get_error_message() : (is_plugin_active(${JSON.stringify(pluginFile)}) ? "active" : "inactive");`,
    );
    if (activated.trim() !== "active") throw new Error(`The attribution plugin: ${activated}`);
    await reader.request("put", "payment_gateways/bacs", {}, { enabled: true });
  };
  return {
    store,
    emu,
    reader,
    config,
    events,
    warnings,
    logs,
    makeBridge(overrides = {}, options = {}) {
      const bridge = createWooBridge(
        { ...config, ...overrides },
        { logger, onEvent: (event) => events.push(event), shutdownGraceMs: 5_000, ...options },
      );
      bridges.push(bridge);
      return bridge;
    },
    async createProducts(products) {
      const created = await reader.request<{ create: { id: number; error?: unknown }[] }>(
        "post",
        "products/batch",
        {},
        {
          create: products.map((p) => ({
            name: p.name,
            sku: p.sku,
            type: "simple",
            status: p.status ?? "publish",
            regular_price: p.regular_price,
            ...(p.tax_class ? { tax_class: p.tax_class } : {}),
            ...(p.categoryIds ? { categories: p.categoryIds.map((id) => ({ id })) } : {}),
          })),
        },
      );
      const failed = created.data.create.filter((item) => item.error !== undefined);
      if (failed.length > 0) throw new Error(`batch create failed: ${JSON.stringify(failed[0])}`);
      return created.data.create.map((item) => item.id);
    },
    async updatePrices(updates) {
      await reader.request("post", "products/batch", {}, { update: updates });
    },
    async updateProduct(id, fields) {
      await reader.request("put", `products/${id}`, {}, fields);
    },
    async trashProduct(id) {
      await reader.request("delete", `products/${id}`, {});
    },
    async forceDeleteProduct(id) {
      await reader.request("delete", `products/${id}`, { force: true });
    },
    async createVariableProduct(product) {
      const parent = await reader.request<{ id: number }>(
        "post",
        "products",
        {},
        {
          name: product.name,
          sku: product.sku,
          type: "variable",
          status: "publish",
          attributes: [
            { name: product.attribute, options: product.options, variation: true, visible: true },
          ],
        },
      );
      const id = parent.data.id;
      const created = await reader.request<{ create: { id: number; error?: unknown }[] }>(
        "post",
        `products/${id}/variations/batch`,
        {},
        {
          create: product.variations.map((v) => ({
            regular_price: v.regular_price,
            virtual: true,
            manage_stock: true,
            stock_quantity: v.stock_quantity,
            attributes: [{ name: product.attribute, option: v.option }],
          })),
        },
      );
      const failed = created.data.create.filter((item) => item.error !== undefined);
      if (failed.length > 0) throw new Error(`variations failed: ${JSON.stringify(failed[0])}`);
      return { id, variationIds: created.data.create.map((item) => item.id) };
    },
    async updateVariations(parentId, updates) {
      const parent = await reader.request<{ attributes: { name: string }[] }>(
        "get",
        `products/${parentId}`,
        { _fields: "attributes" },
      );
      const attribute = parent.data.attributes[0]?.name as string;
      await reader.request(
        "post",
        `products/${parentId}/variations/batch`,
        {},
        {
          update: updates.map(({ option, ...fields }) => ({
            ...fields,
            ...(option !== undefined ? { attributes: [{ name: attribute, option }] } : {}),
          })),
        },
      );
    },
    async checkout(lines, clicks) {
      checkoutReady ??= prepareCheckout();
      await checkoutReady;
      const base = `${store.url}/wp-json/wc/store/v1`;
      // A fresh shopper: the Store API hands out a Cart-Token and a Nonce on the first request.
      const cart = await fetch(`${base}/cart`);
      await cart.text();
      const headers = {
        "content-type": "application/json",
        "cart-token": cart.headers.get("cart-token") ?? "",
        nonce: cart.headers.get("nonce") ?? "",
        // As the search widget sets it: URL-encoded JSON (PHP decodes it once into $_COOKIE).
        cookie: `neuroon_clicks=${encodeURIComponent(JSON.stringify(clicks))}`,
      };
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`${base}${path}`, {
          method: "POST",
          headers,
          body: JSON.stringify(body),
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`Store API ${path} answered ${response.status}: ${text}`);
        return JSON.parse(text) as Record<string, unknown>;
      };
      for (const line of lines) await post("/cart/add-item", line);
      const order = await post("/checkout", {
        billing_address: SHOPPER_ADDRESS,
        payment_method: "bacs",
      });
      return order.order_id as number;
    },
    async setOrderStatus(ids, status) {
      await reader.request(
        "post",
        "orders/batch",
        {},
        { update: ids.map((id) => ({ id, status })) },
      );
    },
    conversionReports() {
      return conversionReportsOf(emu);
    },
    async createCategory(name) {
      const created = await reader.request<{ id: number }>(
        "post",
        "products/categories",
        {},
        { name },
      );
      return created.data.id;
    },
    async setTaxMode(pricesIncludeTax, display) {
      const put = (id: string, value: string) =>
        reader.request("put", `settings/tax/${id}`, {}, { value });
      await put("woocommerce_prices_include_tax", pricesIncludeTax ? "yes" : "no");
      await put("woocommerce_tax_display_shop", display);
    },
    async deliverQueued() {
      await waitFor(
        async () => {
          const { pending } = await runQueue(store);
          return pending === 0;
        },
        // About a second per delivery on two busy cores: WooCommerce builds each payload itself;
        // one run stops after 30 s (Action Scheduler's time limit), the next goes on.
        {
          what: "Action Scheduler to send every queued delivery",
          intervalMs: 50,
          timeoutMs: 8 * TEST_TIMEOUT_MS,
        },
      );
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
      await emu.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
