import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type CatalogSource,
  type NeuroonClient,
  openSqliteQueue,
  openSqliteStateStore,
  type SqliteChangeQueue,
  type SqliteSyncStateStore,
  SyncEngine,
  type SyncEvent,
} from "@neuroon/core";
import { createWooCatalogSource, type WooCatalogWarning } from "../catalog-source.js";
import { DEFAULT_PAID_STATUSES } from "../conversions.js";
import type { WooStoreReader } from "../reader.js";
import { BridgeStore } from "./bridge-store.js";
import { BridgeConfigError, dataDirOf, type WooBridgeConfig } from "./config.js";
import { bridgeEngineEvents } from "./engine-events.js";
import { type BridgeLogger, errorMessage } from "./logger.js";

/** The SQLite file in the data dir: queue, sync state and the bridge's delivery log. */
export const DATABASE_FILE_NAME = "neuroon-woocommerce.db";

/** What the bridge keeps open in its data dir, and the engine working over it. */
export interface BridgeResources {
  queue: SqliteChangeQueue;
  state: SqliteSyncStateStore;
  store: BridgeStore;
  engine: SyncEngine;
}

/** What {@link openBridgeResources} builds the engine from. */
export interface BridgeResourceOptions {
  config: WooBridgeConfig;
  reader: WooStoreReader;
  client: NeuroonClient;
  logger: BridgeLogger;
  /**
   * Whether the host gave a logger. Without one (the CLI's sync and reconcile) the catalog
   * source's default, a process warning on stderr, still tells the operator that protected
   * products are being synced.
   */
  logWarnings: boolean;
  onEvent?: ((event: SyncEvent) => void) | undefined;
  now: () => number;
}

/** The engine's retry curve from the configuration (the bridge's defaults are core's). */
export function engineRetryOf(config: WooBridgeConfig) {
  return {
    maxAttempts: config.engine?.retry?.maxAttempts ?? 8,
    baseDelayMs: config.engine?.retry?.baseDelayMs ?? 1_000,
    maxDelayMs: config.engine?.retry?.maxDelayMs ?? 300_000,
  };
}

/**
 * Creates the data dir and opens the queue, the sync state and the delivery log in its SQLite
 * file, with a sync engine over them. A data dir that cannot be created is a configuration error.
 */
export function openBridgeResources(options: BridgeResourceOptions): BridgeResources {
  const { config, logger, now } = options;
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
  const engine = new SyncEngine({
    client: options.client,
    queue,
    state,
    source: bridgeCatalogSource(options, store),
    ...(config.engine?.batchSize !== undefined ? { batchSize: config.engine.batchSize } : {}),
    ...(config.engine?.maxDeleteRatio !== undefined
      ? { reconcile: { maxDeleteRatio: config.engine.maxDeleteRatio } }
      : {}),
    retry: engineRetryOf(config),
    ...(config.engine?.leaseMs !== undefined ? { claim: { leaseMs: config.engine.leaseMs } } : {}),
    onEvent: bridgeEngineEvents(store, logger, options.onEvent),
    now,
  });
  return { queue, state, store, engine };
}

/** Closes what {@link openBridgeResources} opened. */
export async function closeBridgeResources(resources: BridgeResources): Promise<void> {
  resources.store.close();
  await resources.state.close();
  await resources.queue.close();
}

/**
 * The WooCommerce catalog source, whose conversions skip orders the delivery log says were
 * reported already (a re-delivered `order.updated` after the report went out).
 */
function bridgeCatalogSource(options: BridgeResourceOptions, store: BridgeStore): CatalogSource {
  const { config, logger } = options;
  const conversions = config.conversions;
  const source = createWooCatalogSource(options.reader, {
    brandSource: config.woocommerce.brandSource ?? "core",
    onMappingError: (productId, error) =>
      logger.warn("product skipped: cannot be mapped", { productId, error: errorMessage(error) }),
    ...(options.logWarnings
      ? {
          onWarning: (warning: WooCatalogWarning) =>
            logger.warn(warning.message, { code: warning.code }),
        }
      : {}),
    conversions: {
      ...(conversions?.orderMetaKeys ? { metaKeys: conversions.orderMetaKeys } : {}),
      ...(conversions?.lineMetaKeys ? { lineMetaKeys: conversions.lineMetaKeys } : {}),
      paidStatuses: conversions?.paidStatuses ?? DEFAULT_PAID_STATUSES,
    },
  });
  const resolve = source.resolveConversion;
  if (resolve === undefined) return source;
  return {
    ...source,
    resolveConversion: async (change, signal) =>
      store.isOrderReported(change.key)
        ? { status: "skip", reason: "already-reported" }
        : await resolve(change, signal),
  };
}
