import { MAX_SYNC_BATCH_SIZE } from "../resources/products.js";
import type { NeuroonProduct } from "../types.js";

/** A parent and its variants, parent first; a product without variants is a family of one. */
export type ProductFamily = readonly NeuroonProduct[];

/** The key a product is grouped and re-read by: its parent's externalId, or its own. */
export function familyKeyOf(product: Pick<NeuroonProduct, "externalId" | "parentExternalId">) {
  return product.parentExternalId ?? product.externalId;
}

/**
 * Groups products into families in first-seen order, each family with its parent first (the
 * API drops variants whose parent is neither stored nor earlier in the same batch).
 */
export function groupFamilies(products: readonly NeuroonProduct[]): NeuroonProduct[][] {
  const families = new Map<string, NeuroonProduct[]>();
  for (const product of products) {
    const key = familyKeyOf(product);
    const family = families.get(key);
    if (family === undefined) families.set(key, [product]);
    else if (product.externalId === key) family.unshift(product);
    else family.push(product);
  }
  return [...families.values()];
}

/**
 * Packs families into batches of at most `batchSize` products, in order. A family is never split
 * across batches unless it alone exceeds `batchSize`; then it fills whole batches of its own,
 * parent in the first one.
 */
export function planBatches(
  families: readonly ProductFamily[],
  batchSize: number = MAX_SYNC_BATCH_SIZE,
): NeuroonProduct[][] {
  assertBatchSize(batchSize);
  const batches: NeuroonProduct[][] = [];
  let current: NeuroonProduct[] = [];
  for (const family of families) {
    if (family.length === 0) continue;
    if (current.length + family.length <= batchSize) {
      current.push(...family);
      continue;
    }
    if (current.length > 0) batches.push(current);
    current = [];
    if (family.length <= batchSize) {
      current.push(...family);
      continue;
    }
    for (let start = 0; start < family.length; start += batchSize) {
      const chunk = family.slice(start, start + batchSize);
      if (chunk.length === batchSize) batches.push(chunk);
      else current = chunk;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Throws a RangeError for a batch size the API would refuse. */
export function assertBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_SYNC_BATCH_SIZE) {
    throw new RangeError(
      `batchSize must be an integer from 1 to ${MAX_SYNC_BATCH_SIZE} (the Plugin API limit); received ${String(batchSize)}.`,
    );
  }
}
