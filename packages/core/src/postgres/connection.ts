import type { Pool, PoolClient, PoolConfig } from "pg";

/** How the PostgreSQL stores reach the database: a pool to share, or a URL to open their own. */
export interface PostgresConnectionOptions {
  /**
   * An existing `pg` pool to share (the app's, or Medusa's). The store never ends it: `close()`
   * only stops using it.
   */
  pool?: Pool;
  /** `postgres://…` URL (e.g. `DATABASE_URL`); the store opens its own pool and ends it on `close()`. Ignored when `pool` is given. */
  connectionString?: string;
  /** Connections of the pool the store opens itself. Default 5. */
  maxConnections?: number;
  /**
   * The schema holding the tables, created if missing. Lower-case letters, digits and `_`, at most
   * 63 characters. Default `public`.
   */
  schema?: string;
}

/** Default {@link PostgresConnectionOptions.schema}. */
export const DEFAULT_POSTGRES_SCHEMA = "public";

/** A pool and whether the store opened it (and so must end it). */
export interface PostgresHandle {
  pool: Pool;
  ownsPool: boolean;
  /** The schema, already validated, as a quoted identifier ready for SQL. */
  schemaSql: string;
  schema: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const DEFAULT_MAX_CONNECTIONS = 5;
// SQLSTATEs of a transaction PostgreSQL aborted so that another could go on; running it again is
// the documented answer (https://www.postgresql.org/docs/current/mvcc-serialization-failure-handling.html).
const RETRYABLE_SQLSTATES = new Set(["40001", "40P01"]);
const MAX_TRANSACTION_ATTEMPTS = 5;

/**
 * A `pg` pool that survives PostgreSQL dropping its connections (a restart, a failover, an idle
 * timeout): an idle client that loses its server emits "error" on the pool, which, unobserved,
 * is an uncaught exception that ends the process. Here it is observed; the pool discards the
 * client, and the next query connects afresh (or rejects on its own while the server is down).
 * `pg` is an optional peer dependency of `@neuroon/core`, loaded here on first use; a missing
 * install gets a message naming `owner` and what to add.
 *
 * @example
 * ```ts
 * import { createPostgresPool } from "@neuroon/core/postgres";
 *
 * const pool = await createPostgresPool({ connectionString: process.env.DATABASE_URL, max: 5 });
 * ```
 */
export async function createPostgresPool(
  config: PoolConfig,
  owner = "@neuroon/core/postgres",
): Promise<Pool> {
  let pg: typeof import("pg").default;
  try {
    pg = (await import("pg")).default;
  } catch (error) {
    throw new Error(
      `${owner} needs the "pg" package, an optional peer dependency of @neuroon/core: install it with \`npm install pg\``,
      { cause: error },
    );
  }
  const pool = new pg.Pool(config);
  pool.on("error", () => undefined);
  return pool;
}

/**
 * Validates the options and opens (or adopts) the pool. `pg` is an optional peer dependency, so it
 * is loaded here, on first use, and a missing install gets a message that says what to add.
 */
export async function openPostgresHandle(
  options: PostgresConnectionOptions,
  owner: string,
): Promise<PostgresHandle> {
  const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema)) {
    throw new TypeError(
      `${owner}: schema must be lower-case letters, digits and "_" (at most 63, not starting with a digit), received ${JSON.stringify(schema)}`,
    );
  }
  const schemaSql = `"${schema}"`;
  if (options.pool !== undefined) return { pool: options.pool, ownsPool: false, schemaSql, schema };
  if (typeof options.connectionString !== "string" || options.connectionString.length === 0) {
    throw new TypeError(
      `${owner} needs a \`pool\` (a pg Pool to share) or a \`connectionString\` such as postgres://user@host:5432/db`,
    );
  }
  const pool = await createPostgresPool(
    {
      connectionString: options.connectionString,
      max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    },
    owner,
  );
  return { pool, ownsPool: true, schemaSql, schema };
}

/**
 * Runs `fn` in one transaction on one pooled connection; runs it again (up to 5 times) when
 * PostgreSQL aborts it as a deadlock victim or serialisation failure, so `fn` must be safe to repeat
 * (every caller's is: nothing it did survives the rollback).
 */
export async function inPostgresTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      if (attempt >= MAX_TRANSACTION_ATTEMPTS || !RETRYABLE_SQLSTATES.has(sqlState(error))) {
        throw error;
      }
    } finally {
      client.release();
    }
  }
}

/**
 * Runs `fn` in one transaction holding a transaction-level advisory lock on `key`
 * (`pg_advisory_xact_lock(hashtext(key))`), so that only one process at a time runs it: use it
 * around `CREATE … IF NOT EXISTS`, which is not safe when two processes run it at once (both pass
 * the check, one fails on a duplicate catalog row), and several hosts do start at once. Like
 * {@link inPostgresTransaction}, a deadlock victim or serialisation failure is run again, so `fn`
 * must be safe to repeat.
 *
 * @example
 * ```ts
 * import { withPostgresSchemaLock } from "@neuroon/core/postgres";
 *
 * await withPostgresSchemaLock(pool, "my_app_schema", async (client) => {
 *   await client.query("CREATE TABLE IF NOT EXISTS my_app_settings (shop TEXT PRIMARY KEY)");
 * });
 * ```
 */
export async function withPostgresSchemaLock<T>(
  pool: Pool,
  key: string,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return inPostgresTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [key]);
    return fn(client);
  });
}

/** Creates the schema and runs `ddl` under {@link withPostgresSchemaLock}, keyed by the schema. */
export async function createPostgresSchema(
  handle: PostgresHandle,
  lockName: string,
  ddl: string,
): Promise<void> {
  await withPostgresSchemaLock(handle.pool, `${lockName}:${handle.schema}`, async (client) => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${handle.schemaSql}`);
    await client.query(ddl);
  });
}

function sqlState(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error
    ? String((error as { code: unknown }).code)
    : "";
}
