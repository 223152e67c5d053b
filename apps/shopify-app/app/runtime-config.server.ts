import { join } from "node:path";
import type { CoalesceOptions } from "@neuroon/core";

/** Default {@link RuntimeConfig.redisKeyPrefix}. */
export const DEFAULT_REDIS_KEY_PREFIX = "neuroon";

/** Where the app runs and what it talks to. */
export interface RuntimeConfig {
  apiKey: string;
  apiSecret: string;
  /** Public HTTPS URL of the app (`SHOPIFY_APP_URL`). */
  appUrl: string;
  scopes: string[];
  /**
   * Directory for the SQLite files: tokens, sessions and settings (unless `databaseUrl` is set),
   * and the per-shop change queues and sync state (unless `redisUrl` or `databaseUrl` is set).
   */
  dataDir: string;
  /**
   * `postgres://…` (`DATABASE_URL`): sessions, offline tokens, webhook ids and settings live in
   * PostgreSQL instead of `dataDir`'s SQLite files, and so do each shop's change queue and sync
   * state (core's PostgreSQL backend) unless `redisUrl` is set, so several hosts share the work.
   */
  databaseUrl?: string | undefined;
  /**
   * `redis://…` or `rediss://…` (`REDIS_URL`): each shop's change queue and sync state live in
   * Redis (core's BullMQ queue and Redis state store) instead of `dataDir`'s SQLite files, so
   * workers on several hosts share them.
   */
  redisUrl?: string | undefined;
  /**
   * First part of every Redis key (`<prefix>:{<shop>}:changes:*`, `<prefix>:{<shop>}:state:*`).
   * Default `neuroon`.
   */
  redisKeyPrefix?: string;
  /** Neuroon API base URL; the client's production default when absent. */
  neuroonBaseUrl?: string | undefined;
  /** How often the background worker looks at each shop's queue. Default 2,000 ms. */
  drainIntervalMs?: number;
  /**
   * The worker's coalescing window (core's `drainCoalesced`, one turn of `runWorkerLoop`):
   * once a shop's queue has changes, drain when nothing new was enqueued for `quietMs` or
   * `maxWaitMs` after it first saw them. Default 1,000 / 10,000 ms; `quietMs: 0` drains at once.
   * Conversions are not held back.
   */
  coalesce?: CoalesceOptions;
  /** Interval of the reconcile that catches missed webhooks. Default 24 h. */
  reconcileIntervalMs?: number;
}

/** Reads the configuration from the environment the Shopify CLI and the host provide. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`Set ${name} (the Shopify CLI sets it with \`shopify app dev\`).`);
    return value;
  };
  return {
    apiKey: required("SHOPIFY_API_KEY"),
    apiSecret: required("SHOPIFY_API_SECRET"),
    appUrl: required("SHOPIFY_APP_URL"),
    scopes: (env.SCOPES ?? "read_products,read_inventory,read_orders,write_app_proxy")
      .split(",")
      .map((s) => s.trim()),
    dataDir: env.NEUROON_DATA_DIR ?? join(process.cwd(), "data"),
    databaseUrl: postgresUrl(env.DATABASE_URL),
    redisUrl: redisUrl(env.REDIS_URL),
    neuroonBaseUrl: env.NEUROON_API_URL,
  };
}

/** `DATABASE_URL` when set: a `postgres://` or `postgresql://` URL, anything else is refused. */
function postgresUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^postgres(ql)?:\/\//i.test(value))
    throw new Error(
      "DATABASE_URL must be a postgres:// or postgresql:// URL (unset it to keep the SQLite files in NEUROON_DATA_DIR).",
    );
  return value;
}

/** `REDIS_URL` when set: a `redis://` or `rediss://` (TLS) URL, anything else is refused. */
function redisUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^rediss?:\/\/[^/]/i.test(value) || !URL.canParse(value)) {
    // Only what precedes the first ":" is echoed: the rest may hold a password.
    throw new Error(
      `REDIS_URL must be a redis:// or rediss:// (TLS) URL such as redis://:password@redis.internal:6379/0, received "${value.split(":")[0]}:…" (unset it to keep each shop's queue and sync state in SQLite files under NEUROON_DATA_DIR).`,
    );
  }
  return value;
}
