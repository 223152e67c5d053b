import "@shopify/shopify-api/adapters/node";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  type ChangeQueue,
  type CoalesceOptions,
  drainCoalesced,
  NeuroonClient,
  openSqliteQueue,
  openSqliteStateStore,
  SyncEngine,
  type SyncStateStore,
  type SyncSummary,
  sleep,
} from "@neuroon/core";
import {
  createShopifyBridge,
  type OfflineTokenStore,
  openPostgresShopifyStore,
  openSqliteShopifyStore,
  type PostgresShopifyStore,
  SHOPIFY_API_VERSION,
  type ShopifyBridge,
  type WebhookDeliveryLog,
  withPostgresSchemaLock,
} from "@neuroon/shopify";
import { LogSeverity, type Shopify, shopifyApi } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { PostgreSQLSessionStorage } from "@shopify/shopify-app-session-storage-postgresql";
import type { RedisConnection } from "bullmq";
import { postgresShopStores } from "./postgres-shop-stores.server.js";
import {
  createSessionStorage,
  createSqliteOnlineSessionStorage,
} from "./session-storage.server.js";
import {
  createPostgresSettingsStore,
  createSettingsStore,
  type SettingsStore,
} from "./settings.server.js";
import { sharedShopStores } from "./shared-shop-stores.server.js";

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

/** Where tokens, webhook ids, settings and sessions are kept. */
interface Storage {
  tokens: OfflineTokenStore;
  deliveries: WebhookDeliveryLog;
  settings: SettingsStore;
  onlineSessions: SessionStorage;
  close(): Promise<void>;
}

/** Default: one SQLite file for tokens and webhook ids, one for settings and online sessions. */
function openSqliteStorage(dataDir: string): Storage {
  mkdirSync(dataDir, { recursive: true });
  const store = openSqliteShopifyStore({ path: join(dataDir, "shopify.db") });
  const appDb = new DatabaseSync(join(dataDir, "app.db"));
  appDb.exec("PRAGMA journal_mode = WAL");
  appDb.exec("PRAGMA busy_timeout = 5000");
  return {
    tokens: store.tokens,
    deliveries: store.deliveries,
    settings: createSettingsStore(appDb),
    onlineSessions: createSqliteOnlineSessionStorage(appDb),
    async close() {
      store.close();
      appDb.close();
    },
  };
}

/** The PostgreSQL store's token store and delivery log, usable before it finished opening. */
function whenOpened(opening: Promise<PostgresShopifyStore>): {
  tokens: OfflineTokenStore;
  deliveries: WebhookDeliveryLog;
} {
  return {
    tokens: {
      load: async (shop) => (await opening).tokens.load(shop),
      save: async (token) => (await opening).tokens.save(token),
      delete: async (shop) => (await opening).tokens.delete(shop),
      withLock: async (shop, fn) => (await opening).tokens.withLock(shop, fn),
    },
    deliveries: {
      claim: async (shop, id) => (await opening).deliveries.claim(shop, id),
      release: async (shop, id) => (await opening).deliveries.release(shop, id),
      forgetShop: async (shop) => (await opening).deliveries.forgetShop(shop),
    },
  };
}

/**
 * `DATABASE_URL`: `@neuroon/shopify`'s PostgreSQL store (tokens, webhook ids; its pool also holds
 * the settings table) and Shopify's PostgreSQL session storage for online sessions.
 */
