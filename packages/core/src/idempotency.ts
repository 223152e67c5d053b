import { createHash, randomUUID } from "node:crypto";
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
  const payloadDigest = createHash("sha256").update(canonicalJson(products)).digest("hex");
  const material = JSON.stringify([shopId, syncType, externalIds, payloadDigest]);
  return `${IDEMPOTENCY_KEY_PREFIX}${createHash("sha256").update(material).digest("hex")}`;
}

/**
 * JSON with object keys sorted and `undefined` members dropped, so the digest depends on the
 * data and not on the order a mapper happened to assign properties in. Array order is kept: it
 * is what goes on the wire (parents before variants).
 */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
  return `{${members.join(",")}}`;
}
