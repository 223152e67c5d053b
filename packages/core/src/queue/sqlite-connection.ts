import type * as NodeSqlite from "node:sqlite";
import type { DatabaseSync } from "node:sqlite";
import { ConfigurationError } from "../errors.js";

/**
 * `node:sqlite`, loaded the first time a SQLite queue or state store is opened, never at import:
 * the plain client (and the Redis and PostgreSQL backends) must not need it. It loads without a
 * flag from Node 22.13 (the floor is 22.19 for undici 8); older runtimes get a message instead of a stack trace.
 */
function loadSqlite(): typeof NodeSqlite {
  const sqlite = process.getBuiltinModule?.("node:sqlite") as typeof NodeSqlite | undefined;
  if (sqlite === undefined) {
    throw new ConfigurationError(
      `The SQLite queue and state store need node:sqlite, which this Node (${process.version}) ` +
        "does not provide without a flag. Use Node 22.19 or newer, or the Redis or PostgreSQL backend.",
    );
  }
  return sqlite;
}

/**
 * How hard SQLite works to keep a committed transaction.
 *
 * - `normal` (default): with WAL, a commit is a `write()` into the WAL file, fsynced at checkpoints.
 *   A committed transaction survives the process being killed (the bytes are in the OS page
 *   cache), but the last few commits may be lost if the machine loses power or the kernel crashes.
 *   See https://www.sqlite.org/pragma.html#pragma_synchronous and https://www.sqlite.org/wal.html.
 * - `full`: every commit also fsyncs the WAL, so it survives power loss too, at roughly one disk
 *   flush per transaction (batch your enqueues).
 */
export type SqliteSynchronous = "normal" | "full";

/** Options shared by the SQLite-backed stores. */
export interface SqliteOpenOptions {
  /** The database file, created if missing; `:memory:` for a private in-process database. */
  path: string;
  /** Durability level; see {@link SqliteSynchronous}. Default `normal`. */
  synchronous?: SqliteSynchronous;
  /** How long a write waits for another process holding the write lock. Default 5 000 ms. */
  busyTimeoutMs?: number;
}

/** Default wait for the SQLite write lock held by another connection or process. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens a SQLite database tuned for a small, write-heavy queue: WAL (readers never block the
 * writer, and one writer per file at a time across processes), the chosen `synchronous` level and
 * a busy timeout so concurrent processes wait for the lock instead of failing with SQLITE_BUSY.
 */
export function openSqliteDatabase(options: SqliteOpenOptions): DatabaseSync {
  const synchronous = options.synchronous ?? "normal";
  if (synchronous !== "normal" && synchronous !== "full") {
    throw new TypeError(
      `synchronous must be "normal" or "full", received ${JSON.stringify(synchronous)}`,
    );
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const db = new (loadSqlite().DatabaseSync)(options.path, { timeout: busyTimeoutMs });
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    // `:memory:` databases report "memory" here; WAL only matters for files.
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`);
    db.exec("PRAGMA foreign_keys = ON");
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Runs `fn` in one `BEGIN IMMEDIATE` transaction. IMMEDIATE takes the write lock up front, so two
 * processes that both read-then-write (claim) queue on the busy timeout instead of one failing
 * with SQLITE_BUSY when it tries to upgrade a read lock.
 */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}
