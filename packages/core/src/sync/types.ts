import type { ChangeKind, ChangeQueue } from "../queue/types.js";
import type { DriftSnapshot, SyncStateStore } from "../state/types.js";
import type {
  NeuroonProduct,
  ProductCursorPage,
  ProductPage,
  StoredProduct,
  SyncProductsRequest,
  SyncProductsResponse,
  TrackConversionRequest,
} from "../types.js";
import type { DriftField } from "./drift.js";

/**
 * What a store adapter (Shopify, Medusa, WooCommerce, a feed) gives the sync engine. Keys are
 * parent externalIds: a product without variants is its own parent. Throw a `StoreError` (or a
 * subclass) for store failures, so the engine honours `retryAfterMs` and `isRetryable`. Check an
 * implementation with `runCatalogSourceConformance` from `@neuroon/core/testing`.
 *
 * @example
 * const source: CatalogSource = {
 *   async readProducts(keys, signal) {
 *     const found = await shop.getProducts(keys, { signal }); // your platform client
 *     const products = found.flatMap((p) => [mapParent(p), ...p.variants.map(mapVariant)]);
 *     const missing = keys.filter((key) => !found.some((p) => String(p.id) === key));
 *     return { products, missing };
 *   },
 *   async *streamCatalog(signal) {
 *     for await (const page of shop.pageProducts({ pageSize: 100, signal })) {
 *       yield page.flatMap((p) => [mapParent(p), ...p.variants.map(mapVariant)]);
 *     }
 *   },
 * };
 */
export interface CatalogSource {
  /**
   * Re-reads these products from the store: the Neuroon products to index (parents and their
   * variants, already mapped) and the keys the store no longer has or no longer indexes (deleted,
   * draft, unpublished). A key may appear in neither when it is a variant id the store resolves
   * under its parent.
   */
  readProducts(
    keys: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ products: NeuroonProduct[]; missing: string[] }>;
  /**
   * Streams the whole indexable catalog page by page in bounded memory, each variant in the same
   * page as its parent or a later one.
   */
  streamCatalog(signal?: AbortSignal): AsyncIterable<readonly NeuroonProduct[]>;
  /**
   * Optional: turns a queued `conversion` change that names an order (its payload is not already
   * a `TrackConversionRequest`, e.g. only the order id a webhook carried) into the report to send.
   * The engine calls it when it processes the change, so what is reported is the order as the
   * store has it then, never a stale or forged webhook body. Answer `{ status: "skip", reason }`
   * for an order that is not to be reported (unpaid, deleted, no search clicks): the change is
   * acked and a `conversion-skipped` event says why. Throw (a `StoreError`) when the order cannot
   * be read: the change is put back with backoff, honouring `retryAfterMs`, so an outage delays
   * the report and loses nothing. Without this method such a change is dead-lettered.
   *
   * @example
   * async resolveConversion({ key }, signal) {
   *   const order = await shop.getOrder(Number(key), { signal }); // undefined when deleted
   *   if (order === undefined) return { status: "skip", reason: "not-found" };
   *   if (order.status !== "paid") return { status: "skip", reason: "not-paid" };
   *   return { status: "report", request: toTrackConversionRequest(order) };
   * }
   */
  resolveConversion?(
    change: ConversionToResolve,
    signal?: AbortSignal,
  ): Promise<ConversionResolution>;
}

/** The queued `conversion` change {@link CatalogSource.resolveConversion} is asked about. */
export interface ConversionToResolve {
  /** The change's key: the order's id in the store (one report per order). */
  key: string;
  /** What was enqueued with the change, e.g. `{ wooOrderId: 42 }`. */
  payload: unknown;
  /** Delivery attempts made so far (0 on the first). */
  attempts: number;
}

/** What {@link CatalogSource.resolveConversion} decided for one order. */
export type ConversionResolution =
  | { status: "report"; request: TrackConversionRequest }
  | { status: "skip"; reason: string };

