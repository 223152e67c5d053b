import type { Pool } from "pg";
import {
  createPostgresSchema,
  inPostgresTransaction,
  openPostgresHandle,
  type PostgresConnectionOptions,
} from "../postgres/connection.js";
import type {
  DriftSnapshot,
  IterateIdsOptions,
  SyncStateRecord,
  SyncStateStore,
  SyncStatus,
} from "./types.js";
import {
  DEFAULT_ITERATE_BATCH_SIZE,
  validateBatchSize,
  validateRecords,
  validateShopId,
} from "./validate.js";

/** Options for {@link createPostgresStateStore}. */
export interface PostgresStateStoreOptions extends PostgresConnectionOptions {
  /** The shop whose state this store reads and writes; several shops may share the tables. */
  shopId: string;
  /** Namespace, like the change queue's name (the Shopify app uses the shop's domain). Default `neuroon-state`. */
  name?: string;
}

/** Default {@link PostgresStateStoreOptions.name}. */
export const DEFAULT_POSTGRES_STATE_NAME = "neuroon-state";

const SCHEMA_LOCK = "neuroon_sync_state_schema";

// Ids are compared byte by byte (COLLATE "C"), so `iterateIds` pages in the same order as the
// SQLite and Redis stores whatever the database's locale is, and keyset paging stays exact.
function schemaSql(s: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${s}.neuroon_sync_state (
  name TEXT NOT NULL,
  shop_id TEXT NOT NULL,
  external_id TEXT COLLATE "C" NOT NULL,
  content_hash TEXT NOT NULL,
  snapshot TEXT,
  synced_at BIGINT NOT NULL,
  parent_external_id TEXT COLLATE "C",
  status TEXT NOT NULL,
  reason TEXT,
  PRIMARY KEY (name, shop_id, external_id)
);
CREATE INDEX IF NOT EXISTS neuroon_sync_state_parent
  ON ${s}.neuroon_sync_state (name, shop_id, parent_external_id)
  WHERE parent_external_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.neuroon_sync_meta (
  name TEXT NOT NULL,
  shop_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name, shop_id, key)
);
`;
}

interface StateRow {
  external_id: string;
  content_hash: string;
  snapshot: string | null;
  synced_at: string;
  parent_external_id: string | null;
  status: string;
  reason: string | null;
}

/**
 * The {@link SyncStateStore} in PostgreSQL, beside {@link PostgresChangeQueue} for several
 * machines sharing one database. Import it from `@neuroon/core/postgres`.
 */
export class PostgresSyncStateStore implements SyncStateStore {
  readonly shopId: string;
  /** The namespace this instance reads and writes. */
  readonly name: string;
  readonly #pool: Pool;
  readonly #ownsPool: boolean;
  readonly #state: string;
  readonly #meta: string;
  #closed = false;

  /** Use {@link createPostgresStateStore}, which also creates the tables. */
  constructor(
    pool: Pool,
    ownsPool: boolean,
    schemaSql: string,
    options: PostgresStateStoreOptions,
  ) {
    this.shopId = options.shopId;
    this.name = options.name ?? DEFAULT_POSTGRES_STATE_NAME;
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#state = `${schemaSql}.neuroon_sync_state`;
    this.#meta = `${schemaSql}.neuroon_sync_meta`;
  }

  async get(externalIds: readonly string[]): Promise<Map<string, SyncStateRecord>> {
    const found = new Map<string, SyncStateRecord>();
    if (externalIds.length === 0) return found;
    const { rows } = await this.#pool.query<StateRow>(
      `SELECT * FROM ${this.#state}
       WHERE name = $1 AND shop_id = $2 AND external_id = ANY($3::text[])`,
      [this.name, this.shopId, [...new Set(externalIds)]],
    );
    for (const row of rows) found.set(row.external_id, toRecord(row));
    return found;
  }

  async put(records: readonly SyncStateRecord[]): Promise<void> {
    validateRecords(records);
    if (records.length === 0) return;
    // One INSERT … ON CONFLICT may not touch a row twice: the last record of an id wins, as it
    // would with one put per record.
    const latest = [...new Map(records.map((record) => [record.externalId, record])).values()];
    this.#assertOpen();
    await this.#pool.query(
      `INSERT INTO ${this.#state}
         (name, shop_id, external_id, content_hash, snapshot, synced_at, parent_external_id, status, reason)
       SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[])
       ON CONFLICT (name, shop_id, external_id) DO UPDATE SET
         content_hash = excluded.content_hash, snapshot = excluded.snapshot,
         synced_at = excluded.synced_at, parent_external_id = excluded.parent_external_id,
         status = excluded.status, reason = excluded.reason`,
      [
        this.name,
        this.shopId,
        latest.map((record) => record.externalId),
        latest.map((record) => record.contentHash),
        latest.map((record) =>
          record.snapshot === undefined ? null : JSON.stringify(record.snapshot),
        ),
        latest.map((record) => Math.trunc(record.syncedAt)),
        latest.map((record) => record.parentExternalId ?? null),
        latest.map((record) => record.status),
        latest.map((record) => record.reason ?? null),
      ],
    );
  }

  async delete(externalIds: readonly string[]): Promise<number> {
    if (externalIds.length === 0) return 0;
    this.#assertOpen();
    const result = await this.#pool.query(
      `DELETE FROM ${this.#state}
       WHERE name = $1 AND shop_id = $2 AND external_id = ANY($3::text[])`,
      [this.name, this.shopId, [...new Set(externalIds)]],
    );
    return result.rowCount ?? 0;
  }

  async *iterateIds(options?: IterateIdsOptions): AsyncIterable<string> {
    const batchSize = options?.batchSize ?? DEFAULT_ITERATE_BATCH_SIZE;
    validateBatchSize(batchSize);
    // Keyset pagination: each page is a fresh short query resuming after the last id, so memory
    // is one page, no transaction or cursor stays open and the caller's deletes between pages
    // cannot shift the window.
    let after = "";
    for (;;) {
      const { rows } = await this.#pool.query<{ external_id: string }>(
        `SELECT external_id FROM ${this.#state}
         WHERE name = $1 AND shop_id = $2 AND external_id > $3
         ORDER BY external_id LIMIT $4`,
        [this.name, this.shopId, after, batchSize],
      );
      for (const row of rows) yield row.external_id;
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < batchSize) return;
      after = last.external_id;
    }
  }

  async count(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.#state} WHERE name = $1 AND shop_id = $2`,
      [this.name, this.shopId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async variantsOf(parentExternalIds: readonly string[]): Promise<string[]> {
    if (parentExternalIds.length === 0) return [];
    const { rows } = await this.#pool.query<{ external_id: string }>(
      `SELECT external_id FROM ${this.#state}
       WHERE name = $1 AND shop_id = $2 AND parent_external_id = ANY($3::text[])
       ORDER BY external_id`,
      [this.name, this.shopId, [...new Set(parentExternalIds)]],
    );
    return rows.map((row) => row.external_id);
  }

  async getMeta<T = unknown>(key: string): Promise<T | undefined> {
    const { rows } = await this.#pool.query<{ value: string }>(
      `SELECT value FROM ${this.#meta} WHERE name = $1 AND shop_id = $2 AND key = $3`,
      [this.name, this.shopId, key],
    );
    const row = rows[0];
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.#assertOpen();
    if (value === undefined) {
      await this.#pool.query(
        `DELETE FROM ${this.#meta} WHERE name = $1 AND shop_id = $2 AND key = $3`,
        [this.name, this.shopId, key],
      );
      return;
    }
    await this.#pool.query(
      `INSERT INTO ${this.#meta} (name, shop_id, key, value) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name, shop_id, key) DO UPDATE SET value = excluded.value`,
      [this.name, this.shopId, key, JSON.stringify(value)],
    );
  }

  /** Deletes every record and metadata key of this shop in this namespace (a shop's `shop/redact`). */
  async drop(): Promise<void> {
    this.#assertOpen();
    await inPostgresTransaction(this.#pool, async (client) => {
      await client.query(`DELETE FROM ${this.#state} WHERE name = $1 AND shop_id = $2`, [
        this.name,
        this.shopId,
      ]);
      await client.query(`DELETE FROM ${this.#meta} WHERE name = $1 AND shop_id = $2`, [
        this.name,
        this.shopId,
      ]);
    });
  }

  /** Ends the pool the store opened from a `connectionString`; a `pool` passed in stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new Error(
        "PostgresSyncStateStore is closed; open a new one with createPostgresStateStore()",
      );
    }
  }
}

/**
 * Opens the PostgreSQL sync state store (see {@link PostgresSyncStateStore}), creating its schema
 * and tables if needed; several processes may call it at once.
 *
 * ```ts
 * import { createPostgresStateStore } from "@neuroon/core/postgres";
 * const state = await createPostgresStateStore({ pool, shopId: "8f14e45f-…" });
 * ```
 */
export async function createPostgresStateStore(
  options: PostgresStateStoreOptions,
): Promise<PostgresSyncStateStore> {
  validateShopId(options.shopId);
  const name = options.name ?? DEFAULT_POSTGRES_STATE_NAME;
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(
      `createPostgresStateStore name must be a non-empty string, received ${JSON.stringify(name)}`,
    );
  }
  const handle = await openPostgresHandle(options, "createPostgresStateStore");
  try {
    await createPostgresSchema(handle, SCHEMA_LOCK, schemaSql(handle.schemaSql));
  } catch (error) {
    if (handle.ownsPool) await handle.pool.end();
    throw error;
  }
  return new PostgresSyncStateStore(handle.pool, handle.ownsPool, handle.schemaSql, options);
}

function toRecord(row: StateRow): SyncStateRecord {
  const record: SyncStateRecord = {
    externalId: row.external_id,
    contentHash: row.content_hash,
    syncedAt: Number(row.synced_at),
    status: row.status as SyncStatus,
  };
  if (row.snapshot !== null) record.snapshot = JSON.parse(row.snapshot) as DriftSnapshot;
  if (row.parent_external_id !== null) record.parentExternalId = row.parent_external_id;
  if (row.reason !== null) record.reason = row.reason;
  return record;
}
