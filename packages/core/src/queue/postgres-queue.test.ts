import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { runChangeQueueConformance } from "../testing/change-queue-conformance.js";
import { enqueueInChildThenKill, TS_RESOLVE_HOOK_SOURCE } from "./kill-child.js";
import { createPostgresQueue } from "./postgres-queue.js";

// The machine's PostgreSQL; every harness gets its own schema, dropped afterwards.
const CONNECTION_STRING =
  process.env.NEUROON_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RUN_ID = randomUUID().slice(0, 8);
let schemaCount = 0;
const pool = new pg.Pool({ connectionString: CONNECTION_STRING, max: 4 });
const nextSchema = () => {
  schemaCount += 1;
  return `neuroon_test_cq_${RUN_ID}_${schemaCount}`;
};
const dropSchema = (schema: string) => pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);

afterAll(() => pool.end());

runChangeQueueConformance("postgres", async (clock) => {
  const schema = nextSchema();
  return {
    open: () => createPostgresQueue({ pool, schema, now: clock.now }),
    enqueueThenKill: (change) =>
      enqueueInChildThenKill({
        moduleUrl: new URL("./postgres-queue.ts", import.meta.url).href,
        factory: "createPostgresQueue",
        options: { connectionString: CONNECTION_STRING, schema },
        nowMs: clock.now(),
        change,
      }),
    claimThenKill: (claim) =>
      enqueueInChildThenKill({
        moduleUrl: new URL("./postgres-queue.ts", import.meta.url).href,
        factory: "createPostgresQueue",
        options: { connectionString: CONNECTION_STRING, schema },
        nowMs: clock.now(),
        claim,
      }),
    cleanup: async () => {
      await dropSchema(schema);
    },
  };
});

describe("PostgresChangeQueue", () => {
  it("creates its tables once when several processes start on an empty schema at once", async () => {
    const schema = nextSchema();
    // Each child opens the queue (schema creation included) and enqueues one change.
    const start = `${TS_RESOLVE_HOOK_SOURCE}
const { createPostgresQueue } = await import(process.env.QUEUE_MODULE);
const queue = await createPostgresQueue({ connectionString: process.env.DATABASE_URL, schema: process.env.QUEUE_SCHEMA });
await queue.enqueue({ kind: "product", key: "from-" + process.pid });
await queue.close();
`;
    const env = {
      ...process.env,
      QUEUE_MODULE: new URL("./postgres-queue.ts", import.meta.url).href,
      DATABASE_URL: CONNECTION_STRING,
      QUEUE_SCHEMA: schema,
    };
    const run = promisify(execFile);
    try {
      await Promise.all(
        [1, 2, 3, 4].map(() =>
          run(process.execPath, ["--input-type=module", "--no-warnings", "-e", start], { env }),
        ),
      );
      const queue = await createPostgresQueue({ pool, schema });
      expect(await queue.stats()).toMatchObject({ pending: 4 });
      await queue.close();
    } finally {
      await dropSchema(schema);
    }
  });

  it("keeps queues with different names apart and drops one without touching the other", async () => {
    const schema = nextSchema();
    const a = await createPostgresQueue({ pool, schema, name: "shop-a.myshopify.com" });
    const b = await createPostgresQueue({ pool, schema, name: "shop-b.myshopify.com" });
    try {
      await a.enqueue([
        { kind: "product", key: "p1" },
        { kind: "product", key: "p2" },
      ]);
      await b.enqueue({ kind: "product", key: "p1" });
      const [claimed] = await a.claim({ limit: 1, leaseMs: 60_000 });
      await a.fail(claimed?.id ?? "", "bad", { delayMs: 0, maxAttempts: 1 });
      expect(await a.stats()).toEqual({ pending: 1, delayed: 0, inFlight: 0, deadLetters: 1 });
      expect(await b.stats()).toEqual({ pending: 1, delayed: 0, inFlight: 0, deadLetters: 0 });
      await a.drop();
      expect(await a.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 });
      expect((await b.claim({ limit: 10, leaseMs: 60_000 })).map((c) => c.key)).toEqual(["p1"]);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  });

  it("reads leases and retry delays from the server's clock by default", async () => {
    const schema = nextSchema();
    const queue = await createPostgresQueue({ pool, schema });
    try {
      const before = Date.now();
      await queue.enqueue({ kind: "product", key: "p1" });
      const [change] = await queue.claim({ limit: 1, leaseMs: 60_000 });
      // Same machine: the server's clock and ours agree to well within a minute.
      expect(Math.abs((change?.firstEnqueuedAt ?? 0) - before)).toBeLessThan(60_000);
      expect(
        await queue.fail(change?.id ?? "", "later", { delayMs: 3_600_000, maxAttempts: 3 }),
      ).toBe("retrying");
      expect(await queue.stats()).toMatchObject({ pending: 0, delayed: 1 });
    } finally {
      await queue.close();
      await dropSchema(schema);
    }
  });

  it("ends the pool it opened itself, and refuses calls once closed", async () => {
    const schema = nextSchema();
    const queue = await createPostgresQueue({ connectionString: CONNECTION_STRING, schema });
    await queue.enqueue({ kind: "product", key: "p1" });
    await queue.close();
    await queue.close();
    await expect(queue.claim({ limit: 1, leaseMs: 1_000 })).rejects.toThrow(/closed/);
    await dropSchema(schema);
  });

  it("rejects a schema name that is not a plain identifier, and a missing connection", async () => {
    await expect(createPostgresQueue({ pool, schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(
      /schema must be lower-case letters/,
    );
    await expect(createPostgresQueue({})).rejects.toThrow(/pool.*connectionString/);
    await expect(createPostgresQueue({ pool, name: "" })).rejects.toThrow(/name/);
  });
});
