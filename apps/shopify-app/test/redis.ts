import { randomBytes } from "node:crypto";
import { type RedisClient, RedisConnection } from "bullmq";

/** The machine's Redis (as in CI); override with `NEUROON_TEST_REDIS_URL`. */
export const TEST_REDIS_URL = process.env.NEUROON_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix of its own for one test file and run, so runs never see each other's keys. */
export function uniqueKeyPrefix(): string {
  return `neuroon-app-test-${randomBytes(6).toString("hex")}`;
}

/** Runs `fn` with a Redis client of the test's own (not the app's connection). */
export async function withRedis<T>(fn: (client: RedisClient) => Promise<T>): Promise<T> {
  const connection = new RedisConnection(
    { url: TEST_REDIS_URL, maxRetriesPerRequest: 1 },
    { blocking: false },
  );
  try {
    return await fn(await connection.client);
  } finally {
    await connection.close();
  }
}

/** Every key under `<prefix>:`, sorted. */
export function keysUnder(prefix: string): Promise<string[]> {
  return withRedis(async (client) => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, { MATCH: `${prefix}:*`, COUNT: 1_000 });
      cursor = next;
      found.push(...keys);
    } while (cursor !== "0");
    return found.sort();
  });
}

/** Deletes every key under `<prefix>:` (cleanup after a test file). */
export async function deleteKeysUnder(prefix: string): Promise<void> {
  const keys = await keysUnder(prefix);
  if (keys.length > 0) await withRedis((client) => client.del(...keys));
}

/** How many connections the app's runtimes with this key prefix hold open (`CLIENT LIST`). */
export function appConnections(prefix: string): Promise<number> {
  return withRedis(async (client) => {
    const lines = (await client.clientList()).split("\n");
    return lines.filter((line) => line.includes(` name=${prefix}:shopify-app `)).length;
  });
}
