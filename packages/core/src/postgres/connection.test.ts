import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../testing/wait-for.js";
import { createPostgresPool, withPostgresSchemaLock } from "./connection.js";

// The machine's PostgreSQL, as in the queue and state store tests.
const CONNECTION_STRING =
  process.env.NEUROON_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const pool = new pg.Pool({ connectionString: CONNECTION_STRING, max: 4 });
afterAll(() => pool.end());

describe("withPostgresSchemaLock", () => {
  it("runs one holder of a key at a time and returns what fn returns", async () => {
    const key = `neuroon_test_lock_${process.pid}_${Date.now()}`;
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const first = withPostgresSchemaLock(pool, key, async () => {
      order.push("first in");
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      order.push("first out");
      return "first";
    });
    await waitFor(() => order.includes("first in"));
    const second = withPostgresSchemaLock(pool, key, async () => {
      order.push("second in");
      return "second";
    });
    // The second caller's connection is blocked on the advisory lock the first one holds.
    await waitFor(async () => {
      const { rows } = await pool.query<{ waiting: number }>(
        "SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
      );
      return (rows[0]?.waiting ?? 0) > 0;
    });
    expect(order).toEqual(["first in"]);
    releaseFirst();
    expect(await Promise.all([first, second])).toEqual(["first", "second"]);
    expect(order).toEqual(["first in", "first out", "second in"]);
  });

  it("rolls back what fn did when it throws", async () => {
    const table = `neuroon_test_lock_rollback_${process.pid}`;
    await expect(
      withPostgresSchemaLock(pool, table, async (client) => {
        await client.query(`CREATE TABLE ${table} (id INT)`);
        throw new Error("after the DDL");
      }),
    ).rejects.toThrow("after the DDL");
    const { rows } = await pool.query("SELECT to_regclass($1) AS found", [table]);
    expect(rows[0]).toEqual({ found: null });
  });
});

describe("createPostgresPool", () => {
  it("survives PostgreSQL ending its idle connections: no uncaught error, the next query reconnects", async () => {
    const own = await createPostgresPool({ connectionString: CONNECTION_STRING, max: 2 });
    try {
      const { rows } = await own.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      expect(own.idleCount).toBe(1);
      // As a restart or failover would: the idle client's socket closes and it emits "error",
      // an uncaught exception (this run fails) without the pool's listener.
      await pool.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
      await waitFor(() => own.totalCount === 0);
      expect((await own.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await own.end();
    }
  });
});
