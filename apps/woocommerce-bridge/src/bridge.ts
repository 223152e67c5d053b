import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  type ChangeKind,
  NeuroonClient,
  type NeuroonClientOptions,
  openSqliteQueue,
  openSqliteStateStore,
  type QueueStats,
  runWorkerLoop,
  type ShopInfo,
  type SqliteChangeQueue,
  type SqliteSyncStateStore,
  SyncEngine,
  type SyncEvent,
  type SyncSummary,
} from "@neuroon/core";
import {
  createWooCatalogSource,
  createWooStoreReader,
  DEFAULT_PAID_STATUSES,
  toWooGmt,
  type WooCatalogWarning,
  type WooStoreReader,
  type WooStoreReaderOptions,
} from "@neuroon/woocommerce";
import { BridgeStore } from "./bridge-store.js";
import {
  BRIDGE_WEBHOOK_TOPICS,
  BridgeConfigError,
  type ConfigPurpose,
  configWarnings,
  DEFAULT_COALESCE_MAX_WAIT_MS,
  DEFAULT_COALESCE_QUIET_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_POLL_OVERLAP_MS,
  DEFAULT_PORT,
  DEFAULT_RECONCILE_HOUR_UTC,
  DEFAULT_TAX_CHECK_INTERVAL_MS,
  DEFAULT_WEBHOOK_CHECK_INTERVAL_MS,
  DEFAULT_WEBHOOK_PATH,
  DEFAULT_WORKER_IDLE_MS,
  dataDirOf,
  deliveryUrlOf,
  findConfigIssues,
  type WooBridgeConfig,
} from "./config.js";
import { type BridgeLogger, errorMessage, SILENT_LOGGER } from "./logger.js";
import { OrderResolvingQueue } from "./order-conversions.js";
import {
  checkTaxSettings,
  POLL_ORDERS_META_KEY,
  POLL_PRODUCTS_META_KEY,
  type PollResult,
  pollStoreChanges,
  type TaxSettingsCheck,
} from "./poller.js";
import { msUntilUtcHour, type ScheduledTask, Scheduler } from "./scheduler.js";
import { VERSION } from "./version.js";
import { ensureWebhooks, type WebhookAction } from "./webhook-manager.js";
import { createWebhookHandler, type WebhookOutcome } from "./webhook-receiver.js";

/** The SQLite file in the data dir: queue, sync state and the bridge's delivery log. */
export const DATABASE_FILE_NAME = "neuroon-woocommerce.db";
/** State-store meta key of the last finished reconcile (ISO time). */
export const LAST_RECONCILE_META_KEY = "woocommerce:last-reconcile-at";
/** How long `stop()` lets the worker finish its batch before cancelling its calls. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 20_000;

/** Dependencies and hooks of {@link createWooBridge}, mostly for tests and the CLI. */
export interface WooBridgeOptions {
  logger?: BridgeLogger;
  /** Sync engine events (progress, deletions, conversions, retries). Must not throw. */
  onEvent?: (event: SyncEvent) => void;
  /** Every answered webhook request, with its latency. */
  onWebhook?: (outcome: WebhookOutcome, statusCode: number, durationMs: number) => void;
  /** Extra options of the WooCommerce reader (e.g. `sleep`, `maxRetries` in tests). */
  reader?: Partial<WooStoreReaderOptions>;
  /** Extra options of the Neuroon client (e.g. `rateLimits`, `sleep`, `dispatcher`). */
  client?: Partial<NeuroonClientOptions>;
  shutdownGraceMs?: number;
  now?: () => number;
}

/** What `setup()` checked and did. */
export interface SetupResult {
  store: { url: string; products: number };
  neuroon: Pick<ShopInfo, "shopId"> & Partial<ShopInfo>;
  deliveryUrl: string;
  webhooks: WebhookAction[];
  warnings: string[];
}

/** The bridge's health: what `GET /healthz` answers (503 when `ok` is false). */
export interface BridgeStatus {
  ok: boolean;
  /** Why `ok` is false, e.g. the last webhook could not be written to the queue (a full disk). */
  problems: string[];
  version: string;
  listening: boolean;
  queue: QueueStats;
  pollMarks: { products?: string; orders?: string };
  lastReconcileAt?: string;
}

