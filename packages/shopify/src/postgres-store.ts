import { randomUUID } from "node:crypto";
import { sleep } from "@neuroon/core";
import { createPostgresPool, withPostgresSchemaLock } from "@neuroon/core/postgres";
import type { Pool } from "pg";
import type { WebhookDeliveryLog } from "./delivery-log.js";
import type { OfflineTokenStore, StoredOfflineToken } from "./offline-tokens.js";

/** Options of {@link openPostgresShopifyStore}. */
export interface PostgresShopifyStoreOptions {
  /** `postgres://…` URL (e.g. `DATABASE_URL`); ignored when `pool` is given. */
  connectionString?: string;
  /** An existing `pg` pool to share; the store does not end it on `close()`. */
  pool?: Pool;
  /** Connections of the pool the store creates itself. Default 5. */
  maxConnections?: number;
  /** How long webhook ids are remembered. Default 48 h (Shopify retries for 4 h). */
  deliveryTtlMs?: number;
  /** A refresh lock not released within this time is taken over (crashed worker). Default 30 s. */
  lockLeaseMs?: number;
  /** Poll interval while another worker holds a shop's refresh lock. Default 25 ms. */
  lockPollMs?: number;
  now?: () => number;
}

/** Offline tokens and webhook dedupe in PostgreSQL, safe across processes and hosts. */
export interface PostgresShopifyStore {
  tokens: OfflineTokenStore;
  deliveries: WebhookDeliveryLog;
  /** The pool the store queries through (the app's own tables may share it). */
  pool: Pool;
  close(): Promise<void>;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS shopify_offline_tokens (
  shop TEXT PRIMARY KEY,
  record TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS shopify_token_locks (
  shop TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS shopify_webhook_deliveries (
  shop TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (shop, webhook_id)
);
CREATE INDEX IF NOT EXISTS shopify_webhook_deliveries_expiry ON shopify_webhook_deliveries (expires_at);
`;

/** Prune expired delivery ids once every this many claims. */
const PRUNE_EVERY_CLAIMS = 500;

/**
 * Opens the PostgreSQL-backed stores (the optional peer `pg`), with the SQLite store's semantics:
 * a token record is replaced by one UPSERT (atomic), the per-shop refresh lock is a leased row
 * taken by one conditional UPSERT (taken over when its holder crashed), and a webhook id is
 * claimed by one INSERT, so two processes never both accept the same delivery.
 */
export async function openPostgresShopifyStore(
  options: PostgresShopifyStoreOptions,
): Promise<PostgresShopifyStore> {
  let pool = options.pool;
  const ownsPool = !pool;
  if (!pool) {
    if (!options.connectionString)
      throw new TypeError("openPostgresShopifyStore needs a connectionString or a pool.");
    pool = await createPostgresPool(
      { connectionString: options.connectionString, max: options.maxConnections ?? 5 },
      "openPostgresShopifyStore",
    );
  }
  const db = pool;
  try {
    await withPostgresSchemaLock(db, "neuroon_shopify_schema", async (client) => {
      await client.query(SCHEMA_SQL);
    });
  } catch (error) {
    if (ownsPool) await db.end();
    throw error;
  }
  const now = options.now ?? Date.now;
  const deliveryTtlMs = options.deliveryTtlMs ?? 48 * 3_600_000;
  const lockLeaseMs = options.lockLeaseMs ?? 30_000;
  const lockPollMs = options.lockPollMs ?? 25;
  let claims = 0;

  const tokens: OfflineTokenStore = {
    async load(shop) {
      const { rows } = await db.query<{ record: string }>(
        "SELECT record FROM shopify_offline_tokens WHERE shop = $1",
        [shop],
      );
      const row = rows[0];
      return row ? (JSON.parse(row.record) as StoredOfflineToken) : undefined;
    },
    async save(token) {
      await db.query(
        `INSERT INTO shopify_offline_tokens (shop, record, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (shop) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`,
        [token.shop, JSON.stringify(token), now()],
      );
    },
    async delete(shop) {
      await db.query("DELETE FROM shopify_offline_tokens WHERE shop = $1", [shop]);
    },
    async withLock(shop, fn) {
      const owner = randomUUID();
      for (;;) {
        const time = now();
        const result = await db.query(
          `INSERT INTO shopify_token_locks (shop, owner, expires_at) VALUES ($1, $2, $3)
           ON CONFLICT (shop) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE shopify_token_locks.expires_at < $4`,
          [shop, owner, time + lockLeaseMs, time],
        );
        if (result.rowCount === 1) break;
        await sleep(lockPollMs);
      }
      try {
        return await fn();
      } finally {
        await db.query("DELETE FROM shopify_token_locks WHERE shop = $1 AND owner = $2", [
          shop,
          owner,
        ]);
      }
    },
  };

  const deliveries: WebhookDeliveryLog = {
    async claim(shop, webhookId) {
      const time = now();
      claims += 1;
      if (claims % PRUNE_EVERY_CLAIMS === 0)
        await db.query("DELETE FROM shopify_webhook_deliveries WHERE expires_at < $1", [time]);
      const result = await db.query(
        `INSERT INTO shopify_webhook_deliveries (shop, webhook_id, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (shop, webhook_id) DO UPDATE SET expires_at = excluded.expires_at
         WHERE shopify_webhook_deliveries.expires_at < $4`,
        [shop, webhookId, time + deliveryTtlMs, time],
      );
      return result.rowCount === 1;
    },
    async release(shop, webhookId) {
      await db.query("DELETE FROM shopify_webhook_deliveries WHERE shop = $1 AND webhook_id = $2", [
        shop,
        webhookId,
      ]);
    },
    async forgetShop(shop) {
      await db.query("DELETE FROM shopify_webhook_deliveries WHERE shop = $1", [shop]);
    },
  };

  return {
    tokens,
    deliveries,
    pool: db,
    close: async () => {
      if (ownsPool) await db.end();
    },
  };
}
