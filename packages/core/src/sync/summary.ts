import type { SyncSummary } from "./types.js";

/**
 * A new {@link SyncSummary} with every count at 0: what a run that found nothing to do reports,
 * and the start of a running total. Each call returns a fresh object, safe to change.
 *
 * @example
 * ```ts
 * import { emptySummary, SyncIncompleteError } from "@neuroon/core";
 *
 * const error = new SyncIncompleteError("drain", emptySummary(), cause);
 * ```
 */
export function emptySummary(): SyncSummary {
  return {
    sent: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: 0,
    rejected: 0,
    conflicts: 0,
    deleted: 0,
    conversions: 0,
    requests: 0,
    syncRequests: 0,
    changes: 0,
    elapsedMs: 0,
  };
}

/** Field-by-field sum of two summaries, as a new one. */
export function addSummaries(total: SyncSummary, add: SyncSummary): SyncSummary {
  const sum = { ...total };
  for (const key of Object.keys(sum) as (keyof SyncSummary)[]) sum[key] += add[key];
  return sum;
}
