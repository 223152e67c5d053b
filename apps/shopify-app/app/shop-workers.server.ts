import { type CatalogSource, NeuroonClient, SyncEngine } from "@neuroon/core";
import type { SettingsStore } from "./settings.server.js";
import type { ShopStores, ShopStoresBackend } from "./shop-stores.server.js";

/** Per-shop sync machinery, opened when the shop is connected to Neuroon. */
export interface ShopWorker {
  stores: ShopStores;
  engine: SyncEngine;
  client: NeuroonClient;
}

/** What {@link createShopWorkers} builds each shop's worker from. */
export interface ShopWorkersOptions {
  /** The shops' Neuroon credentials: a shop without settings has no worker. */
  settings: SettingsStore;
  shopStores: ShopStoresBackend;
  /** The shop's catalog as the engine reads it (the Shopify bridge's catalog source). */
  sourceFor(shop: string): CatalogSource;
  /** Neuroon API base URL; the client's production default when absent. */
  neuroonBaseUrl?: string | undefined;
}

/** The open shop workers of this process, one a connected shop, opened on first use. */
export interface ShopWorkers {
  /** The shop's worker, opened now if needed, or `undefined` while it is not connected to Neuroon. */
  workerFor(shop: string): Promise<ShopWorker | undefined>;
  /** Closes the shop's stores and forgets its worker (uninstall); its data stays. */
  close(shop: string): Promise<void>;
  /** Forgets the shop's worker without closing it (its stores are about to be erased). */
  forget(shop: string): void;
  /** Closes every open worker. */
  closeAll(): Promise<void>;
}

/** Opens each connected shop's stores, Neuroon client and engine once and keeps them. */
export function createShopWorkers(options: ShopWorkersOptions): ShopWorkers {
  const { settings, shopStores } = options;
  const workers = new Map<string, ShopWorker>();
  const close = async (shop: string): Promise<void> => {
    const worker = workers.get(shop);
    workers.delete(shop);
    await worker?.stores.close();
  };
  return {
    async workerFor(shop) {
      const current = await settings.get(shop);
      if (!current) return undefined;
      const existing = workers.get(shop);
      if (existing) return existing;
      const stores = await shopStores.open(shop, current.neuroonShopId);
      // Another call may have opened the shop's stores while this one waited for Redis.
      const raced = workers.get(shop);
      if (raced) {
        await stores.close();
        return raced;
      }
      const { queue, state } = stores;
      const client = new NeuroonClient({
        shopId: current.neuroonShopId,
        apiKey: current.neuroonApiKey,
        ...(options.neuroonBaseUrl ? { baseUrl: options.neuroonBaseUrl } : {}),
        appInfo: { name: "neuroon-shopify-app", version: "0.0.0" },
      });
      const engine = new SyncEngine({
        client,
        queue,
        state,
        source: options.sourceFor(shop),
        shopId: current.neuroonShopId,
      });
      const worker = { stores, engine, client };
      workers.set(shop, worker);
      return worker;
    },
    close,
    forget(shop) {
      workers.delete(shop);
    },
    async closeAll() {
      for (const shop of [...workers.keys()]) await close(shop);
    },
  };
}
