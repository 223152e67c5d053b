import { Buffer } from "node:buffer";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import {
  inTransaction,
  openSqliteDatabase,
  type SqliteOpenOptions,
} from "../queue/sqlite-connection.js";
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

/** Options for {@link openSqliteStateStore}. */
export interface SqliteStateStoreOptions extends SqliteOpenOptions {
  /** The shop whose state this store reads and writes; several shops may share one file. */
  shopId: string;
}

// WITHOUT ROWID: the primary key is the only access path, so the table is the index.
const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS neuroon_sync_state (
  shop_id TEXT NOT NULL,
  external_id TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  snapshot TEXT,
  synced_at INTEGER NOT NULL,
  parent_external_id TEXT,
  status TEXT NOT NULL,
  reason TEXT,
  PRIMARY KEY (shop_id, external_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS neuroon_sync_state_parent
  ON neuroon_sync_state (shop_id, parent_external_id) WHERE parent_external_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS neuroon_sync_meta (
  shop_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (shop_id, key)
) STRICT, WITHOUT ROWID;
`;

interface StateRow {
  external_id: string;
  content_hash: string;
  snapshot: string | null;
  synced_at: number;
  parent_external_id: string | null;
  status: string;
  reason: string | null;
}

// SQLite caps bound parameters per statement; ids go in as one JSON array through json_each
// instead, so a lookup of 5 000 ids is still one statement, but chunked to keep each JSON small.
const IDS_PER_STATEMENT = 500;

/**
 * The default {@link SyncStateStore}: SQLite (WAL), in its own tables, so it can live in the
 * queue's file. Same durability options as the queue.
 */
export class SqliteSyncStateStore implements SyncStateStore {
  readonly shopId: string;
  readonly #db: DatabaseSync;
  readonly #select: StatementSync;
  readonly #upsert: StatementSync;
  readonly #delete: StatementSync;
  readonly #page: StatementSync;
  readonly #variants: StatementSync;
  readonly #getMeta: StatementSync;
  readonly #setMeta: StatementSync;
  readonly #deleteMeta: StatementSync;
  #closed = false;

  /** Opens (creating if needed) the state tables in the database at `options.path`. */
  constructor(options: SqliteStateStoreOptions) {
    validateShopId(options.shopId);
    this.shopId = options.shopId;
    this.#db = openSqliteDatabase(options);
    try {
      this.#db.exec(SCHEMA_SQL);
      this.#select = this.#db.prepare(`
        SELECT * FROM neuroon_sync_state
        WHERE shop_id = ? AND external_id IN (SELECT value FROM json_each(?))`);
      this.#upsert = this.#db.prepare(`
        INSERT OR REPLACE INTO neuroon_sync_state
          (shop_id, external_id, content_hash, snapshot, synced_at, parent_external_id, status, reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      this.#delete = this.#db.prepare(`
        DELETE FROM neuroon_sync_state
        WHERE shop_id = ? AND external_id IN (SELECT value FROM json_each(?))`);
      this.#page = this.#db.prepare(`
        SELECT external_id FROM neuroon_sync_state
        WHERE shop_id = ? AND external_id > ? ORDER BY external_id LIMIT ?`);
      this.#variants = this.#db.prepare(`
        SELECT external_id FROM neuroon_sync_state
        WHERE shop_id = ? AND parent_external_id IN (SELECT value FROM json_each(?))`);
      this.#getMeta = this.#db.prepare(
        "SELECT value FROM neuroon_sync_meta WHERE shop_id = ? AND key = ?",
      );
      this.#setMeta = this.#db.prepare(
        "INSERT OR REPLACE INTO neuroon_sync_meta (shop_id, key, value) VALUES (?, ?, ?)",
      );
      this.#deleteMeta = this.#db.prepare(
        "DELETE FROM neuroon_sync_meta WHERE shop_id = ? AND key = ?",
      );
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  async get(externalIds: readonly string[]): Promise<Map<string, SyncStateRecord>> {
    const found = new Map<string, SyncStateRecord>();
    for (const chunk of chunks([...new Set(externalIds)], IDS_PER_STATEMENT)) {
      const rows = this.#select.all(this.shopId, JSON.stringify(chunk)) as unknown as StateRow[];
      for (const row of rows) found.set(row.external_id, toRecord(row));
    }
    return found;
  }

  async put(records: readonly SyncStateRecord[]): Promise<void> {
    validateRecords(records);
    if (records.length === 0) return;
    inTransaction(this.#db, () => {
      for (const record of records) {
        this.#upsert.run(
          this.shopId,
          record.externalId,
          record.contentHash,
          record.snapshot === undefined ? null : JSON.stringify(record.snapshot),
          record.syncedAt,
          record.parentExternalId ?? null,
          record.status,
          record.reason ?? null,
        );
      }
    });
  }

  async delete(externalIds: readonly string[]): Promise<number> {
    if (externalIds.length === 0) return 0;
    return inTransaction(this.#db, () => {
      let removed = 0;
      for (const chunk of chunks([...new Set(externalIds)], IDS_PER_STATEMENT)) {
        removed += Number(this.#delete.run(this.shopId, JSON.stringify(chunk)).changes);
      }
      return removed;
    });
  }

  async *iterateIds(options?: IterateIdsOptions): AsyncIterable<string> {
    const batchSize = options?.batchSize ?? DEFAULT_ITERATE_BATCH_SIZE;
    validateBatchSize(batchSize);
    // Keyset pagination: each page is a fresh short read resuming after the last id, so memory is
    // one page, no read transaction stays open (the WAL can checkpoint) and deletes made by the
    // caller between pages cannot shift the window.
    let after = "";
    for (;;) {
      const rows = this.#page.all(this.shopId, after, batchSize) as unknown as {
        external_id: string;
      }[];
      for (const row of rows) yield row.external_id;
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < batchSize) return;
      after = last.external_id;
    }
  }

  async count(): Promise<number> {
    const row = this.#db
      .prepare("SELECT count(*) AS n FROM neuroon_sync_state WHERE shop_id = ?")
      .get(this.shopId) as { n: number };
    return row.n;
  }

  async variantsOf(parentExternalIds: readonly string[]): Promise<string[]> {
    const variants: string[] = [];
    for (const chunk of chunks([...new Set(parentExternalIds)], IDS_PER_STATEMENT)) {
      const rows = this.#variants.all(this.shopId, JSON.stringify(chunk)) as unknown as {
        external_id: string;
      }[];
      for (const row of rows) variants.push(row.external_id);
    }
    // Byte order, as ORDER BY would give, but across chunks.
    return variants.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  async getMeta<T = unknown>(key: string): Promise<T | undefined> {
    const row = this.#getMeta.get(this.shopId, key) as { value: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.#deleteMeta.run(this.shopId, key);
    else this.#setMeta.run(this.shopId, key, JSON.stringify(value));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}

/** Opens the SQLite sync state store; see {@link SqliteSyncStateStore}. */
export function openSqliteStateStore(options: SqliteStateStoreOptions): SqliteSyncStateStore {
  return new SqliteSyncStateStore(options);
}

function toRecord(row: StateRow): SyncStateRecord {
  const record: SyncStateRecord = {
    externalId: row.external_id,
    contentHash: row.content_hash,
    syncedAt: row.synced_at,
    status: row.status as SyncStatus,
  };
  if (row.snapshot !== null) record.snapshot = JSON.parse(row.snapshot) as DriftSnapshot;
  if (row.parent_external_id !== null) record.parentExternalId = row.parent_external_id;
  if (row.reason !== null) record.reason = row.reason;
  return record;
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
