import { randomUUID } from "node:crypto";
import { type RedisClient, RedisConnection } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { runChangeQueueConformance } from "../testing/change-queue-conformance.js";
import { openBullMqQueue } from "./bullmq-queue.js";
import { enqueueInChildThenKill } from "./kill-child.js";

// The machine's Redis; every harness gets its own queue name, and deletes its keys afterwards.
const CONNECTION = { host: "127.0.0.1", port: 6379, maxRetriesPerRequest: 1 };
const PREFIX = "neuroon-test";
const RUN_ID = randomUUID().slice(0, 8);
let harnessCount = 0;

// A bare connection, not a BullMQ Queue: a Queue would write its own meta key.
async function withClient<T>(fn: (client: RedisClient) => Promise<T>): Promise<T> {
  const connection = new RedisConnection(CONNECTION, { blocking: false });
  try {
    return await fn(await connection.client);
  } finally {
    await connection.close();
  }
}

async function deleteQueueKeys(name: string): Promise<void> {
  await withClient(async (client) => {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, {
        MATCH: `${PREFIX}:{${name}}:*`,
        COUNT: 500,
      });
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== "0");
  });
}

async function queueKeys(name: string): Promise<string[]> {
  return withClient(async (client) => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, {
        MATCH: `${PREFIX}:{${name}}:*`,
        COUNT: 500,
      });
      cursor = next;
      found.push(...keys);
    } while (cursor !== "0");
    return found;
  });
}

runChangeQueueConformance("bullmq (redis)", async (clock) => {
  harnessCount += 1;
  const name = `cq-${RUN_ID}-${harnessCount}`;
  const options = { connection: CONNECTION, prefix: PREFIX, name };
  return {
    open: async () => openBullMqQueue({ ...options, now: clock.now }),
    enqueueThenKill: (change) =>
      enqueueInChildThenKill({
        moduleUrl: new URL("./bullmq-queue.ts", import.meta.url).href,
        factory: "openBullMqQueue",
        options,
        nowMs: clock.now(),
        change,
      }),
    claimThenKill: (claim) =>
      enqueueInChildThenKill({
        moduleUrl: new URL("./bullmq-queue.ts", import.meta.url).href,
        factory: "openBullMqQueue",
        options,
        nowMs: clock.now(),
        claim,
      }),
    cleanup: () => deleteQueueKeys(name),
  };
});

