import { Buffer } from "node:buffer";
import type { IterateIdsOptions, SyncStateRecord, SyncStateStore } from "./types.js";
import {
  copyRecord,
  DEFAULT_ITERATE_BATCH_SIZE,
  validateBatchSize,
  validateRecords,
  validateShopId,
} from "./validate.js";

/**
 * An in-process {@link SyncStateStore} for tests and one-off runs; nothing survives the process.
 * Records are copied in and out, so callers cannot mutate stored state by accident.
 */
export class MemorySyncStateStore implements SyncStateStore {
  readonly shopId: string;
  readonly #records = new Map<string, SyncStateRecord>();
  readonly #meta = new Map<string, string>();

  /** Creates an empty store for `shopId`. */
  constructor(options: { shopId: string }) {
    validateShopId(options.shopId);
    this.shopId = options.shopId;
  }

  async get(externalIds: readonly string[]): Promise<Map<string, SyncStateRecord>> {
    const found = new Map<string, SyncStateRecord>();
    for (const id of externalIds) {
      const record = this.#records.get(id);
      if (record !== undefined) found.set(id, copyRecord(record));
    }
    return found;
  }

  async put(records: readonly SyncStateRecord[]): Promise<void> {
    validateRecords(records);
    for (const record of records) this.#records.set(record.externalId, copyRecord(record));
  }

  async delete(externalIds: readonly string[]): Promise<number> {
    let removed = 0;
    for (const id of new Set(externalIds)) if (this.#records.delete(id)) removed += 1;
    return removed;
  }

  async *iterateIds(options?: IterateIdsOptions): AsyncIterable<string> {
    const batchSize = options?.batchSize ?? DEFAULT_ITERATE_BATCH_SIZE;
    validateBatchSize(batchSize);
    // Same keyset walk as the SQLite store (ascending, resume after the last id), so tests that
    // delete while iterating behave the same on both.
    let after: string | undefined;
    for (;;) {
      const page = [...this.#records.keys()]
        .filter((id) => after === undefined || compareIds(id, after) > 0)
        .sort(compareIds)
        .slice(0, batchSize);
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1];
    }
  }

  async count(): Promise<number> {
    return this.#records.size;
  }

  async variantsOf(parentExternalIds: readonly string[]): Promise<string[]> {
    const parents = new Set(parentExternalIds);
    const variants: string[] = [];
    for (const record of this.#records.values()) {
      if (record.parentExternalId !== undefined && parents.has(record.parentExternalId)) {
        variants.push(record.externalId);
      }
    }
    return variants.sort(compareIds);
  }

  async getMeta<T = unknown>(key: string): Promise<T | undefined> {
    const value = this.#meta.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    // Round-trip through JSON so the memory store accepts and returns exactly what SQLite would.
    if (value === undefined) this.#meta.delete(key);
    else this.#meta.set(key, JSON.stringify(value));
  }

  async close(): Promise<void> {}
}

/** UTF-8 byte order, the order SQLite's BINARY collation gives `ORDER BY external_id`. */
function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
