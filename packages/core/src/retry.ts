/**
 * The retry policy as pure functions (house style rule 14): what is retried, how long to wait.
 * Contract §4: retry only 429 and 5xx (plus connection failures and timeouts), honour
 * `Retry-After`, otherwise back off 1 s, 2 s, 4 s, 8 s with jitter.
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

/**
 * Exponential backoff for the `retryNumber`-th retry (1-based): 1 s, 2 s, 4 s, 8 s, 8 s …, each
 * reduced by up to 25 % jitter. `random` returns a number in [0, 1).
 */
export function backoffDelayMs(retryNumber: number, random: () => number = Math.random): number {
  const base = Math.min(
    INITIAL_RETRY_DELAY_MS * 2 ** Math.max(0, retryNumber - 1),
    MAX_RETRY_DELAY_MS,
  );
  return Math.round(base * (1 - JITTER_RATIO * random()));
}

/** The server's hint when it gave one, else {@link backoffDelayMs}. */
export function retryDelayMs(
  retryNumber: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  return retryAfterMs ?? backoffDelayMs(retryNumber, random);
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
  return { retry: true, delayMs: retryDelayMs(context.retryNumber, hinted, context.random) };
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
