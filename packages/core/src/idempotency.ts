import { hash, randomUUID } from "node:crypto";
import { stableStringify } from "./sync/stable-hash.js";
import type { NeuroonProduct, SyncType } from "./types.js";

/** Prefix of every key this package generates, so they are recognisable in server logs. */
export const IDEMPOTENCY_KEY_PREFIX = "nrn-";

/** A fresh random key for one logical call (reused by every retry of that call). */
export function randomIdempotencyKey(): string {
  return `${IDEMPOTENCY_KEY_PREFIX}${randomUUID()}`;
}

/**
 * The default `X-Idempotency-Key` of a sync batch: `nrn-` + sha256 hex over the shop, the sync
 * type, the sorted `externalId`s and a digest of the payload. Re-sending the same batch (a cron
 * re-run, a retry after a crash) yields the same key; a changed product in the same id set
 * yields a different one, so an update is never deduplicated away.
 */
export function defaultSyncIdempotencyKey(
  shopId: string,
  syncType: SyncType,
  products: readonly NeuroonProduct[],
): string {
  const externalIds = products.map((product) => product.externalId).sort();
  const payloadDigest = hash("sha256", stableStringify(products), "hex");
  const material = JSON.stringify([shopId, syncType, externalIds, payloadDigest]);
  return `${IDEMPOTENCY_KEY_PREFIX}${hash("sha256", material, "hex")}`;
}
