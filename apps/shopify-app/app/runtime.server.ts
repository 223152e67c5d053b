import "@shopify/shopify-api/adapters/node";
import {
  drainCoalesced,
  type NeuroonClient,
  type SyncEngine,
  type SyncSummary,
} from "@neuroon/core";
import { createShopifyBridge, SHOPIFY_API_VERSION, type ShopifyBridge } from "@neuroon/shopify";
import { LogSeverity, type Shopify, shopifyApi } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { openAppStorage } from "./app-storage.server.js";
import { startBackgroundWorkers } from "./background-workers.server.js";
import { openShopStoresBackend } from "./open-shop-stores.server.js";
import type { RuntimeConfig } from "./runtime-config.server.js";
import { createSessionStorage } from "./session-storage.server.js";
import type { SettingsStore } from "./settings.server.js";
import { createShopWorkers } from "./shop-workers.server.js";

/** Everything the routes and the background worker share. */
export interface Runtime {
  config: RuntimeConfig;
  /** The `shopifyApi` instance behind the bridge (the React Router package has its own). */
  api: Shopify;
  bridge: ShopifyBridge;
  settings: SettingsStore;
  sessionStorage: SessionStorage;
  /** The shop's engine, or `undefined` while it is not connected to Neuroon. */
  engineFor(shop: string): Promise<SyncEngine | undefined>;
  /** Initial import / manual resync: the whole catalog through a bulk operation. */
  importCatalog(shop: string): Promise<SyncSummary>;
  /**
   * What the background worker runs for one shop: waits for core's coalescing window
   * (`config.coalesce`; conversions meanwhile), then drains. Errors are recorded in the settings.
   */
  drainCoalesced(shop: string, signal?: AbortSignal): Promise<SyncSummary | undefined>;
  /** Drains every connected shop's queue once. */
  drainAll(): Promise<void>;
  /**
   * The daily tick: reconciles every connected shop whose reconcile this host claims (all of
   * them on SQLite; on Redis, those no other host reconciled in the last interval).
   */
  reconcileDue(): Promise<void>;
  /** Starts the background loop (drain every few seconds, reconcile daily). */
  startWorkers(): void;
  close(): Promise<void>;
}

/**
 * Builds the runtime: the app's storage (tokens, webhook ids, settings, sessions; see
 * `openAppStorage`), each shop's queue and sync state (see `openShopStoresBackend`), the Shopify
 * bridge, and one engine per connected shop.
 */
export function createRuntime(config: RuntimeConfig): Runtime {
  const reconcileIntervalMs = config.reconcileIntervalMs ?? 24 * 3_600_000;
  const shopStores = openShopStoresBackend(config);
  const api = shopifyApi({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecret,
    scopes: config.scopes,
    hostName: new URL(config.appUrl).host,
    hostScheme: "https",
    apiVersion: SHOPIFY_API_VERSION,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Warning },
  }) as unknown as Shopify;
  const store = openAppStorage(config);
  const { settings } = store;
  let stopWorkers: (() => void) | undefined;

  const workers = createShopWorkers({
    settings,
    shopStores,
    sourceFor: (shop) => bridge.catalogSource(shop),
    neuroonBaseUrl: config.neuroonBaseUrl,
  });
  const { workerFor } = workers;

  const bridge: ShopifyBridge = createShopifyBridge({
    shopify: api,
    tokenStore: store.tokens,
    deliveries: store.deliveries,
    // More than the React Router package's own 5 minutes, so it never refreshes by itself.
    refreshMarginMs: 10 * 60_000,
    // Only installed shops take work: after app/uninstalled the token is gone until a reinstall.
    queueFor: async (shop) =>
      (await store.tokens.load(shop)) ? (await workerFor(shop))?.stores.queue : undefined,
    onUninstalled: async (shop) => {
      // The token is revoked: stop the shop's work, keep its data until shop/redact.
      await workers.close(shop);
    },
    onShopRedact: async (shop) => {
      // 48 h after uninstall: delete everything held for the shop, its products in Neuroon too.
      // Settings last: they name the Neuroon shop, and so the sync state, should a step fail
      // and Shopify retry. No host works on the shop meanwhile: it has no token since uninstall.
      const worker = await workerFor(shop);
      if (worker) {
        await purgeNeuroonCatalog(worker.client);
        workers.forget(shop);
        await worker.stores.erase();
      } else {
        await shopStores.eraseUnopened(shop);
      }
      await settings.delete(shop);
    },
  });

  const sessionStorage = createSessionStorage(store.onlineSessions, bridge.tokens);
  const isInstalled = async (shop: string): Promise<boolean> =>
    (await store.tokens.load(shop)) !== undefined;
  const recordError = (shop: string, error: unknown) =>
    settings.recordSync(shop, { at: Date.now(), error: (error as Error).message });

  const runtime: Runtime = {
    config,
    api,
    bridge,
    settings,
    sessionStorage,
    engineFor: async (shop) => (await workerFor(shop))?.engine,
    async importCatalog(shop) {
      const worker = await workerFor(shop);
      if (!worker)
        throw new Error(
          `Shop ${shop} is not connected to Neuroon yet; save its Neuroon credentials first.`,
        );
      try {
        const summary = await worker.engine.fullSync();
        await settings.recordSync(shop, { at: Date.now() });
        return summary;
      } catch (error) {
        await recordError(shop, error);
        throw error;
      }
    },
    async reconcileDue() {
      for (const { shop } of await settings.list()) {
        if (!(await isInstalled(shop))) continue;
        // Several hosts (REDIS_URL) share one Neuroon key, and each client paces only its own
        // requests: N walks of the catalog would split one rate-limit bucket N ways.
        if (!(await shopStores.claimPeriodicRun(shop, "reconcile", reconcileIntervalMs))) continue;
        await (await workerFor(shop))?.engine
          .reconcile()
          .catch((error: unknown) => recordError(shop, error));
      }
    },
    async drainAll() {
      for (const { shop } of await settings.list()) {
        if (!(await isInstalled(shop))) continue;
        const worker = await workerFor(shop);
        if (!worker) continue;
        try {
          await worker.engine.drain();
        } catch (error) {
          await recordError(shop, error);
        }
      }
    },
    async drainCoalesced(shop, signal) {
      const worker = await workerFor(shop);
      if (!worker) return undefined;
      try {
        // One turn of core's worker loop; the interval in startWorkers schedules the turns.
        return await drainCoalesced({
          queue: worker.stores.queue,
          drain: (request) => worker.engine.drain(request),
          signal,
          coalesce: config.coalesce,
        });
      } catch (error) {
        if (!signal?.aborted) await recordError(shop, error);
        return undefined;
      }
    },
    startWorkers() {
      if (stopWorkers) return;
      stopWorkers = startBackgroundWorkers({
        shops: async () => (await settings.list()).map(({ shop }) => shop),
        isInstalled,
        drainCoalesced: (shop, signal) => runtime.drainCoalesced(shop, signal),
        reconcileDue: () => runtime.reconcileDue(),
        drainIntervalMs: config.drainIntervalMs ?? 2_000,
        reconcileIntervalMs,
      });
    },
    async close() {
      stopWorkers?.();
      stopWorkers = undefined;
      await workers.closeAll();
      await shopStores.close();
      await store.close();
    },
  };
  return runtime;
}

/** Deletes every product of the shop from Neuroon (compliance: `shop/redact`). */
async function purgeNeuroonCatalog(client: NeuroonClient): Promise<number> {
  const ids: string[] = [];
  for await (const product of client.products.list({ size: 100 })) ids.push(product.externalId);
  for (const id of ids) await client.products.delete(id);
  return ids.length;
}