function openPostgresStorage(databaseUrl: string): Storage {
  const opening = openPostgresShopifyStore({ connectionString: databaseUrl });
  // Failures surface on each call; do not crash the process on an unobserved rejection.
  opening.catch(() => undefined);
  // Shopify's storage creates its tables on construction with unlocked CREATE … IF NOT EXISTS:
  // two hosts starting on an empty database collide in PostgreSQL's catalog (duplicate pg_type
  // row), an unhandled rejection. So it is built, one host at a time, under an advisory lock.
  const sessionsOpening = opening.then(async (store) => {
    let sessions: PostgreSQLSessionStorage | undefined;
    await withPostgresSchemaLock(store.pool, "neuroon_shopify_sessions_schema", async () => {
      sessions = new PostgreSQLSessionStorage(databaseUrl);
      await sessions.ready;
    });
    return sessions as PostgreSQLSessionStorage;
  });
  sessionsOpening.catch(() => undefined);
  const onlineSessions: SessionStorage = {
    storeSession: async (session) => (await sessionsOpening).storeSession(session),
    loadSession: async (id) => (await sessionsOpening).loadSession(id),
    deleteSession: async (id) => (await sessionsOpening).deleteSession(id),
    deleteSessions: async (ids) => (await sessionsOpening).deleteSessions(ids),
    findSessionsByShop: async (shop) => (await sessionsOpening).findSessionsByShop(shop),
  };
  return {
    ...whenOpened(opening),
    settings: createPostgresSettingsStore(opening.then((store) => store.pool)),
    onlineSessions,
    async close() {
      const sessions = await sessionsOpening.catch(() => undefined);
      await sessions?.disconnect().catch(() => undefined);
      const store = await opening.catch(() => undefined);
      await store?.close();
    },
  };
}

/** A shop's change queue and sync state, on the backend the configuration picked. */
export interface ShopStores {
  queue: ChangeQueue;
  state: SyncStateStore;
  close(): Promise<void>;
  /** Deletes everything the two hold for the shop (`shop/redact`), then closes them. */
  erase(): Promise<void>;
}

