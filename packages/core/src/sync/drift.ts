import type { DriftSnapshot } from "../state/types.js";
import type { NeuroonProduct } from "../types.js";

/**
 * The fields the vendor docs say to diff before overwriting (server-to-server page, "Conflict
 * detection before overwriting"). `stockStatus` is not a DTO field; `inStock` carries it.
 */
export const DRIFT_FIELDS = [
  "name",
  "price",
  "salePrice",
  "description",
  "sku",
  "stockQuantity",
  "inStock",
] as const;

export type DriftField = (typeof DRIFT_FIELDS)[number];

/** Takes the drift-relevant fields of a product, dropping absent ones. */
export function takeDriftSnapshot(product: Partial<NeuroonProduct>): DriftSnapshot {
  const snapshot: Record<string, unknown> = {};
  for (const field of DRIFT_FIELDS) {
    const value = product[field];
    if (value !== undefined && value !== null) snapshot[field] = value;
  }
  return snapshot as DriftSnapshot;
}

// Prices are decimals on the wire; tolerate float noise from a round trip through BigDecimal.
const PRICE_EPSILON = 1e-6;

function sameValue(a: unknown, b: unknown): boolean {
  const left = a === null ? undefined : a;
  const right = b === null ? undefined : b;
  if (typeof left === "number" && typeof right === "number") {
    return Math.abs(left - right) <= PRICE_EPSILON;
  }
  if (typeof left === "string" && typeof right === "string") return left.trim() === right.trim();
  return left === right;
}

/**
 * The fields in which Neuroon's copy differs from the snapshot this engine last synced: an edit
 * made outside the store (dashboard, another integration). Empty when nothing drifted.
 */
export function diffDrift(
  lastSynced: DriftSnapshot,
  remote: Partial<NeuroonProduct>,
): DriftField[] {
  return DRIFT_FIELDS.filter((field) => !sameValue(lastSynced[field], remote[field]));
}
