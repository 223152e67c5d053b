import type { ThrottleStatus } from "./admin-types.js";

/** Longest wait taken on a `Retry-After` hint before falling back to backoff. */
export const MAX_RETRY_AFTER_MS = 60_000;
/** Base and cap of the exponential backoff for 429, 5xx and network errors. */
export const RETRY_BASE_DELAY_MS = 1_000;
export const RETRY_MAX_DELAY_MS = 8_000;

/**
 * Delay before retry `attempt` (0-based) of a 429, 5xx or network failure. `Retry-After` is read
 * as **seconds** (Shopify's own client mistakes it for milliseconds, shopify-app-js #3364).
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | number | undefined,
  random: () => number = Math.random,
): number {
  const hinted =
    typeof retryAfter === "number"
      ? retryAfter
      : retryAfter === undefined
        ? Number.NaN
        : Number.parseFloat(retryAfter);
  if (Number.isFinite(hinted) && hinted >= 0 && hinted * 1000 <= MAX_RETRY_AFTER_MS)
    return Math.ceil(hinted * 1000);
  return Math.round(
    Math.min(RETRY_BASE_DELAY_MS * 2 ** attempt, RETRY_MAX_DELAY_MS) * (1 - 0.25 * random()),
  );
}

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

/** Sleeps `ms`, rejecting with the signal's reason when it aborts. */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