/** Per-call options the engine passes to the client. */
export interface SyncCallOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** An awaitable first page that also iterates items and pages (house style rule 17). */
export interface SyncPageList<TItem, TPage> extends PromiseLike<TPage>, AsyncIterable<TItem> {
  pages(): AsyncIterable<TPage>;
}

/**
 * The slice of `NeuroonClient` the engine calls. Narrow on purpose: tests pass the real client
 * pointed at the emulator, or a hand-written double.
 */
export interface SyncApi {
  products: {
    sync(request: SyncProductsRequest, options?: SyncCallOptions): Promise<SyncProductsResponse>;
    delete(externalId: string, options?: SyncCallOptions): Promise<unknown>;
    /**
     * Optional: one product by externalId (404 when absent). With it, the drift check reads a few
     * changed products by id when that is cheaper than paging everything modified since the last
     * scan; without it, it always pages.
     */
    get?(externalId: string, options?: SyncCallOptions): Promise<StoredProduct>;
    list(params?: {
      page?: number;
      size?: number;
      sort?: string;
      modifiedAfter?: string | Date;
      signal?: AbortSignal;
    }): SyncPageList<StoredProduct, ProductPage>;
    listByCursor(params?: {
      cursor?: string;
      limit?: number;
      signal?: AbortSignal;
    }): SyncPageList<StoredProduct, ProductCursorPage>;
  };
  conversions: {
    track(request: TrackConversionRequest, options?: SyncCallOptions): Promise<unknown>;
  };
  /** Neuroon's clock as seen by the client; without it the drift scan assumes a minute of skew. */
  serverClock?: { behindByMs(): number | undefined; leastBehindByMs?(): number | undefined };
}

/** `prepareBatch()`'s result: products ready to send and the ones refused locally, with why. */
export interface PreparedProducts {
  valid: NeuroonProduct[];
  /** `externalId` is undefined when the product had no usable one. */
  rejected: { externalId: string | undefined; index?: number; issues: readonly unknown[] }[];
}

export type DriftPolicy = "keep-remote" | "overwrite";

/**
 * What a {@link SyncEngine} is built from: the Neuroon client, the queue, the sync state, the
 * store (`source`) and the shop id, plus tuning (batch size, retry curve, drift policy, safety
 * valve) and hooks (`onEvent`, clock, jitter and sleep for tests). Only the first five are required.
 *
 * @example
 * const engine = new SyncEngine({
 *   client: new NeuroonClient({ shopId, apiKey }),
 *   queue: openSqliteQueue({ path: "./data/neuroon.db" }),
 *   state: openSqliteStateStore({ path: "./data/neuroon.db", shopId }),
 *   source: createWooCatalogSource(reader),
 *   shopId,
 *   retry: { maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 300_000 },
 *   onEvent: (event) => event.type === "rejected" && log.warn(event),
 * });
 */
