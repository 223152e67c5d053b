import "@shopify/shopify-api/adapters/node";
import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  type CoalesceOptions,
  NeuroonClient,
  openSqliteQueue,
  openSqliteStateStore,
  type SqliteChangeQueue,
  type SqliteSyncStateStore,
  SyncEngine,
  type SyncSummary,
  waitForCoalescedBatch,
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
} from "@neuroon/shopify";
import { LogSeverity, type Shopify, shopifyApi } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { PostgreSQLSessionStorage } from "@shopify/shopify-app-session-storage-postgresql";
import {
  createSessionStorage,
  createSqliteOnlineSessionStorage,
} from "./session-storage.server.js";
import {
  createPostgresSettingsStore,
  createSettingsStore,
  type SettingsStore,
} from "./settings.server.js";

/** Where the app runs and what it talks to. */
export interface RuntimeConfig {
  apiKey: string;
  apiSecret: string;
  /** Public HTTPS URL of the app (`SHOPIFY_APP_URL`). */
  appUrl: string;
  scopes: string[];
  /**
   * Directory for the SQLite files: tokens, sessions and settings (unless `databaseUrl` is set),
   * and always the per-shop change queues and sync state.
   */
  dataDir: string;
  /**
   * `postgres://…` (`DATABASE_URL`): sessions, offline tokens, webhook ids and settings live in
   * PostgreSQL instead of `dataDir`'s SQLite files.
   */
  databaseUrl?: string | undefined;
  /** Neuroon API base URL; the client's production default when absent. */
  neuroonBaseUrl?: string | undefined;
  /** How often the background worker looks at each shop's queue. Default 2,000 ms. */
  drainIntervalMs?: number;
  /**
   * The worker's coalescing window (core's `waitForCoalescedBatch`, as in `SyncEngine.runWorker`):
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
  const onlineSessions = new PostgreSQLSessionStorage(databaseUrl);
  onlineSessions.ready.catch(() => undefined);
  return {
    ...whenOpened(opening),
    settings: createPostgresSettingsStore(opening.then((store) => store.pool)),
    onlineSessions,
    async close() {
      await onlineSessions.disconnect().catch(() => undefined);
      const store = await opening.catch(() => undefined);
      await store?.close();
    },
  };
}

/** Per-shop sync machinery, opened when the shop is connected to Neuroon. */
interface ShopWorker {
  queue: SqliteChangeQueue;
  state: SqliteSyncStateStore;
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
  /** Starts the background loop (drain every few seconds, reconcile daily). */
  startWorkers(): void;
  close(): Promise<void>;
}

/**
 * Builds the runtime: tokens, webhook ids, settings and sessions in PostgreSQL when
 * `config.databaseUrl` is set, else in two SQLite files; one SQLite queue and state file per shop.
 */
export function createRuntime(config: RuntimeConfig): Runtime {
  mkdirSync(join(config.dataDir, "shops"), { recursive: true });
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
    const base = join(config.dataDir, "shops", shop);
    const queue = openSqliteQueue({ path: `${base}.queue.db` });
    const state = openSqliteStateStore({ path: `${base}.state.db`, shopId: current.neuroonShopId });
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
    const worker = { queue, state, engine, client };
    workers.set(shop, worker);
    return worker;
  };

  const closeWorker = async (shop: string): Promise<void> => {
    const worker = workers.get(shop);
    workers.delete(shop);
    await worker?.queue.close();
    await worker?.state.close();
  };

  const bridge: ShopifyBridge = createShopifyBridge({
    shopify: api,
    tokenStore: store.tokens,
    deliveries: store.deliveries,
    // More than the React Router package's own 5 minutes, so it never refreshes by itself.
    refreshMarginMs: 10 * 60_000,
    // Only installed shops take work: after app/uninstalled the token is gone until a reinstall.
    queueFor: async (shop) =>
      (await store.tokens.load(shop)) ? (await workerFor(shop))?.queue : undefined,
    onUninstalled: async (shop) => {
      // The token is revoked: stop the shop's work, keep its data until shop/redact.
      await closeWorker(shop);
    },
    onShopRedact: async (shop) => {
      // 48 h after uninstall: delete everything held for the shop, its products in Neuroon too.
      const worker = await workerFor(shop);
      if (worker) await purgeNeuroonCatalog(worker.client);
      await closeWorker(shop);
      await settings.delete(shop);
      const base = join(config.dataDir, "shops", shop);
      for (const suffix of [".queue.db", ".state.db"]) {
        for (const extra of ["", "-wal", "-shm"])
          await rm(`${base}${suffix}${extra}`, { force: true });
      }
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
        const window = await waitForCoalescedBatch(worker.queue, {
          ...(signal ? { signal } : {}),
          ...(config.coalesce ? { coalesce: config.coalesce } : {}),
          onWait: async () => {
            await worker.engine.drain({ ...(signal ? { signal } : {}), kinds: ["conversion"] });
          },
        });
        if (window.reason === "empty" || window.reason === "aborted") return undefined;
        // What was pending when the window closed; later arrivals wait for the next window.
        return await worker.engine.drain({
          ...(signal ? { signal } : {}),
          ...(window.pending !== undefined ? { maxChanges: window.pending } : {}),
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
      const reconcile = setInterval(
        () => {
          void (async () => {
            for (const { shop } of await settings.list()) {
              if (!(await isInstalled(shop))) continue;
              await (await workerFor(shop))?.engine
                .reconcile()
                .catch((error: unknown) =>
                  settings.recordSync(shop, { at: Date.now(), error: (error as Error).message }),
                );
            }
          })().catch(() => {});
        },
        config.reconcileIntervalMs ?? 24 * 3_600_000,
      );
      drain.unref();
      reconcile.unref();
      timers.push(drain, reconcile);
    },
    async close() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      stopWorkers?.();
      for (const shop of [...workers.keys()]) await closeWorker(shop);
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
