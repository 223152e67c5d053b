import { randomUUID } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { sleep } from "@neuroon/core";
import type { WebhookDeliveryLog } from "./delivery-log.js";
import type { OfflineTokenStore, StoredOfflineToken } from "./offline-tokens.js";

/** Options of {@link openSqliteShopifyStore}. */
export interface SqliteShopifyStoreOptions {
  /** Database file (created when missing); several processes may open the same file. */
  path: string;
  /** Wait for another process's write lock before failing. Default 5,000 ms. */
  busyTimeoutMs?: number;
  /** How long webhook ids are remembered. Default 48 h (Shopify retries for 4 h). */
  deliveryTtlMs?: number;
  /** A refresh lock not released within this time is taken over (crashed worker). Default 30 s. */
  lockLeaseMs?: number;
  /** Poll interval while another worker holds a shop's refresh lock. Default 25 ms. */
  lockPollMs?: number;
  now?: () => number;
}

/** Offline tokens and webhook dedupe in one SQLite file, safe across processes on one host. */
export interface SqliteShopifyStore {
  tokens: OfflineTokenStore;
  deliveries: WebhookDeliveryLog;
  close(): void;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS shopify_offline_tokens (
  shop TEXT PRIMARY KEY,
  record TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS shopify_token_locks (
  shop TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS shopify_webhook_deliveries (
  shop TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (shop, webhook_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS shopify_webhook_deliveries_expiry ON shopify_webhook_deliveries (expires_at);
`;

/** Prune expired delivery ids once every this many claims. */
const PRUNE_EVERY_CLAIMS = 500;

/**
 * Opens the SQLite-backed stores (`node:sqlite`, WAL): token records are replaced by one UPSERT
 * (atomic), the per-shop refresh lock is a leased row (taken over when its holder crashed), and a
 * webhook id is claimed by one INSERT, so two processes never both accept the same delivery.
 */
export function openSqliteShopifyStore(options: SqliteShopifyStoreOptions): SqliteShopifyStore {
  const db = new DatabaseSync(options.path);
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
  if (options.path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
  db.exec(SCHEMA_SQL);
  const now = options.now ?? Date.now;
  const deliveryTtlMs = options.deliveryTtlMs ?? 48 * 3_600_000;
  const lockLeaseMs = options.lockLeaseMs ?? 30_000;
  const lockPollMs = options.lockPollMs ?? 25;

  const loadToken = db.prepare("SELECT record FROM shopify_offline_tokens WHERE shop = ?");
  const saveToken = db.prepare(
    `INSERT INTO shopify_offline_tokens (shop, record, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (shop) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`,
  );
  const deleteToken = db.prepare("DELETE FROM shopify_offline_tokens WHERE shop = ?");
  const takeLock = db.prepare(
    `INSERT INTO shopify_token_locks (shop, owner, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (shop) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
     WHERE shopify_token_locks.expires_at < ?`,
  );
  const releaseLock = db.prepare("DELETE FROM shopify_token_locks WHERE shop = ? AND owner = ?");
  const claimDelivery = db.prepare(
    `INSERT INTO shopify_webhook_deliveries (shop, webhook_id, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (shop, webhook_id) DO UPDATE SET expires_at = excluded.expires_at
     WHERE shopify_webhook_deliveries.expires_at < ?`,
  );
  const releaseDelivery = db.prepare(
    "DELETE FROM shopify_webhook_deliveries WHERE shop = ? AND webhook_id = ?",
  );
  const forgetDeliveries = db.prepare("DELETE FROM shopify_webhook_deliveries WHERE shop = ?");
  const pruneDeliveries = db.prepare("DELETE FROM shopify_webhook_deliveries WHERE expires_at < ?");
  let claims = 0;

  const tokens: OfflineTokenStore = {
    async load(shop) {
      const row = loadToken.get(shop) as { record: string } | undefined;
      return row ? (JSON.parse(row.record) as StoredOfflineToken) : undefined;
    },
    async save(token) {
      saveToken.run(token.shop, JSON.stringify(token), now());
    },
    async delete(shop) {
      deleteToken.run(shop);
    },
    async withLock(shop, fn) {
      const owner = randomUUID();
      for (;;) {
        const time = now();
        if (Number(takeLock.run(shop, owner, time + lockLeaseMs, time).changes) === 1) break;
        await sleep(lockPollMs);
      }
      try {
        return await fn();
      } finally {
        releaseLock.run(shop, owner);
      }
    },
  };

  const deliveries: WebhookDeliveryLog = {
    async claim(shop, webhookId) {
      const time = now();
      claims += 1;
      if (claims % PRUNE_EVERY_CLAIMS === 0) pruneDeliveries.run(time);
      return Number(claimDelivery.run(shop, webhookId, time + deliveryTtlMs, time).changes) === 1;
    },
    async release(shop, webhookId) {
      releaseDelivery.run(shop, webhookId);
    },
    async forgetShop(shop) {
      forgetDeliveries.run(shop);
    },
  };

  return { tokens, deliveries, close: () => db.close() };
}
