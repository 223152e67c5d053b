import { randomUUID } from "node:crypto";
import { RedisConnection } from "bullmq";
import { describe, expect, it } from "vitest";
import { runSyncStateStoreConformance } from "../testing/sync-state-store-conformance.js";
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

async function keysOf(name: string, shopId: string): Promise<string[]> {
  const connection = new RedisConnection(CONNECTION, { blocking: false });
  try {
    const client = await connection.client;
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, {
        MATCH: `${PREFIX}:{${name}}:state:${shopId}:*`,
        COUNT: 500,
      });
      cursor = next;
      found.push(...keys);
    } while (cursor !== "0");
    return found;
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

  it("drop() deletes every key of the shop's state, and nothing of another shop", async () => {
    const name = `state-${RUN_ID}-drop`;
    const open = (shopId: string) =>
      openRedisStateStore({ connection: CONNECTION, prefix: PREFIX, name, shopId });
    const store = open("shop_a");
    const other = open("shop_b");
    try {
      const base = { contentHash: "h", syncedAt: 1, status: "synced" as const };
      for (const each of [store, other]) {
        await each.put([
          { externalId: "p", ...base },
          { externalId: "v", parentExternalId: "p", ...base },
        ]);
        await each.setMeta("cursor", { page: 3 });
      }
      expect(await keysOf(name, "shop_a")).toHaveLength(5);

      await store.drop();

      expect(await keysOf(name, "shop_a")).toEqual([]);
      expect(await store.count()).toBe(0);
      expect(await store.getMeta("cursor")).toBeUndefined();
      expect(await other.count()).toBe(2);
      expect(await other.variantsOf(["p"])).toEqual(["v"]);
      expect(await other.getMeta("cursor")).toEqual({ page: 3 });
      // Still open.
      await store.put([{ externalId: "q", ...base }]);
      expect(await store.count()).toBe(1);
    } finally {
      await store.close();
      await other.close();
      await deleteKeys(name);
    }
  });

  it("rejects calls after close", async () => {
    const store = openRedisStateStore({ connection: CONNECTION, prefix: PREFIX, shopId: "s" });
    await store.close();
    await expect(store.count()).rejects.toThrow(/closed/);
  });
});
