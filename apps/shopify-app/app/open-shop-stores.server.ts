import { postgresShopStores } from "./postgres-shop-stores.server.js";
import { redisShopStores } from "./redis-shop-stores.server.js";
import { DEFAULT_REDIS_KEY_PREFIX, type RuntimeConfig } from "./runtime-config.server.js";
import type { ShopStoresBackend } from "./shop-stores.server.js";
import { sqliteShopStores } from "./sqlite-shop-stores.server.js";

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
