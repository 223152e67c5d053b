import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { sleep } from "@neuroon/core";
import type { RedisConnection } from "bullmq";
import { sharedShopStores } from "./shared-shop-stores.server.js";
import type { ShopStoresBackend } from "./shop-stores.server.js";

/** The periodic jobs a host may take a lease for (see `claimPeriodicRun`). */
const PERIODIC_JOBS = ["reconcile"] as const;
const CLAIM_LEASE_COMMAND = "neuroonClaimLease";
/** How long opening a shop's stores waits for the first connection to Redis. */
const REDIS_CONNECT_WAIT_MS = 2_000;

/**
 * `REDIS_URL`: per shop, core's BullMQ queue (name = the shop's domain) and Redis state store
 * (same name, scoped to the Neuroon shop id). Every shop's keys carry the `{<shop>}` hash tag, so
 * they never mix with another shop's and share one Redis Cluster slot:
 * `<prefix>:{<shop>}:changes:*` and `<prefix>:{<shop>}:state:<neuroonShopId>:*`. One connection
 * serves every shop: stores given a client share it and leave it open when they close, so
 * closing a shop's stores (uninstall) only detaches them. bullmq is loaded only on this path.
 */
export function redisShopStores(url: string, keyPrefix: string): ShopStoresBackend {
  if (!/^[A-Za-z0-9_.:-]+$/.test(keyPrefix)) {
    throw new TypeError(
      `The Redis key prefix may hold letters, digits, "_", ".", ":" and "-" only, received ${JSON.stringify(keyPrefix)}.`,
    );
  }
  let connection: RedisConnection | undefined;
  const loading = Promise.all([import("bullmq"), import("@neuroon/core/bullmq")]).then(
    ([bullmq, stores]) => {
      connection = new bullmq.RedisConnection(
        {
          url,
          // Named in CLIENT LIST. One retry: while Redis is away, a call fails within a second or
          // two (the webhook answers 503 and Shopify retries; the worker records the error and
          // tries again on its next tick) rather than waiting out ioredis's 20 reconnects.
          connectionName: `${keyPrefix}:shopify-app`,
          maxRetriesPerRequest: 1,
        },
        { blocking: false },
      );
      // Calls reject on their own; an unobserved "error" event would crash the process.
      connection.on("error", () => undefined);
      return { stores, client: connection.client };
    },
  );
  loading.catch(() => undefined);
  // A store opened while the connection is down would wait for it indefinitely, and so would the
  // webhook holding its delivery id: refuse at once instead, so Shopify's retry is processed.
  const ready = async () => {
    const { stores, client } = await loading;
    const waited = new AbortController();
    const connected = await Promise.race([
      client,
      sleep(REDIS_CONNECT_WAIT_MS, waited.signal).catch(() => undefined),
    ]).finally(() => waited.abort());
    if (connected?.status !== "ready") {
      throw new Error(
        `Redis (REDIS_URL) is not connected (${connected?.status ?? "no connection yet"}); the app retries it in the background.`,
      );
    }
    return { stores, connection: connected };
  };
  // `<prefix>:{<shop>}:lease:<job>`, in the shop's slot like its other keys.
  const leaseKey = (shop: string, job: string) => `${keyPrefix}:{${shop}}:lease:${job}`;
  const hostId = `${hostname()}:${process.pid}:${randomUUID()}`;
  const dropLeases = async (shop: string) => {
    const { connection } = await ready();
    await connection.del(...PERIODIC_JOBS.map((job) => leaseKey(shop, job)));
  };
  const openQueue = async (shop: string) => {
    const { stores, connection } = await ready();
    return stores.openBullMqQueue({ connection, prefix: keyPrefix, name: shop });
  };
  return sharedShopStores({
    async openStores(shop, neuroonShopId) {
      const { stores, connection } = await ready();
      return {
        queue: stores.openBullMqQueue({ connection, prefix: keyPrefix, name: shop }),
        state: stores.openRedisStateStore({
          connection,
          prefix: keyPrefix,
          name: shop,
          shopId: neuroonShopId,
        }),
      };
    },
    openQueue,
    dropLeases,
    async claimPeriodicRun(shop, job, periodMs) {
      const { connection } = await ready();
      // A little under one period, so the next period's first tick finds it gone even when the
      // hosts' timers drift.
      const leaseMs = Math.max(1, Math.floor(periodMs * 0.9));
      // bullmq's client interface has no `SET … NX`; one script call is just as atomic.
      connection.defineCommand(CLAIM_LEASE_COMMAND, {
        numberOfKeys: 1,
        lua: "return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')",
      });
      const taken = await connection.runCommand(CLAIM_LEASE_COMMAND, [
        leaseKey(shop, job),
        hostId,
        leaseMs,
      ]);
      return taken === "OK";
    },
    async close() {
      await loading.catch(() => undefined);
      await connection?.close();
    },
  });
}