/** Opens and erases shops' queues and sync state. */
export interface ShopStoresBackend {
  /** The shop's stores; `neuroonShopId` scopes the sync state to the Neuroon shop. */
  open(shop: string, neuroonShopId: string): Promise<ShopStores>;
  /** Deletes what a shop whose stores are not open left behind. */
  eraseUnopened(shop: string): Promise<void>;
  /**
   * Whether this host runs the shop's periodic `job` now. One host holds the stores, so always
   * on SQLite; on Redis or PostgreSQL, the first host to ask in `periodMs` takes a lease and the
   * others skip.
   */
  claimPeriodicRun(shop: string, job: string, periodMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Default: `<dataDir>/shops/<shop>.queue.db` and `.state.db` (one host). */
function sqliteShopStores(dataDir: string): ShopStoresBackend {
  mkdirSync(join(dataDir, "shops"), { recursive: true });
  const base = (shop: string) => join(dataDir, "shops", shop);
  const removeFiles = async (shop: string) => {
    for (const suffix of [".queue.db", ".state.db"]) {
      for (const extra of ["", "-wal", "-shm"])
        await rm(`${base(shop)}${suffix}${extra}`, { force: true });
    }
  };
  return {
    async open(shop, neuroonShopId) {
      const queue = openSqliteQueue({ path: `${base(shop)}.queue.db` });
      const state = openSqliteStateStore({
        path: `${base(shop)}.state.db`,
        shopId: neuroonShopId,
      });
      const close = async () => {
        await queue.close();
        await state.close();
      };
      return {
        queue,
        state,
        close,
        async erase() {
          await close();
          await removeFiles(shop);
        },
      };
    },
    eraseUnopened: removeFiles,
    async claimPeriodicRun() {
      return true;
    },
    async close() {},
  };
}

/** Default {@link RuntimeConfig.redisKeyPrefix}. */
const DEFAULT_REDIS_KEY_PREFIX = "neuroon";
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
function redisShopStores(url: string, keyPrefix: string): ShopStoresBackend {
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

/** Per-shop sync machinery, opened when the shop is connected to Neuroon. */
interface ShopWorker {
  stores: ShopStores;
  engine: SyncEngine;
  client: NeuroonClient;
}

/** Everything the routes and the background worker share. */
export interface Runtime {
  config: RuntimeConfig;
  /** The `shopifyApi` instance behind the bridge (the React Router package has its own). */
  api: Shopify;
  bridge: ShopifyBridge;
  settings: SettingsStore;
  sessionStorage: SessionStorage;
  /** The shop's engine, or `undefined` while it is not connected to Neuroon. */
  engineFor(shop: string): Promise<SyncEngine | undefined>;
  /** Initial import / manual resync: the whole catalog through a bulk operation. */
  importCatalog(shop: string): Promise<SyncSummary>;
  /**
   * What the background worker runs for one shop: waits for core's coalescing window
   * (`config.coalesce`; conversions meanwhile), then drains. Errors are recorded in the settings.
   */
  drainCoalesced(shop: string, signal?: AbortSignal): Promise<SyncSummary | undefined>;
  /** Drains every connected shop's queue once. */
  drainAll(): Promise<void>;
  /**
   * The daily tick: reconciles every connected shop whose reconcile this host claims (all of
   * them on SQLite; on Redis, those no other host reconciled in the last interval).
   */
  reconcileDue(): Promise<void>;
  /** Starts the background loop (drain every few seconds, reconcile daily). */
  startWorkers(): void;
  close(): Promise<void>;
}

/**
 * Builds the runtime: tokens, webhook ids, settings and sessions in PostgreSQL when
 * `config.databaseUrl` is set, else in two SQLite files; each shop's queue and sync state in Redis
 * when `config.redisUrl` is set, else in PostgreSQL when `config.databaseUrl` is, else in one
 * SQLite queue and one state file per shop.
 */
export function createRuntime(config: RuntimeConfig): Runtime {
  const reconcileIntervalMs = config.reconcileIntervalMs ?? 24 * 3_600_000;
  const shopStores = config.redisUrl
    ? redisShopStores(config.redisUrl, config.redisKeyPrefix ?? DEFAULT_REDIS_KEY_PREFIX)
    : config.databaseUrl
      ? postgresShopStores(config.databaseUrl)
      : sqliteShopStores(config.dataDir);
  const api = shopifyApi({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecret,
    scopes: config.scopes,
    hostName: new URL(config.appUrl).host,
    hostScheme: "https",
    apiVersion: SHOPIFY_API_VERSION,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Warning },
  }) as unknown as Shopify;
  const store = config.databaseUrl
    ? openPostgresStorage(config.databaseUrl)
    : openSqliteStorage(config.dataDir);
  const { settings } = store;
  const workers = new Map<string, ShopWorker>();
  const timers: NodeJS.Timeout[] = [];
  let stopWorkers: (() => void) | undefined;

  const workerFor = async (shop: string): Promise<ShopWorker | undefined> => {
    const current = await settings.get(shop);
    if (!current) return undefined;
    const existing = workers.get(shop);
    if (existing) return existing;
    const stores = await shopStores.open(shop, current.neuroonShopId);
    // Another call may have opened the shop's stores while this one waited for Redis.
    const raced = workers.get(shop);
    if (raced) {
      await stores.close();
      return raced;
    }
    const { queue, state } = stores;
    const client = new NeuroonClient({
      shopId: current.neuroonShopId,
      apiKey: current.neuroonApiKey,
      ...(config.neuroonBaseUrl ? { baseUrl: config.neuroonBaseUrl } : {}),
      appInfo: { name: "neuroon-shopify-app", version: "0.0.0" },
    });
    const engine = new SyncEngine({
      client,
      queue,
      state,
      source: bridge.catalogSource(shop),
      shopId: current.neuroonShopId,
    });
    const worker = { stores, engine, client };
    workers.set(shop, worker);
    return worker;
  };

  const closeWorker = async (shop: string): Promise<void> => {
    const worker = workers.get(shop);
    workers.delete(shop);
    await worker?.stores.close();
  };

  const bridge: ShopifyBridge = createShopifyBridge({
    shopify: api,
    tokenStore: store.tokens,
    deliveries: store.deliveries,
    // More than the React Router package's own 5 minutes, so it never refreshes by itself.
    refreshMarginMs: 10 * 60_000,
    // Only installed shops take work: after app/uninstalled the token is gone until a reinstall.
    queueFor: async (shop) =>
      (await store.tokens.load(shop)) ? (await workerFor(shop))?.stores.queue : undefined,
    onUninstalled: async (shop) => {
      // The token is revoked: stop the shop's work, keep its data until shop/redact.
      await closeWorker(shop);
    },
    onShopRedact: async (shop) => {
      // 48 h after uninstall: delete everything held for the shop, its products in Neuroon too.
      // Settings last: they name the Neuroon shop, and so the sync state, should a step fail
      // and Shopify retry. No host works on the shop meanwhile: it has no token since uninstall.
      const worker = await workerFor(shop);
      if (worker) {
        await purgeNeuroonCatalog(worker.client);
        workers.delete(shop);
        await worker.stores.erase();
      } else {
        await shopStores.eraseUnopened(shop);
      }
      await settings.delete(shop);
    },
  });

  const sessionStorage = createSessionStorage(store.onlineSessions, bridge.tokens);
  const isInstalled = async (shop: string): Promise<boolean> =>
    (await store.tokens.load(shop)) !== undefined;

  const runtime: Runtime = {
    config,
    api,
    bridge,
    settings,
    sessionStorage,
    engineFor: async (shop) => (await workerFor(shop))?.engine,
    async importCatalog(shop) {
      const worker = await workerFor(shop);
      if (!worker)
        throw new Error(
          `Shop ${shop} is not connected to Neuroon yet; save its Neuroon credentials first.`,
        );
      try {
        const summary = await worker.engine.fullSync();
        await settings.recordSync(shop, { at: Date.now() });
        return summary;
      } catch (error) {
        await settings.recordSync(shop, { at: Date.now(), error: (error as Error).message });
        throw error;
      }
    },
    async reconcileDue() {
      for (const { shop } of await settings.list()) {
        if (!(await isInstalled(shop))) continue;
        // Several hosts (REDIS_URL) share one Neuroon key, and each client paces only its own
        // requests: N walks of the catalog would split one rate-limit bucket N ways.
        if (!(await shopStores.claimPeriodicRun(shop, "reconcile", reconcileIntervalMs))) continue;
        await (await workerFor(shop))?.engine
          .reconcile()
          .catch((error: unknown) =>
            settings.recordSync(shop, { at: Date.now(), error: (error as Error).message }),
          );
      }
    },
    async drainAll() {
      for (const { shop } of await settings.list()) {
        if (!(await isInstalled(shop))) continue;
        const worker = await workerFor(shop);
        if (!worker) continue;
        try {
          await worker.engine.drain();
        } catch (error) {
          await settings.recordSync(shop, { at: Date.now(), error: (error as Error).message });
        }
      }
    },
    async drainCoalesced(shop, signal) {
      const worker = await workerFor(shop);
      if (!worker) return undefined;
      try {
        // One turn of core's worker loop; the interval in startWorkers schedules the turns.
        return await drainCoalesced({
          queue: worker.stores.queue,
          drain: (request) => worker.engine.drain(request),
          signal,
          coalesce: config.coalesce,
        });
      } catch (error) {
        if (!signal?.aborted) {
          await settings.recordSync(shop, { at: Date.now(), error: (error as Error).message });
        }
        return undefined;
      }
    },
    startWorkers() {
      if (timers.length > 0) return;
      // Each shop on its own: a shop whose coalescing window is open does not hold up the others.
      const busy = new Set<string>();
      const stop = new AbortController();
      const coalescedDrain = (shop: string) => runtime.drainCoalesced(shop, stop.signal);
      const drain = setInterval(() => {
        void settings
          .list()
          .then((shops) => {
            for (const { shop } of shops) {
              if (busy.has(shop)) continue;
              busy.add(shop);
              void (async () => {
                if (await isInstalled(shop)) await coalescedDrain(shop);
              })()
                .catch(() => {})
                .finally(() => busy.delete(shop));
            }
          })
          .catch(() => {});
      }, config.drainIntervalMs ?? 2_000);
      stopWorkers = () => stop.abort();
      const reconcile = setInterval(() => {
        runtime.reconcileDue().catch(() => {});
      }, reconcileIntervalMs);
      drain.unref();
      reconcile.unref();
      timers.push(drain, reconcile);
    },
    async close() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      stopWorkers?.();
      for (const shop of [...workers.keys()]) await closeWorker(shop);
      await shopStores.close();
      await store.close();
    },
  };
  return runtime;
}

/** Deletes every product of the shop from Neuroon (compliance: `shop/redact`). */
async function purgeNeuroonCatalog(client: NeuroonClient): Promise<number> {
  const ids: string[] = [];
  for await (const product of client.products.list({ size: 100 })) ids.push(product.externalId);
  for (const id of ids) await client.products.delete(id);
  return ids.length;
}

let shared: Runtime | undefined;

/** The process-wide runtime, built from the environment on first use. */
export function getRuntime(): Runtime {
  shared ??= createRuntime(configFromEnv());
  return shared;
}

/** Replaces the process-wide runtime (tests). */
export function setRuntime(runtime: Runtime | undefined): void {
  shared = runtime;
}
