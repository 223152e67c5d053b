/**
 * The sync state store: what the engine last sent to Neuroon for each product of a shop, so it can
 * skip unchanged products (content hash) and notice when the catalog in Neuroon was changed behind
 * its back (drift snapshot). Backends: SQLite (default, may share the queue's file), in-memory
 * (tests) and Redis (`@neuroon/core/bullmq`, several machines).
 */
import type { NeuroonProduct } from "../types.js";

/** `synced`: Neuroon accepted it. `failed`: a transient error; retry. `rejected`: Neuroon refused it (validation); fix the product. */
export type SyncStatus = "synced" | "failed" | "rejected";

/**
 * The fields drift protection compares with what Neuroon holds, as last synced. Absent means the
 * product had no value for the field.
 */
export interface DriftSnapshot
  extends Partial<
    Pick<
      NeuroonProduct,
      "name" | "price" | "salePrice" | "description" | "sku" | "stockQuantity" | "inStock"
    >
  > {
  /** The platform's stock status (`instock`, `outofstock`, `onbackorder`…), when it has one. */
  stockStatus?: string;
}

/** The sync state of one product of one shop. */
export interface SyncStateRecord {
  externalId: string;
  /** Stable hash of the mapped product as last sent; equal hash = nothing to sync. */
  contentHash: string;
  /** Drift fields as last sent. */
  snapshot?: DriftSnapshot;
  /** Epoch ms of the last sync attempt this record describes. */
  syncedAt: number;
  /** Set on variants, so deleting a parent can find its children. */
  parentExternalId?: string;
  status: SyncStatus;
  /** Why the last sync failed or was rejected; absent when `synced`. */
  reason?: string;
}

/** Options for {@link SyncStateStore.iterateIds}. */
export interface IterateIdsOptions {
  /** Ids read per round trip; memory use is bounded by this. Default 1 000. */
  batchSize?: number;
}

/**
 * Per-shop sync state, keyed by externalId. A store instance is bound to one shop; several shops
 * may share one database. The engine records here what Neuroon holds (content hash, status,
 * parent, drift snapshot) so unchanged products are skipped, deletions find their variants and
 * reconcile knows what it synced. Built in: `MemorySyncStateStore`, `SqliteSyncStateStore`
 * (`openSqliteStateStore`) and the Redis store in `@neuroon/core/bullmq`; a custom backend
 * implements this interface and passes the state-store conformance suite.
 *
 * @example
 * const state = openSqliteStateStore({ path: "./data/neuroon.db", shopId: "shop_123" });
 * const records = await state.get(["sku-1"]);
 * console.log(records.get("sku-1")?.contentHash); // what was last confirmed as sent
 * for await (const id of state.iterateIds({ batchSize: 1_000 })) audit(id);
 */
export interface SyncStateStore {
  /** The shop this store reads and writes. */
  readonly shopId: string;
  /** Looks up records; ids without a record are absent from the map. */
  get(externalIds: readonly string[]): Promise<Map<string, SyncStateRecord>>;
  /** Inserts or replaces records, all or none (one transaction). */
  put(records: readonly SyncStateRecord[]): Promise<void>;
  /** Removes records; returns how many existed. */
  delete(externalIds: readonly string[]): Promise<number>;
  /**
   * Streams every externalId in ascending order, a batch at a time, for orphan detection. Records
   * added or removed during iteration may or may not be seen, but no id is seen twice.
   */
  iterateIds(options?: IterateIdsOptions): AsyncIterable<string>;
  count(): Promise<number>;
  /**
   * externalIds of the records whose `parentExternalId` is one of these, ascending. Optional so a
   * custom store may leave it out; every store in this package has it, backed by an index.
   */
  variantsOf?(parentExternalIds: readonly string[]): Promise<string[]>;
  /** Run metadata (last reconcile time, resume cursor of a full pass…), JSON-serialisable. */
  getMeta<T = unknown>(key: string): Promise<T | undefined>;
  /** Sets run metadata; `undefined` removes the key. */
  setMeta(key: string, value: unknown): Promise<void>;
  close(): Promise<void>;
}
