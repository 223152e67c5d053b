import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type {
  DrainRequest,
  NeuroonClient,
  NeuroonClientOptions,
  SyncEvent,
  SyncSummary,
} from "@neuroon/core";
import type { WooStoreReader, WooStoreReaderOptions } from "../reader.js";
import { VERSION } from "../version.js";
import {
  configWarnings,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PORT,
  DEFAULT_WEBHOOK_PATH,
  deliveryUrlOf,
  type WooBridgeConfig,
} from "./config.js";
import { createBridgeClient, createBridgeReader } from "./connections.js";
import { type BridgeStatus, QueueWriteHealth, readBridgeStatus } from "./health.js";
import { createBridgeServer } from "./http-server.js";
import { type BridgeLogger, SILENT_LOGGER } from "./logger.js";
import {
  type BridgeContext,
  checkBridgeTaxSettings,
  checkBridgeWebhooks,
  pollBridge,
  reconcileBridge,
  requireConfig,
  type SetupResult,
  setupBridge,
  syncBridgeCatalog,
} from "./operations.js";
import type { PollResult, TaxSettingsCheck } from "./poller.js";
import { type BridgeResources, closeBridgeResources, openBridgeResources } from "./resources.js";
import { Scheduler } from "./scheduler.js";
import { bridgeTasks } from "./tasks.js";
import type { WebhookAction } from "./webhook-manager.js";
import { createWebhookHandler, type WebhookOutcome } from "./webhook-receiver.js";
import { type BridgeWorker, startBridgeWorker } from "./worker.js";

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
  /**
   * Delivers what is queued now (the worker does this continuously while started). Conversions
   * are resolved from the store as they are processed; a drain that throws puts what it claimed
   * back with backoff.
   */
  drain(options?: DrainRequest): Promise<SyncSummary>;
  status(): Promise<BridgeStatus>;
  /** Closes the data files without the server (after one-shot commands). Same as `stop()`. */
  close(): Promise<void>;
}

/**
 * The WooCommerce ↔ Neuroon bridge (house style rule 22: a thin factory over core and the
 * adapter): the webhook receiver, the poller, the webhook check and the nightly reconcile feed
 * core's durable queue, and core's worker loop drains it through the sync engine. Nothing is
 * opened or contacted until a method needs it.
 *
 * @example
 * const bridge = createWooBridge(loadBridgeConfig(process.env), { logger: createJsonLineLogger() });
 * installShutdownHandlers(bridge);
 * await bridge.start();
 */
export function createWooBridge(
  config: WooBridgeConfig,
  options: WooBridgeOptions = {},
): WooBridge {
  const logger = options.logger ?? SILENT_LOGGER;
  const now = options.now ?? Date.now;
  const health = new QueueWriteHealth(now);
  let reader: WooStoreReader | undefined;
  let client: NeuroonClient | undefined;
  let resources: BridgeResources | undefined;
  let listeningUrl: string | undefined;
  let worker: BridgeWorker | undefined;
  let scheduler: Scheduler | undefined;
  let stopping: Promise<void> | undefined;
  const ctx: BridgeContext = {
    config,
    logger,
    now,
    reader: () => {
      reader ??= createBridgeReader(config, options.reader);
      return reader;
    },
    client: () => {
      client ??= createBridgeClient(config, options.client);
      return client;
    },
    open: () => {
      resources ??= openBridgeResources({
        config,
        reader: ctx.reader(),
        client: ctx.client(),
        logger,
        logWarnings: options.logger !== undefined,
        onEvent: options.onEvent,
        now,
      });
      return resources;
    },
  };

  // The one-shot operations, also what the scheduler runs.
  const operations = {
    setup: (call?: { signal?: AbortSignal }) => setupBridge(ctx, call),
    syncAll: (call?: { signal?: AbortSignal }) => syncBridgeCatalog(ctx, call),
    reconcile: (call?: { force?: boolean; signal?: AbortSignal }) => reconcileBridge(ctx, call),
    poll: (call?: { signal?: AbortSignal }) => pollBridge(ctx, call),
    checkTaxSettings: (call?: { signal?: AbortSignal }) => checkBridgeTaxSettings(ctx, call),
    checkWebhooks: (call?: { signal?: AbortSignal }) => checkBridgeWebhooks(ctx, call),
  };
  const drain = (request: DrainRequest = {}) => ctx.open().engine.drain(request);
  const status = async () => await readBridgeStatus(ctx.open(), health, listeningUrl !== undefined);

  let webhookHandler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const http = createBridgeServer(
    {
      webhookPath: config.webhookPath ?? DEFAULT_WEBHOOK_PATH,
      webhook: () => webhookHandler,
      status,
    },
    logger,
  );

  const start = async (): Promise<{ url: string }> => {
    if (listeningUrl) return { url: listeningUrl };
    requireConfig(config, "serve");
    for (const warning of configWarnings(config)) logger.warn(warning);
    const { queue, store } = ctx.open();
    webhookHandler = createWebhookHandler({
      queue,
      store,
      secrets: config.woocommerce.webhookSecrets ?? [],
      maxBodyBytes: config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      logger,
      onOutcome: (outcome, statusCode, durationMs) => {
        health.record(outcome);
        options.onWebhook?.(outcome, statusCode, durationMs);
      },
    });
    listeningUrl = await http.listen(config.port ?? DEFAULT_PORT, config.host ?? "0.0.0.0");
    worker = startBridgeWorker({ config, open: ctx.open, drain, logger, now });
    scheduler = new Scheduler(bridgeTasks(config, operations), logger, now);
    scheduler.start();
    logger.info("bridge listening", {
      url: listeningUrl,
      webhookPath: config.webhookPath ?? DEFAULT_WEBHOOK_PATH,
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
        await http.close(graceMs);
      }
      await scheduler?.stop();
      // Let the worker finish the batch in hand; cancel its calls only after the grace period.
      await worker?.stop(graceMs);
      const open = resources;
      resources = undefined;
      if (open) await closeBridgeResources(open);
      if (listeningUrl) logger.info("bridge stopped");
      listeningUrl = undefined;
    })();
    return stopping;
  };

  return {
    config,
    server: http.server,
    get url() {
      return listeningUrl;
    },
    start,
    stop,
    close: stop,
    ...operations,
    drain,
    status,
  };
}
