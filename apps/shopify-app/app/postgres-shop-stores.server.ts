import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  createPostgresPool,
  createPostgresQueue,
  createPostgresStateStore,
  withPostgresSchemaLock,
} from "@neuroon/core/postgres";
import { sharedShopStores } from "./shared-shop-stores.server.js";
import type { ShopStoresBackend } from "./shop-stores.server.js";

/** The app's own table, beside core's queue and state tables in the same database. */
const LEASES_TABLE = "neuroon_shopify_periodic_leases";
/** Connections of the pool every shop's queue and state share. */
const MAX_CONNECTIONS = 5;

/**
 * `DATABASE_URL` without `REDIS_URL`: per shop, core's PostgreSQL change queue (name = the shop's
 * domain) and sync state store (same name, scoped to the Neuroon shop id), so hosts sharing the
 * database share each shop's work, as they do on Redis. One pool serves every shop: the stores
 * are given it and leave it open when they close, so closing a shop's stores (uninstall) only
 * detaches them.
 */
export function postgresShopStores(databaseUrl: string): ShopStoresBackend {
  const poolReady = createPostgresPool(
    { connectionString: databaseUrl, max: MAX_CONNECTIONS },
    "The Shopify app (DATABASE_URL)",
  );
  const leasesReady = poolReady.then(async (pool) => {
    await withPostgresSchemaLock(pool, LEASES_TABLE, async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS ${LEASES_TABLE} (
      shop TEXT NOT NULL,
      job TEXT NOT NULL,
      holder TEXT NOT NULL,
      lease_until TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (shop, job)
    )`);
    });
    return pool;
  });
  leasesReady.catch(() => undefined);
  const hostId = `${hostname()}:${process.pid}:${randomUUID()}`;
  const openQueue = async (shop: string) =>
    createPostgresQueue({ pool: await poolReady, name: shop });
  const dropLeases = async (shop: string) => {
    const pool = await leasesReady;
    await pool.query(`DELETE FROM ${LEASES_TABLE} WHERE shop = $1`, [shop]);
  };
  return sharedShopStores({
    async openStores(shop, neuroonShopId) {
      const pool = await poolReady;
      return {
        queue: await createPostgresQueue({ pool, name: shop }),
        state: await createPostgresStateStore({ pool, name: shop, shopId: neuroonShopId }),
      };
    },
    openQueue,
    dropLeases,
    async claimPeriodicRun(shop, job, periodMs) {
      const pool = await leasesReady;
      // A little under one period, so the next period's first tick finds it gone even when the
      // hosts' timers drift. The server's clock decides, so the hosts' clocks may disagree.
      const leaseMs = Math.max(1, Math.floor(periodMs * 0.9));
      const { rowCount } = await pool.query(
        `INSERT INTO ${LEASES_TABLE} (shop, job, holder, lease_until)
         VALUES ($1, $2, $3, clock_timestamp() + $4 * interval '1 millisecond')
         ON CONFLICT (shop, job) DO UPDATE
           SET holder = excluded.holder, lease_until = excluded.lease_until
           WHERE ${LEASES_TABLE}.lease_until <= clock_timestamp()`,
        [shop, job, hostId, leaseMs],
      );
      return rowCount === 1;
    },
    async close() {
      await leasesReady.catch(() => undefined);
      const pool = await poolReady.catch(() => undefined);
      await pool?.end();
    },
  });
}
