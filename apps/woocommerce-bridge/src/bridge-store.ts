import { DatabaseSync } from "node:sqlite";

/**
 * The bridge's own durable bookkeeping, beside the queue and sync state in the same SQLite file:
 * which webhook deliveries were already accepted (a redelivery is acknowledged without being
 * processed again, across restarts) and which orders were reported to Neuroon (once per order).
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
      CREATE TABLE IF NOT EXISTS woo_bridge_deliveries (
        delivery_id TEXT PRIMARY KEY,
        topic TEXT NOT NULL,
        resource_id INTEGER,
        received_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS woo_bridge_deliveries_received ON woo_bridge_deliveries (received_at);
      CREATE TABLE IF NOT EXISTS woo_bridge_reported_orders (
        order_id TEXT PRIMARY KEY,
        reported_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  }

  /** Whether this delivery id was accepted before. */
  hasDelivery(deliveryId: string): boolean {
    return (
      this.#db
        .prepare("SELECT 1 AS found FROM woo_bridge_deliveries WHERE delivery_id = ?")
        .get(deliveryId) !== undefined
    );
  }

  /** Records an accepted delivery (after its changes were enqueued); false if it was already there. */
  recordDelivery(deliveryId: string, topic: string, resourceId: number | undefined): boolean {
    const result = this.#db
      .prepare(
        "INSERT OR IGNORE INTO woo_bridge_deliveries (delivery_id, topic, resource_id, received_at) VALUES (?, ?, ?, ?)",
      )
      .run(deliveryId, topic, resourceId ?? null, this.#now());
    return Number(result.changes) > 0;
  }

  /** Forgets deliveries older than `retentionMs`; returns how many. */
  pruneDeliveries(retentionMs: number): number {
    const result = this.#db
      .prepare("DELETE FROM woo_bridge_deliveries WHERE received_at < ?")
      .run(this.#now() - retentionMs);
    return Number(result.changes);
  }

  deliveryCount(): number {
    const row = this.#db.prepare("SELECT COUNT(*) AS n FROM woo_bridge_deliveries").get() as {
      n: number;
    };
    return Number(row.n);
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