/** The handle {@link createWooBridge} returns. */
export interface WooBridge {
  readonly config: WooBridgeConfig;
  /** The HTTP server (webhooks and `/healthz`); listening after `start()`. */
  readonly server: Server;
  /** Where the server listens (`http://host:port`), after `start()`. */
  readonly url: string | undefined;
  /** Opens the data dir, listens, runs the worker and the scheduler. */
  start(): Promise<{ url: string }>;
  /** Graceful shutdown: stop accepting, answer in-flight requests, finish the batch, close the queue. */
  stop(): Promise<void>;
  /** Verifies both credentials and creates or repairs the store's webhooks. */
  setup(options?: { signal?: AbortSignal }): Promise<SetupResult>;
  /** A full pass over the store's catalog (only changed products are sent); sets the poll marks. */
  syncAll(options?: { signal?: AbortSignal }): Promise<SyncSummary>;
  /** Deletes from Neuroon what the store no longer has, behind the engine's safety valve. */
  reconcile(options?: { force?: boolean; signal?: AbortSignal }): Promise<SyncSummary>;
  /** One incremental poll (`modified_after`) into the queue. */
  poll(options?: { signal?: AbortSignal }): Promise<PollResult>;
  /** Reads the tax settings again; when they changed, queues every product for re-pricing. */
  checkTaxSettings(options?: { signal?: AbortSignal }): Promise<TaxSettingsCheck>;
  /** Re-creates or re-activates the bridge's webhooks. */
  checkWebhooks(options?: { signal?: AbortSignal }): Promise<WebhookAction[]>;
  /** Delivers what is queued now (the worker does this continuously while started). */
  drain(options?: { signal?: AbortSignal }): Promise<SyncSummary>;
  status(): Promise<BridgeStatus>;
  /** Closes the data files without the server (after one-shot commands). Same as `stop()`. */
  close(): Promise<void>;
}

interface Resources {
  queue: SqliteChangeQueue;
  resolving: OrderResolvingQueue;
  state: SqliteSyncStateStore;
  store: BridgeStore;
  engine: SyncEngine;
}

/**
 * The WooCommerce ↔ Neuroon bridge (house style rule 22: a thin factory over core and the
 * adapter). Nothing is opened or contacted until a method needs it.
 */
