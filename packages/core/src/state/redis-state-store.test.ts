import { randomUUID } from "node:crypto";
import { RedisConnection } from "bullmq";
import { describe, expect, it } from "vitest";
import { runSyncStateStoreConformance } from "./conformance.js";
import { openRedisStateStore } from "./redis-state-store.js";

// The machine's Redis; every harness gets its own namespace and deletes its keys afterwards.
const CONNECTION = { host: "127.0.0.1", port: 6379, maxRetriesPerRequest: 1 };
const PREFIX = "neuroon-test";
const RUN_ID = randomUUID().slice(0, 8);
let harnessCount = 0;

async function deleteKeys(name: string): Promise<void> {
  const connection = new RedisConnection(CONNECTION, { blocking: false });
  try {
    const client = await connection.client;
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, {
        MATCH: `${PREFIX}:{${name}}:*`,
        COUNT: 500,
      });
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== "0");
  } finally {
    await connection.close();
  }
}

runSyncStateStoreConformance("redis", async () => {
  harnessCount += 1;
  const name = `state-${RUN_ID}-${harnessCount}`;
  return {
    isPersistent: true,
    open: async (shopId) =>
      openRedisStateStore({ connection: CONNECTION, prefix: PREFIX, name, shopId }),
    cleanup: () => deleteKeys(name),
  };
});

describe("RedisSyncStateStore", () => {
  it("moves a variant when its parent changes", async () => {
    const name = `state-${RUN_ID}-own`;
    const store = openRedisStateStore({
      connection: CONNECTION,
      prefix: PREFIX,
      name,
      shopId: "s",
    });
    try {
      const base = { contentHash: "h", syncedAt: 1, status: "synced" as const };
      await store.put([{ externalId: "v", parentExternalId: "a", ...base }]);
      await store.put([{ externalId: "v", parentExternalId: "b", ...base }]);
      expect(await store.variantsOf(["a"])).toEqual([]);
      expect(await store.variantsOf(["b"])).toEqual(["v"]);
      await store.delete(["v"]);
      expect(await store.variantsOf(["b"])).toEqual([]);
    } finally {
      await store.close();
      await deleteKeys(name);
    }
  });

  it("rejects calls after close", async () => {
    const store = openRedisStateStore({ connection: CONNECTION, prefix: PREFIX, shopId: "s" });
    await store.close();
    await expect(store.count()).rejects.toThrow(/closed/);
  });
});
