import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";

/** What the store keeps of a webhook secret it set: a digest bound to the webhook id, never the secret. */
export function webhookSecretDigest(webhookId: number, secret: string): string {
  return createHash("sha256").update(`${webhookId}\n${secret}`).digest("hex");
}

/**
 * The bridge's own durable bookkeeping, beside the queue and sync state in the same SQLite file:
 * which orders were reported to Neuroon (once per order) and which secret the bridge gave each of
 * the store's webhooks (WooCommerce never returns it).
 *
 * Webhook deliveries are not deduplicated: WooCommerce's `X-WC-Webhook-Delivery-ID` is
 * `wp_hash(webhook_id . time())`, shared by every delivery of a webhook within one second (issue
 * 14), and processing a delivery twice is harmless (a product is re-read, an order reported once).
 */
export class BridgeStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  #closed = false;

  constructor(path: string, options: { now?: () => number; busyTimeoutMs?: number } = {}) {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    this.#now = options.now ?? Date.now;
    this.#db = new DatabaseSync(path, { timeout: busyTimeoutMs });
    this.#db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec(`
      DROP TABLE IF EXISTS woo_bridge_deliveries;
      CREATE TABLE IF NOT EXISTS woo_bridge_webhook_secrets (
        webhook_id INTEGER PRIMARY KEY,
        secret_digest TEXT NOT NULL,
        set_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS woo_bridge_reported_orders (
        order_id TEXT PRIMARY KEY,
        reported_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  }

  /** Whether the bridge itself gave webhook `webhookId` this secret (WooCommerce never shows it). */
  hasWebhookSecret(webhookId: number, secret: string): boolean {
    const row = this.#db
      .prepare("SELECT secret_digest FROM woo_bridge_webhook_secrets WHERE webhook_id = ?")
      .get(webhookId) as { secret_digest: string } | undefined;
    return row?.secret_digest === webhookSecretDigest(webhookId, secret);
  }

  /** Remembers that webhook `webhookId` was given this secret (after the store accepted it). */
  rememberWebhookSecret(webhookId: number, secret: string): void {
    this.#db
      .prepare(
        "INSERT INTO woo_bridge_webhook_secrets (webhook_id, secret_digest, set_at) VALUES (?, ?, ?) ON CONFLICT (webhook_id) DO UPDATE SET secret_digest = excluded.secret_digest, set_at = excluded.set_at",
      )
      .run(webhookId, webhookSecretDigest(webhookId, secret), this.#now());
  }

  isOrderReported(orderId: string): boolean {
    return (
      this.#db
        .prepare("SELECT 1 AS found FROM woo_bridge_reported_orders WHERE order_id = ?")
        .get(orderId) !== undefined
    );
  }

  markOrderReported(orderId: string): void {
    this.#db
      .prepare(
        "INSERT OR IGNORE INTO woo_bridge_reported_orders (order_id, reported_at) VALUES (?, ?)",
      )
      .run(orderId, this.#now());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
