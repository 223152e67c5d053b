/** Longest `Retry-After` honoured; anything longer falls back to exponential backoff. */
const MAX_HINTED_DELAY_MS = 60_000;
const BASE_DELAY_MS = 1_000;
const MAX_BACKOFF_DELAY_MS = 8_000;

/**
 * Delay before retry number `attempt` (0-based): the store's `Retry-After` when it is between 0
 * and 60 s, else `min(1 s·2^attempt, 8 s)` minus up to 25 % jitter (house style rule 14).
 */
export function retryDelayMs(
  attempt: number,
  retryAfterSec: number | undefined,
  random: () => number = Math.random,
): number {
  if (
    retryAfterSec !== undefined &&
    retryAfterSec >= 0 &&
    retryAfterSec * 1000 <= MAX_HINTED_DELAY_MS
  ) {
    return retryAfterSec * 1000;
  }
  return Math.min(BASE_DELAY_MS * 2 ** attempt, MAX_BACKOFF_DELAY_MS) * (1 - 0.25 * random());
}

/** `Retry-After` as seconds (delta-seconds or an HTTP date), or undefined when absent or invalid. */
export function parseRetryAfterSec(value: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const seconds = Number.parseFloat(value);
  if (/^\s*\d+(\.\d+)?\s*$/.test(value) && Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - nowMs) / 1000);
}

/** Sleeps `ms`, rejecting with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
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
