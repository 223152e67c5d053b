import type { SyncStateRecord, SyncStatus } from "./types.js";

/** Default page size of `iterateIds`. */
export const DEFAULT_ITERATE_BATCH_SIZE = 1_000;

const STATUSES: readonly SyncStatus[] = ["synced", "failed", "rejected"];

/** Rejects records that would corrupt change detection, before any of a batch is written. */
export function validateRecords(records: readonly SyncStateRecord[]): void {
  for (const record of records) {
    if (typeof record.externalId !== "string" || record.externalId.length === 0) {
      throw new TypeError(
        `SyncStateRecord externalId must be a non-empty string, received ${String(record.externalId)}`,
      );
    }
    if (typeof record.contentHash !== "string") {
      throw new TypeError(
        `SyncStateRecord ${record.externalId}: contentHash must be a string, received ${typeof record.contentHash}`,
      );
    }
    if (!Number.isFinite(record.syncedAt)) {
      throw new TypeError(
        `SyncStateRecord ${record.externalId}: syncedAt must be epoch ms, received ${String(record.syncedAt)}`,
      );
    }
    if (!STATUSES.includes(record.status)) {
      throw new TypeError(
        `SyncStateRecord ${record.externalId}: status must be one of ${STATUSES.join(", ")}, received ${String(record.status)}`,
      );
    }
  }
}

/** Rejects a batch size that would read nothing or everything at once. */
export function validateBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`iterateIds batchSize must be a positive integer, received ${batchSize}`);
  }
}

/** Rejects a shop id that would make every shop's rows collide. */
export function validateShopId(shopId: string): void {
  if (typeof shopId !== "string" || shopId.length === 0) {
    throw new TypeError(`shopId must be a non-empty string, received ${String(shopId)}`);
  }
}

/** A copy with only the record's known fields, so callers' objects are never aliased or leaked. */
export function copyRecord(record: SyncStateRecord): SyncStateRecord {
  const copy: SyncStateRecord = {
    externalId: record.externalId,
    contentHash: record.contentHash,
    syncedAt: record.syncedAt,
    status: record.status,
  };
  if (record.snapshot !== undefined) copy.snapshot = structuredClone(record.snapshot);
  if (record.parentExternalId !== undefined) copy.parentExternalId = record.parentExternalId;
  if (record.reason !== undefined) copy.reason = record.reason;
  return copy;
}