export function createWooBridge(
  config: WooBridgeConfig,
  options: WooBridgeOptions = {},
): WooBridge {
  const logger = options.logger ?? SILENT_LOGGER;
  const now = options.now ?? Date.now;
  const webhookPath = config.webhookPath ?? DEFAULT_WEBHOOK_PATH;
  const engineRetry = {
    maxAttempts: config.engine?.retry?.maxAttempts ?? 8,
    baseDelayMs: config.engine?.retry?.baseDelayMs ?? 1_000,
    maxDelayMs: config.engine?.retry?.maxDelayMs ?? 300_000,
  };
  const paidStatuses = config.conversions?.paidStatuses ?? DEFAULT_PAID_STATUSES;

  let reader: WooStoreReader | undefined;
  let client: NeuroonClient | undefined;
  let resources: Resources | undefined;
  let listeningUrl: string | undefined;
  let worker: Promise<void> | undefined;
  let workerStop: AbortController | undefined;
  let workerHardStop: AbortController | undefined;
  let scheduler: Scheduler | undefined;
  let stopping: Promise<void> | undefined;
  const inFlight = new Set<Promise<void>>();
  // The last failed write to the queue (a webhook answered 503), until a later write succeeds.
  let enqueueFailure: { at: string; message: string } | undefined;

  const requireConfig = (purpose: ConfigPurpose) => {
    const issues = findConfigIssues(config, purpose);
    if (issues.length > 0) throw new BridgeConfigError(issues);
  };

  const getReader = (): WooStoreReader => {
    reader ??= createWooStoreReader({
      url: config.woocommerce.url,
      consumerKey: config.woocommerce.consumerKey,
      consumerSecret: config.woocommerce.consumerSecret,
      ...(config.woocommerce.queryStringAuth !== undefined
        ? { queryStringAuth: config.woocommerce.queryStringAuth }
        : {}),
      ...(config.woocommerce.timeoutMs !== undefined
        ? { timeoutMs: config.woocommerce.timeoutMs }
        : {}),
      ...options.reader,
    });
    return reader;
  };

  const getClient = (): NeuroonClient => {
    client ??= new NeuroonClient({
      shopId: config.neuroon.shopId,
      apiKey: config.neuroon.apiKey,
      ...(config.neuroon.apiUrl !== undefined ? { baseUrl: config.neuroon.apiUrl } : {}),
      appInfo: { name: "neuroon-woocommerce-bridge", version: VERSION },
      ...options.client,
    });
    return client;
  };

  const onEngineEvent = (event: SyncEvent) => {
    if (event.type === "conversion") {
      try {
        resources?.store.markOrderReported(event.orderId);
      } catch (error) {
        logger.error("could not record a reported order", {
          orderId: event.orderId,
          error: errorMessage(error),
        });
      }
      logger.info("conversion reported", { orderId: event.orderId });
    } else if (event.type === "deleted") {
      // A webhook for a product Neuroon never had (a new draft, a product that never existed) or
      // no longer has is not a deletion. Neuroon answers 204 for a missing product, so only the
      // sync state tells the first case.
      logger.info(
        event.alreadyGone
          ? "product already absent from Neuroon"
          : event.wasSynced
            ? "product deleted from Neuroon"
            : "delete sent for a product never synced to Neuroon",
        { externalId: event.externalId, reason: event.reason },
      );
    } else if (event.type === "retry") {
      logger.warn("change will be retried", {
        kind: event.kind,
        key: event.key,
        outcome: event.outcome,
        delayMs: event.delayMs,
        error: event.error,
      });
    } else if (event.type === "rejected") {
      logger.warn("product rejected", {
        externalId: event.externalId,
        reason: event.reason,
        by: event.by,
      });
    } else if (event.type === "error") {
      logger.error("sync error", { phase: event.phase, error: errorMessage(event.error) });
    }
    try {
      options.onEvent?.(event);
    } catch {
      // A listener must not break a sync.
    }
  };

  const open = (): Resources => {
    if (resources) return resources;
    const dir = dataDirOf(config);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new BridgeConfigError([
        {
          variable: "BRIDGE_DATA_DIR",
          problem: `cannot be created (${errorMessage(error)}).`,
          fix: "Point it at a writable directory on a persistent volume.",
        },
      ]);
    }
    const path = join(dir, DATABASE_FILE_NAME);
    const queue = openSqliteQueue({ path });
    const state = openSqliteStateStore({ path, shopId: config.neuroon.shopId });
    const store = new BridgeStore(path, { now });
    const wooReader = getReader();
    const resolving = new OrderResolvingQueue(queue, {
      getOrder: (id, signal) => wooReader.getOrder(id, signal ? { signal } : {}),
      store,
      conversion: {
        ...(config.conversions?.orderMetaKeys
          ? { metaKeys: config.conversions.orderMetaKeys }
          : {}),
        ...(config.conversions?.lineMetaKeys
          ? { lineMetaKeys: config.conversions.lineMetaKeys }
          : {}),
        paidStatuses,
      },
      logger,
      retry: engineRetry,
    });
    const engine = new SyncEngine({
      client: getClient(),
      queue: resolving,
      state,
      source: createWooCatalogSource(wooReader, {
        brandSource: config.woocommerce.brandSource ?? "core",
        onMappingError: (productId, error) =>
          logger.warn("product skipped: cannot be mapped", {
            productId,
            error: errorMessage(error),
          }),
        // Without a logger (the CLI's sync and reconcile) the source's default, a process
        // warning on stderr, still tells the operator that protected products are being synced.
        ...(options.logger
          ? {
              onWarning: (warning: WooCatalogWarning) =>
                logger.warn(warning.message, { code: warning.code }),
            }
          : {}),
      }),
      ...(config.engine?.batchSize !== undefined ? { batchSize: config.engine.batchSize } : {}),
      ...(config.engine?.maxDeleteRatio !== undefined
        ? { reconcile: { maxDeleteRatio: config.engine.maxDeleteRatio } }
        : {}),
      retry: engineRetry,
      ...(config.engine?.leaseMs !== undefined
        ? { claim: { leaseMs: config.engine.leaseMs } }
        : {}),
      onEvent: onEngineEvent,
      now,
    });
    resources = { queue, resolving, state, store, engine };
    return resources;
  };

  const closeResources = async () => {
    const current = resources;
    resources = undefined;
    if (!current) return;
    current.store.close();
    await current.state.close();
    await current.queue.close();
  };

  const rememberedSecrets = () => {
    const { store } = open();
    return {
      has: (webhookId: number, secret: string) => store.hasWebhookSecret(webhookId, secret),
      remember: (webhookId: number, secret: string) =>
        store.rememberWebhookSecret(webhookId, secret),
    };
  };

  const setup = async (callOptions: { signal?: AbortSignal } = {}): Promise<SetupResult> => {
    requireConfig("setup");
    const signal = callOptions.signal;
    const wooReader = getReader();
    const page = await wooReader.listProducts(
      { perPage: 1, fields: ["id"] },
      signal ? { signal } : {},
    );
    const shop = await getClient().shop.me(signal ? { signal } : {});
    if (shop.shopId !== config.neuroon.shopId) {
      throw new BridgeConfigError([
        {
          variable: "NEUROON_API_KEY",
          problem: `belongs to shop ${shop.shopId}, not to NEUROON_SHOP_ID ${config.neuroon.shopId}.`,
          fix: "Use the Shop API Key of the configured shop, or set NEUROON_SHOP_ID to the key's shop.",
        },
      ]);
    }
    const deliveryUrl = deliveryUrlOf(config);
    const webhooks = await ensureWebhooks(wooReader, {
      deliveryUrl,
      secret: config.woocommerce.webhookSecrets?.[0] as string,
      topics: BRIDGE_WEBHOOK_TOPICS,
      secrets: rememberedSecrets(),
      ...(signal ? { signal } : {}),
    });
    for (const action of webhooks) {
      if (action.action !== "unchanged") logger.info("webhook", { ...action });
    }
    return {
      store: { url: config.woocommerce.url, products: page.total },
      neuroon: shop,
      deliveryUrl,
      webhooks,
      warnings: configWarnings(config),
    };
  };

  const checkTax = async (callOptions: { signal?: AbortSignal } = {}) => {
    const { resolving, state } = open();
    const result = await checkTaxSettings({
      reader: getReader(),
      queue: resolving,
      state,
      ...(callOptions.signal ? { signal: callOptions.signal } : {}),
    });
    if (result.changed) {
      logger.warn("tax settings changed: every product is re-priced", {
        products: result.products,
      });
    }
    return result;
  };

  const checkWebhooks = async (callOptions: { signal?: AbortSignal } = {}) => {
    requireConfig("setup");
    const actions = await ensureWebhooks(getReader(), {
      deliveryUrl: deliveryUrlOf(config),
      secret: config.woocommerce.webhookSecrets?.[0] as string,
      topics: BRIDGE_WEBHOOK_TOPICS,
      secrets: rememberedSecrets(),
      ...(callOptions.signal ? { signal: callOptions.signal } : {}),
    });
    for (const action of actions) {
      if (action.action !== "unchanged") logger.warn("webhook repaired", { ...action });
    }
    return actions;
  };

  const syncAll = async (callOptions: { signal?: AbortSignal } = {}) => {
    requireConfig("sync");
    const { engine, state, resolving } = open();
    // Marks before the pass: edits made while it streams are picked up by the next poll.
    const mark = toWooGmt(new Date(now()));
    // Fresh tax settings for this pass (not the reader's cached ones), remembered for the check.
    await checkTaxSettings({
      reader: getReader(),
      queue: resolving,
      state,
      recordOnly: true,
      ...(callOptions.signal ? { signal: callOptions.signal } : {}),
    });
    const summary = await engine.fullSync(callOptions.signal ? { signal: callOptions.signal } : {});
    await state.setMeta(POLL_PRODUCTS_META_KEY, mark);
    if ((await state.getMeta(POLL_ORDERS_META_KEY)) === undefined) {
      await state.setMeta(POLL_ORDERS_META_KEY, mark);
    }
    return summary;
  };

  const reconcile = async (callOptions: { force?: boolean; signal?: AbortSignal } = {}) => {
    requireConfig("reconcile");
    const { engine, state } = open();
    const summary = await engine.reconcile({
      ...(callOptions.force ? { force: true } : {}),
      ...(callOptions.signal ? { signal: callOptions.signal } : {}),
    });
    await state.setMeta(LAST_RECONCILE_META_KEY, new Date(now()).toISOString());
    return summary;
  };

  const poll = async (callOptions: { signal?: AbortSignal } = {}) => {
    const { resolving, state, store } = open();
    return await pollStoreChanges({
      reader: getReader(),
      queue: resolving,
      state,
      store,
      overlapMs: config.schedule?.pollOverlapMs ?? DEFAULT_POLL_OVERLAP_MS,
      paidStatuses,
      now,
      ...(callOptions.signal ? { signal: callOptions.signal } : {}),
    });
  };

  /**
   * The engine's drain; if it throws half-way (Neuroon unreachable while scanning for drift, an
   * auth error), the changes it had claimed are put back with backoff instead of waiting for their
   * lease to expire.
   */
  const drain = async (
    callOptions: { signal?: AbortSignal; kinds?: readonly ChangeKind[]; maxChanges?: number } = {},
  ) => {
    const { engine, resolving } = open();
    try {
      return await engine.drain({
        ...(callOptions.signal ? { signal: callOptions.signal } : {}),
        ...(callOptions.kinds ? { kinds: callOptions.kinds } : {}),
        ...(callOptions.maxChanges !== undefined ? { maxChanges: callOptions.maxChanges } : {}),
      });
    } catch (error) {
      const released = await resolving.releaseOutstanding(`drain failed: ${errorMessage(error)}`);
      if (released > 0) logger.warn("changes put back after a failed drain", { released });
      throw error;
    }
  };

  const status = async (): Promise<BridgeStatus> => {
    const { queue, state } = open();
    const products = await state.getMeta<string>(POLL_PRODUCTS_META_KEY);
    const orders = await state.getMeta<string>(POLL_ORDERS_META_KEY);
    const lastReconcileAt = await state.getMeta<string>(LAST_RECONCILE_META_KEY);
    const problems = enqueueFailure
      ? [
          `webhooks cannot be queued since ${enqueueFailure.at} (${enqueueFailure.message}); check that BRIDGE_DATA_DIR is writable and not full.`,
        ]
      : [];
    return {
      ok: problems.length === 0,
      problems,
      version: VERSION,
      listening: listeningUrl !== undefined,
      queue: await queue.stats(),
      pollMarks: {
        ...(products !== undefined ? { products } : {}),
        ...(orders !== undefined ? { orders } : {}),
      },
      ...(lastReconcileAt !== undefined ? { lastReconcileAt } : {}),
    };
  };

  let webhookHandler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === webhookPath && webhookHandler) {
      await webhookHandler(req, res);
      return;
    }
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      try {
        const current = await status();
        const body = JSON.stringify(current);
        res.writeHead(current.ok ? 200 : 503, {
          "content-type": "application/json; charset=utf-8",
        });
        res.end(req.method === "HEAD" ? undefined : body);
      } catch (error) {
        res.writeHead(503, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ ok: false, error: errorMessage(error) }));
      }
      return;
    }
    res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ ok: false, reason: "not-found", message: `No route ${path}.` }));
  };

  const server = createServer((req, res) => {
    const handled = route(req, res)
      .catch((error: unknown) => {
        logger.error("request failed", { error: errorMessage(error) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      })
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  });
  // WooCommerce waits up to 60 s; a client that sends nothing for 30 s is not WooCommerce.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  // Core's worker loop: let a burst settle in the queue (changes of one product merge there)
  // before draining, conversions meanwhile; a failing turn (the data dir unusable, Neuroon
  // refusing the key) backs off up to a minute. A soft stop ends the loop after the drain in
  // progress, a hard stop cuts that drain short. The queue is opened inside each turn, so a
  // failure to open it is reported and retried like any other.
  const runWorker = async (soft: AbortSignal, hard: AbortSignal) => {
    await runWorkerLoop({
      queue: {
        stats: () => open().resolving.stats(),
        lastEnqueuedAt: () => open().resolving.lastEnqueuedAt(),
      },
      drain,
      signal: soft,
      drainSignal: hard,
      idleMs: config.workerIdleMs ?? DEFAULT_WORKER_IDLE_MS,
      coalesce: {
        quietMs: config.coalesce?.quietMs ?? DEFAULT_COALESCE_QUIET_MS,
        maxWaitMs: config.coalesce?.maxWaitMs ?? DEFAULT_COALESCE_MAX_WAIT_MS,
      },
      now,
      onDrain: (summary) => {
        if (summary.changes === 0) return;
        logger.info("drained", {
          changes: summary.changes,
          sent: summary.sent,
          deleted: summary.deleted,
          conversions: summary.conversions,
          failed: summary.failed,
          elapsedMs: summary.elapsedMs,
        });
      },
      onError: (error, retryInMs) =>
        logger.error("worker drain failed", { error: errorMessage(error), retryInMs }),
    });
  };

  const scheduledTasks = (): ScheduledTask[] => {
    const tasks: ScheduledTask[] = [];
    const pollIntervalMs = config.schedule?.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    if (pollIntervalMs > 0) {
      tasks.push({
        name: "poll",
        nextDelayMs: () => pollIntervalMs,
        run: (signal) => poll({ signal }),
      });
    }
    const checkMs = config.schedule?.webhookCheckIntervalMs ?? DEFAULT_WEBHOOK_CHECK_INTERVAL_MS;
    if (checkMs > 0) {
      tasks.push({
        name: "webhook-check",
        nextDelayMs: () => checkMs,
        run: (signal) => checkWebhooks({ signal }),
      });
    }
    const taxCheckMs = config.schedule?.taxCheckIntervalMs ?? DEFAULT_TAX_CHECK_INTERVAL_MS;
    if (taxCheckMs > 0) {
      tasks.push({
        name: "tax-settings",
        nextDelayMs: () => taxCheckMs,
        run: (signal) => checkTax({ signal }),
      });
    }
    const hour = config.schedule?.reconcileHourUtc ?? DEFAULT_RECONCILE_HOUR_UTC;
    if (hour !== false) {
      tasks.push({
        name: "reconcile",
        nextDelayMs: (at) => msUntilUtcHour(at, hour),
        run: (signal) => reconcile({ signal }),
      });
    }
    return tasks;
  };

  const start = async (): Promise<{ url: string }> => {
    if (listeningUrl) return { url: listeningUrl };
    requireConfig("serve");
    for (const warning of configWarnings(config)) logger.warn(warning);
    const { resolving, store } = open();
    webhookHandler = createWebhookHandler({
      queue: resolving,
      store,
      secrets: config.woocommerce.webhookSecrets ?? [],
      maxBodyBytes: config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      logger,
      onOutcome: (outcome, statusCode, durationMs) => {
        if (!outcome.ok && outcome.reason === "queue-unavailable") {
          enqueueFailure ??= { at: new Date(now()).toISOString(), message: outcome.detail ?? "" };
        } else if (outcome.ok && outcome.status === "queued") {
          enqueueFailure = undefined;
        }
        options.onWebhook?.(outcome, statusCode, durationMs);
      },
    });
    const port = config.port ?? DEFAULT_PORT;
    const host = config.host ?? "0.0.0.0";
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        server.off("listening", onListening);
        reject(
          new BridgeConfigError([
            {
              variable: "BRIDGE_PORT",
              problem: `the bridge cannot listen on ${host}:${port} (${errorMessage(error)}).`,
              fix: "Pick a free port, or stop the process using it.",
            },
          ]),
        );
      };
      const onListening = () => {
        server.off("error", onError);
        resolve();
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(port, host);
    });
    const address = server.address() as AddressInfo;
    const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
    listeningUrl = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${address.port}`;
    workerStop = new AbortController();
    workerHardStop = new AbortController();
    worker = runWorker(workerStop.signal, workerHardStop.signal);
    scheduler = new Scheduler(scheduledTasks(), logger, now);
    scheduler.start();
    logger.info("bridge listening", {
      url: listeningUrl,
      webhookPath,
      deliveryUrl: deliveryUrlOf(config),
      version: VERSION,
    });
    return { url: listeningUrl };
  };

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
      if (listeningUrl) {
        logger.info("bridge stopping");
        // Stop accepting; answered keep-alive connections are closed as they go idle.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.allSettled([...inFlight]);
        const forced = setTimeout(() => server.closeAllConnections(), graceMs);
        await closed;
        clearTimeout(forced);
      }
      await scheduler?.stop();
      // Let the worker finish the batch in hand; cancel its calls only after the grace period.
      resources?.resolving.pause();
      workerStop?.abort();
      if (worker) {
        const hard = setTimeout(() => workerHardStop?.abort(), graceMs);
        await worker;
        clearTimeout(hard);
      }
      await closeResources();
      if (listeningUrl) logger.info("bridge stopped");
      listeningUrl = undefined;
    })();
    return stopping;
  };

  return {
    config,
    server,
    get url() {
      return listeningUrl;
    },
    start,
    stop,
    close: stop,
    setup,
    syncAll,
    reconcile,
    poll,
    checkTaxSettings: checkTax,
    checkWebhooks,
    drain,
    status,
  };
}
