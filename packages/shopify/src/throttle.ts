import type { ThrottleStatus } from "./admin-types.js";

/**
 * Wait until the bucket holds `needed` points: `(needed − available) / restoreRate` seconds, at
 * least `minMs`. Used after a `THROTTLED` answer (HTTP 200) and to pace the next request.
 */
export function throttleWaitMs(status: ThrottleStatus, needed: number, minMs = 0): number {
  const rate = status.restoreRate > 0 ? status.restoreRate : 50;
  const target = Math.min(needed, status.maximumAvailable);
  const missing = target - status.currentlyAvailable;
  return Math.max(minMs, missing > 0 ? Math.ceil((missing / rate) * 1000) : 0);
}

/** The bucket `elapsedMs` after it was observed, refilled at `restoreRate` points per second. */
export function projectBucket(status: ThrottleStatus, elapsedMs: number): ThrottleStatus {
  return {
    ...status,
    currentlyAvailable: Math.min(
      status.maximumAvailable,
      status.currentlyAvailable + (status.restoreRate * Math.max(0, elapsedMs)) / 1000,
    ),
  };
}
