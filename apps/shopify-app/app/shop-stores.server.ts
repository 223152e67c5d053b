import type { ChangeQueue, SyncStateStore } from "@neuroon/core";
import { postgresShopStores } from "./postgres-shop-stores.server.js";
import { redisShopStores } from "./redis-shop-stores.server.js";
import { DEFAULT_REDIS_KEY_PREFIX, type RuntimeConfig } from "./runtime-config.server.js";
import { sqliteShopStores } from "./sqlite-shop-stores.server.js";

/** A shop's change queue and sync state, on the backend the configuration picked. */
export interface ShopStores {
  queue: ChangeQueue;
  state: SyncStateStore;
  close(): Promise<void>;
  /** Deletes everything the two hold for the shop (`shop/redact`), then closes them. */
  erase(): Promise<void>;
}

/** Opens and erases shops' queues and sync state. */
export interface ShopStoresBackend {
  /** The shop's stores; `neuroonShopId` scopes the sync state to the Neuroon shop. */
  open(shop: string, neuroonShopId: string): Promise<ShopStores>;
  /** Deletes what a shop whose stores are not open left behind. */
  eraseUnopened(shop: string): Promise<void>;
  /**
   * Whether this host runs the shop's periodic `job` now. One host holds the stores, so always
   * on SQLite; on Redis or PostgreSQL, the first host to ask in `periodMs` takes a lease and the
   * others skip.
   */
  claimPeriodicRun(shop: string, job: string, periodMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Each shop's queue and sync state on the backend the configuration picks: Redis when
 * `config.redisUrl` is set, else PostgreSQL when `config.databaseUrl` is, else one SQLite queue
 * and one state file per shop in `config.dataDir`.
 */
export function openShopStoresBackend(config: RuntimeConfig): ShopStoresBackend {
  if (config.redisUrl)
    return redisShopStores(config.redisUrl, config.redisKeyPrefix ?? DEFAULT_REDIS_KEY_PREFIX);
  if (config.databaseUrl) return postgresShopStores(config.databaseUrl);
  return sqliteShopStores(config.dataDir);
}
