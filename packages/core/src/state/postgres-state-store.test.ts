import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { runSyncStateStoreConformance } from "../testing/sync-state-store-conformance.js";
import { createPostgresStateStore } from "./postgres-state-store.js";

// The machine's PostgreSQL; every harness gets its own schema, dropped afterwards.
const CONNECTION_STRING =
  process.env.NEUROON_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RUN_ID = randomUUID().slice(0, 8);
let schemaCount = 0;
const pool = new pg.Pool({ connectionString: CONNECTION_STRING, max: 4 });
const nextSchema = () => {
  schemaCount += 1;
  return `neuroon_test_state_${RUN_ID}_${schemaCount}`;
};
const dropSchema = (schema: string) => pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);

afterAll(() => pool.end());

runSyncStateStoreConformance("postgres", async () => {
  const schema = nextSchema();
  return {
    isPersistent: true,
    open: (shopId) => createPostgresStateStore({ pool, schema, shopId }),
    cleanup: async () => {
      await dropSchema(schema);
    },
  };
});

describe("PostgresSyncStateStore", () => {
  it("keeps namespaces apart and drops one shop's state without touching another's", async () => {
    const schema = nextSchema();
    const record = { externalId: "p1", contentHash: "h", syncedAt: 1, status: "synced" as const };
    const a = await createPostgresStateStore({ pool, schema, shopId: "s1", name: "shop-a" });
    const b = await createPostgresStateStore({ pool, schema, shopId: "s1", name: "shop-b" });
    try {
      await a.put([record]);
      await a.setMeta("cursor", 3);
      await b.put([record, { ...record, externalId: "p2" }]);
      expect(await a.count()).toBe(1);
      await a.drop();
      expect(await a.count()).toBe(0);
      expect(await a.getMeta("cursor")).toBeUndefined();
      expect(await b.count()).toBe(2);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  });

  it("orders ids byte by byte, as the SQLite and Redis stores do", async () => {
    const schema = nextSchema();
    const store = await createPostgresStateStore({ pool, schema, shopId: "s1" });
    try {
      const ids = ["b", "B", "a", "_x", "Z9", "é", "10", "9"];
      await store.put(
        ids.map((externalId) => ({ externalId, contentHash: "h", syncedAt: 1, status: "synced" })),
      );
      const seen: string[] = [];
      for await (const id of store.iterateIds({ batchSize: 3 })) seen.push(id);
      expect(seen).toEqual([...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  it("rejects an empty shop id before connecting", async () => {
    await expect(createPostgresStateStore({ pool, shopId: "" })).rejects.toThrow(/shopId/);
  });
});
