import type { Pool, PoolClient } from "pg";
import {
  createPostgresSchema,
  inPostgresTransaction,
  openPostgresHandle,
  type PostgresConnectionOptions,
} from "../postgres/connection.js";
import { currentLeaseOwner, isLeaseOwnerDead, LEASE_HOLDER_DIED_ERROR } from "./lease-owner.js";
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

/** Options for {@link createPostgresQueue}. */
export interface PostgresQueueOptions extends PostgresConnectionOptions {
  /**
   * Queue name; queues with different names in one schema are independent (the Shopify app keeps
   * one per shop). Default `neuroon-changes`.
   */
  name?: string;
  /**
   * Clock in epoch ms. Default: the PostgreSQL server's clock, read inside each statement, so
   * workers on machines with skewed clocks still agree on when a lease or a retry delay ran out.
   */
  now?: () => number;
}

/** Default {@link PostgresQueueOptions.name}. */
export const DEFAULT_POSTGRES_QUEUE_NAME = "neuroon-changes";

const SCHEMA_LOCK = "neuroon_change_queue_schema";
// The server clock in epoch ms; `clock_timestamp()` rather than `now()`, which is frozen at the
// start of the transaction.
const SERVER_NOW_SQL = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

// As in the SQLite backend: one row per change, in flight while `lease_until` is set; the partial
// unique index makes "at most one not-in-flight change per (queue, lane, key)" a database
// invariant, so coalescing is one INSERT … ON CONFLICT and a change enqueued while its predecessor
// is in flight becomes a second row.
function schemaSql(s: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${s}.neuroon_change_queue (
  id BIGSERIAL PRIMARY KEY,
  queue_name TEXT NOT NULL,
  lane TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT,
  origin TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  coalesced INTEGER NOT NULL DEFAULT 1,
  first_enqueued_at BIGINT NOT NULL,
  last_enqueued_at BIGINT NOT NULL,
  available_at BIGINT NOT NULL,
  lease_until BIGINT,
  last_error TEXT,
  lease_owner TEXT
);
ALTER TABLE ${s}.neuroon_change_queue ADD COLUMN IF NOT EXISTS lease_owner TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS neuroon_change_queue_pending_key
  ON ${s}.neuroon_change_queue (queue_name, lane, key) WHERE lease_until IS NULL;
CREATE INDEX IF NOT EXISTS neuroon_change_queue_ready
  ON ${s}.neuroon_change_queue (queue_name, id) WHERE lease_until IS NULL;
CREATE INDEX IF NOT EXISTS neuroon_change_queue_lease
  ON ${s}.neuroon_change_queue (queue_name, lease_until) WHERE lease_until IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.neuroon_change_dead_letters (
  id BIGINT PRIMARY KEY,
  queue_name TEXT NOT NULL,
  lane TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT,
  origin TEXT,
  attempts INTEGER NOT NULL,
  coalesced INTEGER NOT NULL,
  first_enqueued_at BIGINT NOT NULL,
  last_enqueued_at BIGINT NOT NULL,
  last_error TEXT,
  failed_at BIGINT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS neuroon_change_dead_letters_failed
  ON ${s}.neuroon_change_dead_letters (queue_name, failed_at, id);
`;
}

// The merge rule of an insert that meets the not-in-flight change of its key, as in the SQLite
// backend: a fresh enqueue's kind, payload and origin win (arrival order decides "latest"); a change
// coming back from flight or from the dead letters is older than the pending one, whose content
// stays. Counts add up, and the later availability wins so a fresh edit never cuts a retry
// backoff short. Every insert names the table `q`.
function mergeSql(incomingWins: boolean): string {
  const pick = (column: string) =>
    incomingWins ? `${column} = excluded.${column}` : `${column} = q.${column}`;
  return `
ON CONFLICT (queue_name, lane, key) WHERE lease_until IS NULL DO UPDATE SET
  ${pick("kind")}, ${pick("payload")}, ${pick("origin")},
  coalesced = q.coalesced + excluded.coalesced,
  first_enqueued_at = least(q.first_enqueued_at, excluded.first_enqueued_at),
  last_enqueued_at = greatest(q.last_enqueued_at, excluded.last_enqueued_at),
  attempts = greatest(q.attempts, excluded.attempts),
  available_at = greatest(q.available_at, excluded.available_at),
  last_error = coalesce(excluded.last_error, q.last_error)`;
}

interface ChangeRow {
  id: string;
  lane: string;
  key: string;
  kind: string;
  payload: string | null;
  origin: string | null;
  attempts: number;
  coalesced: number;
  first_enqueued_at: string;
  last_enqueued_at: string;
  last_error: string | null;
}

interface DeadLetterRow extends ChangeRow {
  failed_at: string;
  reason: string;
}

/**
 * The {@link ChangeQueue} in PostgreSQL, for several workers on several machines sharing one
 * database (the Shopify app with `DATABASE_URL`, Medusa in its own database). Import it from
 * `@neuroon/core/postgres` (`pg` is an optional peer dependency).
 *
 * Guarantees: `enqueue` resolves after its transaction committed (durable as the server's
 * `synchronous_commit` makes it); claims take rows with `FOR UPDATE SKIP LOCKED`, so concurrent
 * claimers never wait for each other and never get the same change; a claimed change neither
 * acked nor failed within its lease is delivered again, so delivery is at least once.
 */
export class PostgresChangeQueue implements ChangeQueue {
  /** The queue name this instance reads and writes. */
  readonly name: string;
  readonly #pool: Pool;
  readonly #ownsPool: boolean;
  readonly #now: (() => number) | undefined;
  readonly #queueTable: string;
  readonly #deadTable: string;
  readonly #owner = currentLeaseOwner();
  #closed = false;

  /** Use {@link createPostgresQueue}, which also creates the tables. */
  constructor(pool: Pool, ownsPool: boolean, schemaSql: string, options: PostgresQueueOptions) {
    this.name = options.name ?? DEFAULT_POSTGRES_QUEUE_NAME;
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#now = options.now;
    this.#queueTable = `${schemaSql}.neuroon_change_queue`;
    this.#deadTable = `${schemaSql}.neuroon_change_dead_letters`;
  }

  async enqueue(changes: ChangeInput | readonly ChangeInput[]): Promise<void> {
    const list = normaliseChanges(changes);
    if (list.length === 0) return;
    // One INSERT … ON CONFLICT may not touch a row twice, so a batch is merged here first, with
    // the same rule the table applies (first position, latest content, counts add up).
    const merged = new Map<
      string,
      ChangeInput & { coalesced: number; payloadJson: string | null }
    >();
    for (const change of list) {
      const lane = laneOf(change.kind);
      const id = `${lane}\n${change.key}`;
      const payloadJson = encodePayload(change.payload);
      const previous = merged.get(id);
      merged.set(id, { ...change, payloadJson, coalesced: (previous?.coalesced ?? 0) + 1 });
    }
    const rows = [...merged.values()];
    const now = this.#clockParam();
    await this.#transaction((client) =>
      client.query(
        `INSERT INTO ${this.#queueTable} AS q
           (queue_name, lane, key, kind, payload, origin, attempts, coalesced,
            first_enqueued_at, last_enqueued_at, available_at)
         SELECT $1, lane, key, kind, payload, origin, 0, coalesced, c.now, c.now, c.now
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[])
           WITH ORDINALITY AS u(lane, key, kind, payload, origin, coalesced, position),
           (SELECT coalesce($8::bigint, ${SERVER_NOW_SQL}) AS now) AS c
         ORDER BY position
         ${mergeSql(true)}`,
        [
          this.name,
          rows.map((row) => laneOf(row.kind)),
          rows.map((row) => row.key),
          rows.map((row) => row.kind),
          rows.map((row) => row.payloadJson),
          rows.map((row) => row.origin ?? null),
          rows.map((row) => row.coalesced),
          now,
        ],
      ),
    );
  }

  async claim(options: ClaimOptions): Promise<QueuedChange[]> {
    const kinds = validateClaimOptions(options);
    if (kinds.length === 0) return [];
    const rows = await this.#transaction(async (client) => {
      const now = await this.#readClock(client);
      // Crash recovery: a lease that ran out means the worker died or stalled; put the change
      // back (merging into any newer pending change for the key) before choosing what to hand out.
      const expired = await client.query<ChangeRow>(
        `DELETE FROM ${this.#queueTable} WHERE id IN (
           SELECT id FROM ${this.#queueTable}
           WHERE queue_name = $1 AND lease_until IS NOT NULL AND lease_until <= $2
           FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [this.name, now],
      );
      for (const row of sortById(expired.rows)) {
        await this.#insertBack(client, row, row.attempts + 1, now, LEASE_EXPIRED_ERROR);
      }
      await this.#reclaimFromDeadHolders(client, now);
      const claimed = await client.query<ChangeRow>(
        `UPDATE ${this.#queueTable} SET lease_until = $2, lease_owner = $6 WHERE id IN (
           SELECT id FROM ${this.#queueTable}
           WHERE queue_name = $1 AND lease_until IS NULL AND available_at <= $3
             AND kind = ANY($4::text[])
           ORDER BY id LIMIT $5
           FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [this.name, now + Math.ceil(options.leaseMs), now, kinds, options.limit, this.#owner],
      );
      return claimed.rows;
    });
    // RETURNING gives no order guarantee; the id is the enqueue order.
    return sortById(rows).map(toQueuedChange);
  }

  async renewLeases(ids: readonly string[], leaseMs: number): Promise<string[]> {
    validateLeaseMs(leaseMs, "renewLeases");
    const rowIds = [...new Set(ids)].filter(isId);
    if (rowIds.length === 0) return [];
    const { rows } = await this.#pool.query<{ id: string }>(
      `UPDATE ${this.#queueTable} SET lease_until = c.now + $3
       FROM (SELECT coalesce($4::bigint, ${SERVER_NOW_SQL}) AS now) AS c
       WHERE queue_name = $1 AND id = ANY($2::bigint[]) AND lease_until > c.now
       RETURNING id`,
      [this.name, rowIds, Math.ceil(leaseMs), this.#clockParam()],
    );
    return sortById(rows).map((row) => String(row.id));
  }

  async ack(ids: readonly string[]): Promise<void> {
    const rowIds = ids.filter(isId);
    if (rowIds.length === 0) return;
    await this.#pool.query(
      `DELETE FROM ${this.#queueTable}
       WHERE queue_name = $1 AND id = ANY($2::bigint[])
         AND lease_until > coalesce($3::bigint, ${SERVER_NOW_SQL})`,
      [this.name, rowIds, this.#clockParam()],
    );
  }

  async fail(
    id: string,
    error: string,
    options: { delayMs: number; maxAttempts: number },
  ): Promise<"retrying" | "dead"> {
    validateFailOptions(options);
    if (!isId(id)) return "retrying";
    return this.#transaction(async (client) => {
      const now = await this.#readClock(client);
      // Deleting first locks the row: a concurrent claim's expiry sweep skips it, a concurrent ack
      // finds it gone. Not in flight under a live lease (acked elsewhere, or expired and due for
      // redelivery anyway): the change is or was handled; nothing to record.
      const { rows } = await client.query<ChangeRow>(
        `DELETE FROM ${this.#queueTable}
         WHERE queue_name = $1 AND id = $2 AND lease_until > $3
         RETURNING *`,
        [this.name, id, now],
      );
      const row = rows[0];
      if (row === undefined) return "retrying";
      const attempts = row.attempts + 1;
      if (attempts < options.maxAttempts) {
        await this.#insertBack(client, row, attempts, now + options.delayMs, error);
        return "retrying";
      }
      await client.query(
        `INSERT INTO ${this.#deadTable}
           (id, queue_name, lane, key, kind, payload, origin, attempts, coalesced,
            first_enqueued_at, last_enqueued_at, last_error, failed_at, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12)
         ON CONFLICT (id) DO UPDATE SET
           attempts = excluded.attempts, last_error = excluded.last_error,
           failed_at = excluded.failed_at, reason = excluded.reason`,
        [...this.#rowValues(row, attempts), error, now],
      );
      return "dead";
    });
  }

  async listDeadLetters(options?: { limit?: number }): Promise<DeadLetter[]> {
    const limit = options?.limit ?? DEFAULT_DEAD_LETTER_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`listDeadLetters limit must be a positive integer, received ${limit}`);
    }
    const { rows } = await this.#pool.query<DeadLetterRow>(
      `SELECT * FROM ${this.#deadTable} WHERE queue_name = $1 ORDER BY failed_at, id LIMIT $2`,
      [this.name, limit],
    );
    return rows.map((row) => ({
      ...toQueuedChange(row),
      failedAt: Number(row.failed_at),
      reason: row.reason,
    }));
  }

  async replayDeadLetters(ids?: readonly string[]): Promise<number> {
    const rowIds = ids === undefined ? undefined : [...new Set(ids)].filter(isId);
    if (rowIds?.length === 0) return 0;
    return this.#transaction(async (client) => {
      const now = await this.#readClock(client);
      const { rows } = await client.query<DeadLetterRow>(
        `DELETE FROM ${this.#deadTable}
         WHERE queue_name = $1 AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
         RETURNING *`,
        [this.name, rowIds ?? null],
      );
      for (const row of sortById(rows)) {
        await this.#insertBack(client, row, 0, now, row.last_error);
      }
      return rows.length;
    });
  }

  async lastEnqueuedAt(): Promise<number | undefined> {
    // Merges raise last_enqueued_at of the row they merge into, so a burst that only re-edits
    // pending keys still moves this (the pending count does not).
    const { rows } = await this.#pool.query<{ at: string | null }>(
      `SELECT max(last_enqueued_at) AS at FROM ${this.#queueTable} WHERE queue_name = $1`,
      [this.name],
    );
    const at = rows[0]?.at;
    return at === null || at === undefined ? undefined : Number(at);
  }

  async stats(): Promise<QueueStats> {
    // An expired lease counts as pending: the next claim hands it out again.
    const { rows } = await this.#pool.query<Record<keyof QueueStats, string>>(
      `SELECT
         count(*) FILTER (WHERE (lease_until IS NULL AND available_at <= c.now) OR lease_until <= c.now) AS "pending",
         count(*) FILTER (WHERE lease_until IS NULL AND available_at > c.now) AS "delayed",
         count(*) FILTER (WHERE lease_until > c.now) AS "inFlight",
         (SELECT count(*) FROM ${this.#deadTable} WHERE queue_name = $1) AS "deadLetters"
       FROM (SELECT coalesce($2::bigint, ${SERVER_NOW_SQL}) AS now) AS c
       LEFT JOIN ${this.#queueTable} q ON q.queue_name = $1`,
      [this.name, this.#clockParam()],
    );
    const row = rows[0];
    return {
      pending: Number(row?.pending ?? 0),
      delayed: Number(row?.delayed ?? 0),
      inFlight: Number(row?.inFlight ?? 0),
      deadLetters: Number(row?.deadLetters ?? 0),
    };
  }

  /**
   * Deletes every change and dead letter of this queue (a shop's `shop/redact`). Stop its workers
   * first: a change claimed before the drop cannot be acked afterwards.
   */
  async drop(): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query(`DELETE FROM ${this.#queueTable} WHERE queue_name = $1`, [this.name]);
      await client.query(`DELETE FROM ${this.#deadTable} WHERE queue_name = $1`, [this.name]);
    });
  }

  /** Ends the pool the queue opened from a `connectionString`; a `pool` passed in stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }

  /** The injected clock's time, or null for "the server's", as a statement parameter. */
  #clockParam(): number | null {
    return this.#now === undefined ? null : Math.trunc(this.#now());
  }

  async #readClock(client: PoolClient): Promise<number> {
    if (this.#now !== undefined) return Math.trunc(this.#now());
    const { rows } = await client.query<{ now: string }>(`SELECT ${SERVER_NOW_SQL} AS now`);
    return Number(rows[0]?.now);
  }

  #transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    if (this.#closed) {
      return Promise.reject(
        new Error("PostgresChangeQueue is closed; open a new one with createPostgresQueue()"),
      );
    }
    return inPostgresTransaction(this.#pool, fn);
  }

  /**
   * Puts back at once the changes leased by a process of this machine that is gone (SIGKILLed,
   * crashed, or from before a reboot), instead of leaving them for their lease to run out (issue
   * 17 item 6). Leases of live processes, and of other hosts, are left alone.
   */
  async #reclaimFromDeadHolders(client: PoolClient, now: number): Promise<void> {
    const { rows: owners } = await client.query<{ lease_owner: string }>(
      `SELECT DISTINCT lease_owner FROM ${this.#queueTable}
       WHERE queue_name = $1 AND lease_until > $2 AND lease_owner IS NOT NULL AND lease_owner <> $3`,
      [this.name, now, this.#owner],
    );
    for (const { lease_owner: owner } of owners) {
      if (!isLeaseOwnerDead(owner)) continue;
      const { rows } = await client.query<ChangeRow>(
        `DELETE FROM ${this.#queueTable} WHERE id IN (
           SELECT id FROM ${this.#queueTable}
           WHERE queue_name = $1 AND lease_owner = $2 AND lease_until > $3
           FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [this.name, owner, now],
      );
      for (const row of sortById(rows)) {
        await this.#insertBack(client, row, row.attempts + 1, now, LEASE_HOLDER_DIED_ERROR);
      }
    }
  }

  /**
   * The values of the columns a claimed row is written back with (`id` … `last_enqueued_at`,
   * parameters $1 to $11), to the queue or to the dead letters.
   */
  #rowValues(row: ChangeRow, attempts: number): unknown[] {
    return [
      row.id,
      this.name,
      row.lane,
      row.key,
      row.kind,
      row.payload,
      row.origin,
      attempts,
      row.coalesced,
      row.first_enqueued_at,
      row.last_enqueued_at,
    ];
  }

  /** Puts a change taken out of flight (or the dead letters) back, under its id, merging with a pending change for its key. */
  async #insertBack(
    client: PoolClient,
    row: ChangeRow,
    attempts: number,
    availableAt: number,
    lastError: string | null,
  ): Promise<void> {
    await client.query(
      `INSERT INTO ${this.#queueTable} AS q
         (id, queue_name, lane, key, kind, payload, origin, attempts, coalesced,
          first_enqueued_at, last_enqueued_at, available_at, last_error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ${mergeSql(false)}`,
      [...this.#rowValues(row, attempts), availableAt, lastError],
    );
  }
}

/**
 * Opens the PostgreSQL change queue (see {@link PostgresChangeQueue}), creating its schema and
 * tables if needed; several processes may call it at once.
 *
 * ```ts
 * import { createPostgresQueue } from "@neuroon/core/postgres";
 * const queue = await createPostgresQueue({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export async function createPostgresQueue(
  options: PostgresQueueOptions,
): Promise<PostgresChangeQueue> {
  const name = options.name ?? DEFAULT_POSTGRES_QUEUE_NAME;
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(
      `createPostgresQueue name must be a non-empty string, received ${JSON.stringify(name)}`,
    );
  }
  const handle = await openPostgresHandle(options, "createPostgresQueue");
  try {
    await createPostgresSchema(handle, SCHEMA_LOCK, schemaSql(handle.schemaSql));
  } catch (error) {
    if (handle.ownsPool) await handle.pool.end();
    throw error;
  }
  return new PostgresChangeQueue(handle.pool, handle.ownsPool, handle.schemaSql, options);
}

function toQueuedChange(row: ChangeRow): QueuedChange {
  const change: QueuedChange = {
    id: String(row.id),
    kind: row.kind as ChangeKind,
    key: row.key,
    attempts: row.attempts,
    coalesced: row.coalesced,
    firstEnqueuedAt: Number(row.first_enqueued_at),
    lastEnqueuedAt: Number(row.last_enqueued_at),
  };
  if (row.payload !== null) change.payload = JSON.parse(row.payload);
  if (row.origin !== null) change.origin = row.origin;
  if (row.last_error !== null) change.lastError = row.last_error;
  return change;
}

function sortById<T extends { id: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => Number(a.id) - Number(b.id));
}

function isId(id: string): boolean {
  return /^[1-9][0-9]{0,15}$/.test(id);
}