describe("BullMqChangeQueue", () => {
  const name = `cq-${RUN_ID}-own`;
  afterAll(() => deleteQueueKeys(name));

  it("uses the Redis server clock by default", async () => {
    const queue = openBullMqQueue({ connection: CONNECTION, prefix: PREFIX, name });
    try {
      const before = Date.now();
      await queue.enqueue({ kind: "product", key: "p1" });
      const [change] = await queue.claim({ limit: 1, leaseMs: 60_000 });
      // Redis runs on this machine, so its clock matches ours within a few ms.
      expect(change?.firstEnqueuedAt).toBeGreaterThanOrEqual(before - 1_000);
      expect(change?.firstEnqueuedAt).toBeLessThanOrEqual(Date.now() + 1_000);
      await queue.ack([change?.id ?? ""]);
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 });
    } finally {
      await queue.close();
    }
  });

  it("moves lastEnqueuedAt on the Redis server clock, merged enqueues included", async () => {
    const queue = openBullMqQueue({ connection: CONNECTION, prefix: PREFIX, name });
    try {
      const before = Date.now();
      await queue.enqueue({ kind: "product", key: "p1" });
      const first = await queue.lastEnqueuedAt();
      expect(first).toBeGreaterThanOrEqual(before - 1_000);
      expect(first).toBeLessThanOrEqual(Date.now() + 1_000);
      await new Promise((resolve) => setTimeout(resolve, 5));
      // Merged into the pending change: the pending count stays 1, the last enqueue moves on.
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 2 } });
      expect(await queue.stats()).toMatchObject({ pending: 1 });
      const merged = await queue.lastEnqueuedAt();
      expect(merged).toBeGreaterThan(first ?? Number.POSITIVE_INFINITY);
      const [change] = await queue.claim({ limit: 1, leaseMs: 60_000 });
      expect(change?.lastEnqueuedAt).toBe(merged);
      expect(await queue.lastEnqueuedAt()).toBe(merged);
      await queue.ack([change?.id ?? ""]);
      expect(await queue.lastEnqueuedAt()).toBeUndefined();
    } finally {
      await queue.close();
    }
  });

  it("drops index entries a pre-index script left behind", async () => {
    const queue = openBullMqQueue({ connection: CONNECTION, prefix: PREFIX, name });
    try {
      await queue.enqueue({ kind: "product", key: "p1" });
      const at = await queue.lastEnqueuedAt();
      // As a V1 ack would: the change is gone, its index entry (with a later score) is not.
      await withClient(async (client) => {
        client.defineCommand("neuroonTestZadd", {
          numberOfKeys: 1,
          lua: "return redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])",
        });
        await client.runCommand("neuroonTestZadd", [
          `${PREFIX}:{${name}}:changes:last`,
          String((at ?? 0) + 60_000),
          "999999",
        ]);
      });
      expect(await queue.lastEnqueuedAt()).toBe(at);
      const [change] = await queue.claim({ limit: 1, leaseMs: 60_000 });
      await queue.ack([change?.id ?? ""]);
      expect(await queue.lastEnqueuedAt()).toBeUndefined();
    } finally {
      await queue.close();
    }
  });

  it("keeps every key of a queue in one Redis Cluster hash slot", async () => {
    const queue = openBullMqQueue({ connection: CONNECTION, prefix: PREFIX, name });
    try {
      await queue.enqueue({ kind: "product", key: "p1" });
    } finally {
      await queue.close();
    }
    const keys = await withClient(async (client) => {
      const [, found] = await client.scan("0", { MATCH: `${PREFIX}:*${name}*`, COUNT: 10_000 });
      return found;
    });
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith(`${PREFIX}:{${name}}:changes:`)).toBe(true);
  });

  it("leaves a client it was given open on close", async () => {
    await withClient(async (client) => {
      const queue = openBullMqQueue({ connection: client, prefix: PREFIX, name });
      await queue.enqueue({ kind: "conversion", key: "o1" });
      await queue.close();
      expect(await client.get(`${PREFIX}:{${name}}:changes:seq`)).toEqual(expect.any(String));
    });
  });

  it("drop() deletes every key of the queue, in every state, and nothing of another queue", async () => {
    const dropped = `${name}-drop`;
    const kept = `${name}-keep`;
    const queue = openBullMqQueue({ connection: CONNECTION, prefix: PREFIX, name: dropped });
    const other = openBullMqQueue({ connection: CONNECTION, prefix: PREFIX, name: kept });
    try {
      // More changes than one drop batch, spread over every set a change can be in.
      const products = Array.from({ length: 2_500 }, (_, i) => ({
        kind: "product" as const,
        key: `p${i}`,
        payload: { i },
      }));
      await queue.enqueue([
        ...products,
        { kind: "conversion", key: "o1" },
        { kind: "delete", key: "d1" },
      ]);
      const [dead, delayed, leased] = await queue.claim({ limit: 3, leaseMs: 60_000 });
      expect(await queue.fail(dead?.id ?? "", "bad", { delayMs: 0, maxAttempts: 1 })).toBe("dead");
      await queue.fail(delayed?.id ?? "", "later", { delayMs: 60_000, maxAttempts: 5 });
      expect(leased).toBeDefined();
      expect(await queue.stats()).toEqual({
        pending: 2_499,
        delayed: 1,
        inFlight: 1,
        deadLetters: 1,
      });
      await other.enqueue({ kind: "product", key: "p0" });

      await queue.drop();

      expect(await queueKeys(dropped)).toEqual([]);
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 });
      expect(await queue.lastEnqueuedAt()).toBeUndefined();
      expect(await other.stats()).toMatchObject({ pending: 1 });
      // Still open, and starting afresh.
      await queue.enqueue({ kind: "product", key: "again" });
      const [change] = await queue.claim({ limit: 10, leaseMs: 60_000 });
      expect(change).toMatchObject({ id: "1", key: "again", attempts: 0, coalesced: 1 });
    } finally {
      await queue.close();
      await other.close();
      await deleteQueueKeys(dropped);
      await deleteQueueKeys(kept);
    }
  });

  it("drop() of a queue that never held anything is a no-op", async () => {
    const queue = openBullMqQueue({
      connection: CONNECTION,
      prefix: PREFIX,
      name: `${name}-empty`,
    });
    try {
      await queue.drop();
      expect(await queueKeys(`${name}-empty`)).toEqual([]);
    } finally {
      await queue.close();
    }
  });

  it("rejects calls after close", async () => {
    const queue = openBullMqQueue({ connection: CONNECTION, prefix: PREFIX, name });
    await queue.close();
    await expect(queue.stats()).rejects.toThrow(/closed/);
  });
});