export interface SyncEngineOptions {
  client: SyncApi;
  queue: ChangeQueue;
  state: SyncStateStore;
  source: CatalogSource;
  /**
   * The shop's id, which `resetCatalog()` requires as confirmation. Defaults to `state.shopId`;
   * when given, it must match it.
   */
  shopId?: string;
  /** Products per sync request, 1..500. Default 500. */
  batchSize?: number;
  drift?: {
    /** `keep-remote` (default) skips and reports a product edited in Neuroon; `overwrite` sends it anyway. */
    policy?: DriftPolicy;
    /**
     * How far before the previous scan (or the last sync) a drift scan lists remote changes, to
     * cover the difference between Neuroon's clock and ours. Default: measured from Neuroon's
     * `Date` headers (the lag plus 10 s), or 60 000 before any response has one.
     */
    clockSkewMs?: number;
  };
  reconcile?: {
    /** Largest share of Neuroon's catalog one reconcile may delete without `force`. Default 0.1. */
    maxDeleteRatio?: number;
  };
  retry?: {
    /** Delivery attempts before a change becomes a dead letter. Default 8. */
    maxAttempts?: number;
    /** First retry delay; doubles per attempt, with jitter. Default 1 000. */
    baseDelayMs?: number;
    /** Cap on the retry delay. Default 300 000. */
    maxDelayMs?: number;
  };
  /** How many changes one claim takes and how long they are leased. */
  claim?: { limit?: number; leaseMs?: number };
  /** Parallel DELETE requests. Default 4. */
  deleteConcurrency?: number;
  /** Local validation; defaults to `prepareBatch` from the mapping module. */
  prepare?: (products: readonly NeuroonProduct[]) => PreparedProducts;
  /** Clock, epoch ms. */
  now?: () => number;
  /** Progress and report events; must not throw. */
  onEvent?: (event: SyncEvent) => void;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** The waits of `runWorker` (idle sleeps, coalescing window); default core's `sleep`. It may resolve or reject when the signal aborts: the worker stops either way. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

export type SyncPhase = "drain" | "full-sync" | "reconcile" | "reset";

/**
 * What the engine reports through `onEvent` while it works: progress, each batch sent, products
 * rejected (locally or by Neuroon) or left alone because of drift, deletions, conversions, retries
 * and dead letters, and errors a worker survived. A discriminated union on `type`; the handler must
 * not throw.
 *
 * @example
 * onEvent(event) {
 *   switch (event.type) {
 *     case "rejected": log.warn(`${event.externalId} refused: ${event.reason}`); break;
 *     case "retry": if (event.outcome === "dead") alert(`${event.key} dead-lettered: ${event.error}`); break;
 *     case "error": log.error(`${event.phase} failed`, event.error); break;
 *   }
 * }
 */
export type SyncEvent =
  | { type: "progress"; phase: SyncPhase; done: number; total?: number }
  | {
      type: "batch-sent";
      phase: SyncPhase;
      size: number;
      created: number;
      updated: number;
      failed: number;
      durationMs: number;
    }
  | {
      type: "conflict";
      externalId: string;
      fields: DriftField[];
      remote: DriftSnapshot;
      lastSynced: DriftSnapshot;
      resolution: "kept-remote" | "overwritten";
    }
  | { type: "rejected"; externalId: string; reason: string; by: "local" | "server" }
  | {
      type: "deleted";
      externalId: string;
      reason: "store-deleted" | "variant-removed" | "reconcile";
      /** The product was already gone from Neuroon (404). */
      alreadyGone: boolean;
      /**
       * The sync state held the product: this engine had sent it to Neuroon. False for a delete
       * of something never synced (a store webhook for a draft, or for a product that never
       * existed); the DELETE is sent all the same, since the state may have been lost while
       * Neuroon kept the product, and a Neuroon that answers 204 for a missing product cannot
       * tell `alreadyGone`.
       */
      wasSynced: boolean;
    }
  | { type: "conversion"; orderId: string }
  /** `CatalogSource.resolveConversion` decided the order is not to be reported; the change was acked. */
  | { type: "conversion-skipped"; key: string; reason: string }
  | {
      type: "retry";
      changeId: string;
      kind: ChangeKind;
      key: string;
      error: string;
      outcome: "retrying" | "dead";
      delayMs: number;
    }
  | { type: "error"; phase: SyncPhase; error: unknown };

/** What one run did. Counts are products unless named otherwise. */
export interface SyncSummary {
  /** Products in sync requests Neuroon accepted. */
  sent: number;
  created: number;
  updated: number;
  /** Skipped because their content hash matched the last synced one. */
  unchanged: number;
  /**
   * `drain`: changes put back for a later attempt or dead-lettered. `fullSync`, `resetCatalog`,
   * `reconcile`: products not sent or not deleted because Neuroon failed.
   */
  failed: number;
  /** Refused locally or by Neuroon. */
  rejected: number;
  /** Edited in Neuroon since the last sync. */
  conflicts: number;
  deleted: number;
  conversions: number;
  /** Calls made to Neuroon (the client's own retries of one call count once). */
  requests: number;
  /** Sync requests among `requests`. */
  syncRequests: number;
  /** Changes claimed from the queue. */
  changes: number;
  elapsedMs: number;
}
