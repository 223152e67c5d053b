import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { currentLeaseOwner, isLeaseOwnerDead, LEASE_HOLDER_DIED_ERROR } from "./lease-owner.js";
import { inTransaction, openSqliteDatabase, type SqliteOpenOptions } from "./sqlite-connection.js";
import type {
  ChangeInput,
  ChangeKind,
  ChangeQueue,
  ClaimOptions,
  DeadLetter,
  QueuedChange,
  QueueStats,
} from "./types.js";
import {
  DEFAULT_DEAD_LETTER_LIMIT,
  encodePayload,
  LEASE_EXPIRED_ERROR,
  laneOf,
  normaliseChanges,
  validateClaimOptions,
  validateFailOptions,
  validateLeaseMs,
} from "./validate.js";

/** Options for {@link openSqliteQueue}. */
export interface SqliteQueueOptions extends SqliteOpenOptions {
  /** Clock in epoch ms; inject one in tests to drive leases and retry delays. Default `Date.now`. */
  now?: () => number;
}

export { DEFAULT_DEAD_LETTER_LIMIT, LEASE_EXPIRED_ERROR } from "./validate.js";

// One row per change. A change is pending/delayed while `lease_until` is NULL and in flight while
// it is set; the partial unique index makes "at most one not-in-flight change per (lane, key)"
// a database invariant, so coalescing is one UPSERT and a change enqueued while its predecessor is
// in flight simply becomes a second row.
const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS neuroon_change_queue (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  lane TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT,
  origin TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  coalesced INTEGER NOT NULL DEFAULT 1,
  first_enqueued_at INTEGER NOT NULL,
  last_enqueued_at INTEGER NOT NULL,
  available_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_error TEXT,
  lease_owner TEXT
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS neuroon_change_queue_pending_key
  ON neuroon_change_queue (lane, key) WHERE lease_until IS NULL;
CREATE INDEX IF NOT EXISTS neuroon_change_queue_lease
  ON neuroon_change_queue (lease_until) WHERE lease_until IS NOT NULL;
CREATE TABLE IF NOT EXISTS neuroon_change_dead_letters (
  id INTEGER PRIMARY KEY,
  lane TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT,
  origin TEXT,
  attempts INTEGER NOT NULL,
  coalesced INTEGER NOT NULL,
  first_enqueued_at INTEGER NOT NULL,
  last_enqueued_at INTEGER NOT NULL,
  last_error TEXT,
  failed_at INTEGER NOT NULL,
  reason TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS neuroon_change_dead_letters_failed
  ON neuroon_change_dead_letters (failed_at, id);
`;

// Used for new enqueues, for putting a failed or expired in-flight change back, and for replays:
// each inserts a not-in-flight row, and if one already exists for the key the two merge. A fresh
// enqueue supplies kind, payload and origin ($incomingWins = 1: arrival order, not timestamps,
// decides "latest", so a clock step back cannot resurrect an old payload); a change coming back
// from flight or the dead-letter list is older than any pending row for its key, so the pending
// row's content stays ($incomingWins = 0). Counts add up, and the later availability wins so a
// retry backoff is not cut short by a fresh edit. `$id` is NULL for new
// changes and the existing id otherwise (AUTOINCREMENT never reuses ids, so that is safe).
const UPSERT_SQL = `
INSERT INTO neuroon_change_queue
  (id, lane, key, kind, payload, origin, attempts, coalesced,
   first_enqueued_at, last_enqueued_at, available_at, last_error)
VALUES ($id, $lane, $key, $kind, $payload, $origin, $attempts, $coalesced,
   $first, $last, $available, $lastError)
ON CONFLICT (lane, key) WHERE lease_until IS NULL DO UPDATE SET
  kind = CASE WHEN $incomingWins THEN excluded.kind ELSE kind END,
  payload = CASE WHEN $incomingWins THEN excluded.payload ELSE payload END,
  origin = CASE WHEN $incomingWins THEN excluded.origin ELSE origin END,
  coalesced = coalesced + excluded.coalesced,
  first_enqueued_at = min(first_enqueued_at, excluded.first_enqueued_at),
  last_enqueued_at = max(last_enqueued_at, excluded.last_enqueued_at),
  attempts = max(attempts, excluded.attempts),
  available_at = max(available_at, excluded.available_at),
  last_error = coalesce(excluded.last_error, last_error)
`;

interface ChangeRow {
  id: number;
  lane: string;
  key: string;
  kind: string;
  payload: string | null;
  origin: string | null;
  attempts: number;
  coalesced: number;
  first_enqueued_at: number;
  last_enqueued_at: number;
  last_error: string | null;
}

interface DeadLetterRow extends ChangeRow {
  failed_at: number;
  reason: string;
}

/**
 * The embedded {@link ChangeQueue}: one SQLite file (WAL), no server. Several processes may share
 * the file (claims are serialised by SQLite's write lock); for several machines use the Redis
 * backend from `@neuroon/core/bullmq`.
 *
 * Guarantees: `enqueue` resolves after its transaction committed, so the change survives the
 * process being killed (and power loss with `synchronous: "full"`); a claimed change that is
 * neither acked nor failed within its lease is delivered again, so delivery is at least once.
 */
export class SqliteChangeQueue implements ChangeQueue {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #upsert: StatementSync;
  readonly #claimByKinds = new Map<string, StatementSync>();
  readonly #selectExpired: StatementSync;
  readonly #selectLeased: StatementSync;
  readonly #deleteChange: StatementSync;
  readonly #ackChange: StatementSync;
  readonly #renewLease: StatementSync;
  readonly #selectLeaseOwners: StatementSync;
  readonly #selectLeasedBy: StatementSync;
  readonly #owner = currentLeaseOwner();
  readonly #insertDead: StatementSync;
  #closed = false;

  /** Opens (creating if needed) the queue tables in the database at `options.path`. */
  constructor(options: SqliteQueueOptions) {
    this.#now = options.now ?? Date.now;
    this.#db = openSqliteDatabase(options);
    try {
      this.#db.exec(SCHEMA_SQL);
      addLeaseOwnerColumn(this.#db);
      this.#upsert = this.#db.prepare(UPSERT_SQL);
      this.#selectExpired = this.#db.prepare(
        "SELECT * FROM neuroon_change_queue WHERE lease_until IS NOT NULL AND lease_until <= ? ORDER BY id",
      );
      this.#selectLeased = this.#db.prepare(
        "SELECT * FROM neuroon_change_queue WHERE id = ? AND lease_until > ?",
      );
      this.#deleteChange = this.#db.prepare("DELETE FROM neuroon_change_queue WHERE id = ?");
      this.#ackChange = this.#db.prepare(
        "DELETE FROM neuroon_change_queue WHERE id = ? AND lease_until > ?",
      );
      this.#selectLeaseOwners = this.#db.prepare(
        "SELECT DISTINCT lease_owner FROM neuroon_change_queue WHERE lease_until > ? AND lease_owner IS NOT NULL",
      );
      this.#selectLeasedBy = this.#db.prepare(
        "SELECT * FROM neuroon_change_queue WHERE lease_owner = ? AND lease_until > ? ORDER BY id",
      );
      this.#renewLease = this.#db.prepare(
        "UPDATE neuroon_change_queue SET lease_until = ? WHERE id = ? AND lease_until > ? RETURNING id",
      );
      this.#insertDead = this.#db.prepare(`
        INSERT OR REPLACE INTO neuroon_change_dead_letters
          (id, lane, key, kind, payload, origin, attempts, coalesced,
           first_enqueued_at, last_enqueued_at, last_error, failed_at, reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  async enqueue(changes: ChangeInput | readonly ChangeInput[]): Promise<void> {
    const list = normaliseChanges(changes);
    if (list.length === 0) return;
    const now = this.#now();
    // One transaction per call: a batch of 10 000 is one commit, not 10 000.
    inTransaction(this.#db, () => {
      for (const change of list) {
        this.#upsert.run({
          $id: null,
          $lane: laneOf(change.kind),
          $key: change.key,
          $kind: change.kind,
          $payload: encodePayload(change.payload),
          $origin: change.origin ?? null,
          $attempts: 0,
          $coalesced: 1,
          $first: now,
          $last: now,
          $available: now,
          $lastError: null,
          $incomingWins: 1,
        });
      }
    });
  }

  async claim(options: ClaimOptions): Promise<QueuedChange[]> {
    const kinds = validateClaimOptions(options);
    if (kinds.length === 0) return [];
    const now = this.#now();
    const rows = inTransaction(this.#db, () => {
      // Crash recovery: a lease that ran out means the worker died or stalled; put the change back
      // (merging into any newer pending change for the key) before choosing what to hand out.
      for (const row of this.#selectExpired.all(now) as unknown as ChangeRow[]) {
        this.#putBack(row, row.attempts + 1, now, LEASE_EXPIRED_ERROR);
      }
      this.#reclaimFromDeadHolders(now);
      return this.#claimStatement(kinds).all({
        $owner: this.#owner,
        $leaseUntil: now + options.leaseMs,
        $now: now,
        $limit: options.limit,
      }) as unknown as ChangeRow[];
    });
    // RETURNING gives no order guarantee; the id is the enqueue order.
    return rows.sort((a, b) => a.id - b.id).map(toQueuedChange);
  }

  async renewLeases(ids: readonly string[], leaseMs: number): Promise<string[]> {
    validateLeaseMs(leaseMs, "renewLeases");
    const rowIds = [...new Set(ids)].map(parseId).filter((id): id is number => id !== undefined);
    if (rowIds.length === 0) return [];
    const now = this.#now();
    return inTransaction(this.#db, () =>
      rowIds.filter((id) => this.#renewLease.get(now + Math.ceil(leaseMs), id, now) !== undefined),
    ).map(String);
  }

  async ack(ids: readonly string[]): Promise<void> {
    const rowIds = ids.map(parseId).filter((id): id is number => id !== undefined);
    if (rowIds.length === 0) return;
    const now = this.#now();
    inTransaction(this.#db, () => {
      for (const id of rowIds) this.#ackChange.run(id, now);
    });
  }

  async fail(
    id: string,
    error: string,
    options: { delayMs: number; maxAttempts: number },
  ): Promise<"retrying" | "dead"> {
    validateFailOptions(options);
    const rowId = parseId(id);
    const now = this.#now();
    return inTransaction(this.#db, () => {
      const row =
        rowId === undefined
          ? undefined
          : (this.#selectLeased.get(rowId, now) as unknown as ChangeRow | undefined);
      // Not in flight under a live lease: already acked elsewhere, or expired and due for
      // redelivery anyway. Either way the change is (or was) handled; nothing to record.
      if (row === undefined) return "retrying";
      const attempts = row.attempts + 1;
      if (attempts >= options.maxAttempts) {
        this.#deleteChange.run(row.id);
        this.#insertDead.run(
          row.id,
          row.lane,
          row.key,
          row.kind,
          row.payload,
          row.origin,
          attempts,
          row.coalesced,
          row.first_enqueued_at,
          row.last_enqueued_at,
          error,
          now,
          error,
        );
        return "dead";
      }
      this.#putBack(row, attempts, now + options.delayMs, error);
      return "retrying";
    });
  }

  async listDeadLetters(options?: { limit?: number }): Promise<DeadLetter[]> {
    const limit = options?.limit ?? DEFAULT_DEAD_LETTER_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`listDeadLetters limit must be a positive integer, received ${limit}`);
    }
    const rows = this.#db
      .prepare("SELECT * FROM neuroon_change_dead_letters ORDER BY failed_at, id LIMIT ?")
      .all(limit) as unknown as DeadLetterRow[];
    return rows.map((row) => ({
      ...toQueuedChange(row),
      failedAt: row.failed_at,
      reason: row.reason,
    }));
  }

  async replayDeadLetters(ids?: readonly string[]): Promise<number> {
    const now = this.#now();
    return inTransaction(this.#db, () => {
      let rows: DeadLetterRow[];
      if (ids === undefined) {
        rows = this.#db
          .prepare("SELECT * FROM neuroon_change_dead_letters ORDER BY id")
          .all() as unknown as DeadLetterRow[];
      } else {
        const select = this.#db.prepare("SELECT * FROM neuroon_change_dead_letters WHERE id = ?");
        rows = [];
        for (const id of new Set(ids)) {
          const rowId = parseId(id);
          const row = rowId === undefined ? undefined : select.get(rowId);
          if (row !== undefined) rows.push(row as unknown as DeadLetterRow);
        }
      }
      const remove = this.#db.prepare("DELETE FROM neuroon_change_dead_letters WHERE id = ?");
      for (const row of rows) {
        remove.run(row.id);
        this.#upsert.run(upsertParams(row, 0, now, row.last_error));
      }
      return rows.length;
    });
  }

  async lastEnqueuedAt(): Promise<number | undefined> {
    // Merges raise last_enqueued_at of the row they merge into, so a burst that only re-edits
    // pending keys still moves this (the pending count does not).
    const row = this.#db
      .prepare("SELECT max(last_enqueued_at) AS at FROM neuroon_change_queue")
      .get() as { at: number | null };
    return row.at ?? undefined;
  }

  async stats(): Promise<QueueStats> {
    const now = this.#now();
    // An expired lease counts as pending: the next claim hands it out again.
    const row = this.#db
      .prepare(`
        SELECT
          coalesce(sum(CASE WHEN (lease_until IS NULL AND available_at <= $now) OR lease_until <= $now THEN 1 ELSE 0 END), 0) AS pending,
          coalesce(sum(CASE WHEN lease_until IS NULL AND available_at > $now THEN 1 ELSE 0 END), 0) AS delayed,
          coalesce(sum(CASE WHEN lease_until > $now THEN 1 ELSE 0 END), 0) AS in_flight,
          (SELECT count(*) FROM neuroon_change_dead_letters) AS dead_letters
        FROM neuroon_change_queue`)
      .get({ $now: now }) as {
      pending: number;
      delayed: number;
      in_flight: number;
      dead_letters: number;
    };
    return {
      pending: row.pending,
      delayed: row.delayed,
      inFlight: row.in_flight,
      deadLetters: row.dead_letters,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  /**
   * Puts back at once the changes leased by a process of this machine that is gone (SIGKILLed,
   * crashed, or from before a reboot), instead of leaving them for their lease to run out: a
   * restarted bridge would otherwise leave acknowledged edits unsynced for its whole lease
   * (issue 17 item 6). Leases of live processes, or of other hosts, are left alone.
   */
  #reclaimFromDeadHolders(now: number): void {
    const owners = this.#selectLeaseOwners.all(now) as unknown as { lease_owner: string }[];
    for (const { lease_owner: owner } of owners) {
      if (owner === this.#owner || !isLeaseOwnerDead(owner)) continue;
      for (const row of this.#selectLeasedBy.all(owner, now) as unknown as ChangeRow[]) {
        this.#putBack(row, row.attempts + 1, now, LEASE_HOLDER_DIED_ERROR);
      }
    }
  }

  /** Turns an in-flight row back into a not-in-flight one, merging with a pending row for its key. */
  #putBack(row: ChangeRow, attempts: number, availableAt: number, lastError: string): void {
    this.#deleteChange.run(row.id);
    this.#upsert.run(upsertParams(row, attempts, availableAt, lastError));
  }

  #claimStatement(kinds: readonly ChangeKind[]): StatementSync {
    const cacheKey = kinds.join(",");
    let statement = this.#claimByKinds.get(cacheKey);
    if (statement === undefined) {
      // Kinds are validated against a fixed list, so inlining them is not an injection risk, and
      // it lets SQLite cache one plan per filter.
      const kindList = kinds.map((kind) => `'${kind}'`).join(", ");
      statement = this.#db.prepare(`
        UPDATE neuroon_change_queue SET lease_until = $leaseUntil, lease_owner = $owner
        WHERE id IN (
          SELECT id FROM neuroon_change_queue
          WHERE lease_until IS NULL AND available_at <= $now AND kind IN (${kindList})
          ORDER BY id LIMIT $limit
        )
        RETURNING *`);
      this.#claimByKinds.set(cacheKey, statement);
    }
    return statement;
  }
}

/** Opens the embedded SQLite change queue; see {@link SqliteChangeQueue}. */
export function openSqliteQueue(options: SqliteQueueOptions): SqliteChangeQueue {
  return new SqliteChangeQueue(options);
}

/** Databases created before lease owners were recorded get the column (a cheap, in-place change). */
function addLeaseOwnerColumn(db: DatabaseSync): void {
  const columns = db.prepare("PRAGMA table_info(neuroon_change_queue)").all() as { name: string }[];
  if (columns.some((column) => column.name === "lease_owner")) return;
  inTransaction(db, () => {
    // Another process may have added it since the check; re-check under the write lock.
    const again = db.prepare("PRAGMA table_info(neuroon_change_queue)").all() as { name: string }[];
    if (!again.some((column) => column.name === "lease_owner")) {
      db.exec("ALTER TABLE neuroon_change_queue ADD COLUMN lease_owner TEXT");
    }
  });
}

function upsertParams(
  row: ChangeRow,
  attempts: number,
  availableAt: number,
  lastError: string | null,
): Record<string, SQLInputValue> {
  return {
    $id: row.id,
    $lane: row.lane,
    $key: row.key,
    $kind: row.kind,
    $payload: row.payload,
    $origin: row.origin,
    $attempts: attempts,
    $coalesced: row.coalesced,
    $first: row.first_enqueued_at,
    $last: row.last_enqueued_at,
    $available: availableAt,
    $lastError: lastError,
    $incomingWins: 0,
  };
}

function toQueuedChange(row: ChangeRow): QueuedChange {
  const change: QueuedChange = {
    id: String(row.id),
    kind: row.kind as ChangeKind,
    key: row.key,
    attempts: row.attempts,
    coalesced: row.coalesced,
    firstEnqueuedAt: row.first_enqueued_at,
    lastEnqueuedAt: row.last_enqueued_at,
  };
  if (row.payload !== null) change.payload = JSON.parse(row.payload);
  if (row.origin !== null) change.origin = row.origin;
  if (row.last_error !== null) change.lastError = row.last_error;
  return change;
}

function parseId(id: string): number | undefined {
  return /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : undefined;
}
