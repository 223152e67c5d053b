/**
 * The retry policy as pure functions (house style rule 14): what is retried, how long to wait,
 * and the one abortable wait. Contract §4: retry only 429 and 5xx (plus connection failures and
 * timeouts), honour `Retry-After`, otherwise back off 1 s, 2 s, 4 s, 8 s with jitter.
 *
 * This is the only copy: the client, the sync engine, the worker loop and every adapter (store
 * readers, queue backoff) take their delays and waits from here, so a fix reaches all of them.
 */

/** Retries after the first attempt, so 3 attempts in all. */
export const DEFAULT_MAX_RETRIES = 2;
/** Backoff before the first retry. */
export const INITIAL_RETRY_DELAY_MS = 1_000;
/** Backoff never grows beyond this. */
export const MAX_RETRY_DELAY_MS = 8_000;
/** Longest `Retry-After` the client sleeps through; beyond it the 429 goes back to the caller. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
/** Share of the backoff that jitter may remove, so many clients do not retry in lockstep. */
const JITTER_RATIO = 0.25;

/** Why an attempt failed, as far as the policy cares. */
export type AttemptFailure =
  | { kind: "status"; status: number; retryAfterMs?: number | undefined }
  | { kind: "connection" }
  | { kind: "timeout" };

/** 408, 429 and every 5xx may succeed when sent again; other statuses never will. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Whether the failure kind is transient. The attempt budget is checked by {@link decideRetry}. */
export function shouldRetry(failure: AttemptFailure): boolean {
  return failure.kind !== "status" || isRetryableStatus(failure.status);
}

/** The curve of {@link backoffDelayMs}; every field has the Neuroon client's default. */
export interface BackoffOptions {
  /** Delay before the first retry. Default {@link INITIAL_RETRY_DELAY_MS}. */
  initialDelayMs?: number | undefined;
  /** The delay never grows beyond this. Default {@link MAX_RETRY_DELAY_MS}. */
  maxDelayMs?: number | undefined;
  /** Jitter source returning a number in [0, 1). Default `Math.random`. */
  random?: (() => number) | undefined;
}

/**
 * Exponential backoff for the `retryNumber`-th retry (1-based): `initialDelayMs · 2^(n−1)` capped
 * at `maxDelayMs` (1 s, 2 s, 4 s, 8 s, 8 s … by default), reduced by up to 25 % jitter so many
 * clients do not retry in lockstep. Rounded to whole milliseconds.
 *
 * @example
 * // A queue's retry schedule: 30 s, 60 s, … capped at 1 h.
 * const delayMs = backoffDelayMs(change.attempts + 1, { initialDelayMs: 30_000, maxDelayMs: 3_600_000 });
 */
export function backoffDelayMs(retryNumber: number, options: BackoffOptions = {}): number {
  const initialDelayMs = options.initialDelayMs ?? INITIAL_RETRY_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? MAX_RETRY_DELAY_MS;
  const random = options.random ?? Math.random;
  const base = Math.min(initialDelayMs * 2 ** Math.max(0, retryNumber - 1), maxDelayMs);
  return Math.round(base * (1 - JITTER_RATIO * random()));
}

/**
 * The server's `Retry-After` hint when it gave one between 0 and `maxRetryAfterMs` (default
 * 60 s), else {@link backoffDelayMs} for the `retryNumber`-th retry (1-based). A longer hint falls
 * back to backoff here; {@link decideRetry} instead hands such a 429 back to the caller.
 *
 * @example
 * const waitMs = retryDelayMs(attempt + 1, parseRetryAfterMs(headers["retry-after"], Date.now()));
 */
export function retryDelayMs(
  retryNumber: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
  maxRetryAfterMs: number = DEFAULT_MAX_RETRY_AFTER_MS,
): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0 && retryAfterMs <= maxRetryAfterMs) {
    return retryAfterMs;
  }
  return backoffDelayMs(retryNumber, { random });
}

/** Inputs of {@link decideRetry}. */
export interface RetryContext {
  /** Number of the retry that would follow (1 after the first failed attempt). */
  retryNumber: number;
  maxRetries: number;
  maxRetryAfterMs: number;
  random?: () => number;
}

/** The outcome of {@link decideRetry}. */
export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: "not-retryable" | "exhausted" | "retry-after-too-long" };

/**
 * Whether to send again and after how long. A `Retry-After` beyond `maxRetryAfterMs` is not
 * slept through: a worker blocked for minutes is worse than handing the 429 back to a queue that
 * can reschedule the job.
 */
export function decideRetry(failure: AttemptFailure, context: RetryContext): RetryDecision {
  if (!shouldRetry(failure)) return { retry: false, reason: "not-retryable" };
  if (context.retryNumber > context.maxRetries) return { retry: false, reason: "exhausted" };
  const hinted = failure.kind === "status" ? failure.retryAfterMs : undefined;
  if (hinted !== undefined && hinted > context.maxRetryAfterMs) {
    return { retry: false, reason: "retry-after-too-long" };
  }
  return {
    retry: true,
    delayMs: retryDelayMs(context.retryNumber, hinted, context.random, context.maxRetryAfterMs),
  };
}

/**
 * Milliseconds to wait from a `Retry-After` value: delta-seconds (fractions tolerated) or an HTTP
 * date (RFC 9110 §10.2.3). `undefined` when absent or unparseable; a past date gives 0.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number.parseFloat(trimmed) * 1000);
  // A date names a weekday or month; this keeps Date.parse from accepting "-1" or "2026".
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const dateMs = Date.parse(trimmed);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}

/**
 * Waits `ms` milliseconds. When `signal` aborts first (or is already aborted) the promise
 * **rejects with `signal.reason`**, as `fetch` and `AbortSignal.throwIfAborted()` do, so code after
 * the wait never runs for a cancelled operation. Loops that stop quietly on abort catch it and
 * check `signal.aborted`. The timer is cleared and the listener removed either way.
 *
 * @example
 * await sleep(retryDelayMs(attempt + 1, hintMs), signal); // throws signal.reason on abort
 */
export function sleep(ms: number, signal?: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
