import type { RateBucket, RateLimitRule, RateLimitsOption } from "./types.js";

const MINUTE_MS = 60_000;

/** The documented per-endpoint limits (contract §4). */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateBucket, RateLimitRule>> = {
  sync: { limit: 100, windowMs: MINUTE_MS },
  "shop-info": { limit: 60, windowMs: MINUTE_MS },
  verification: { limit: 20, windowMs: MINUTE_MS },
  "verify-action": { limit: 5, windowMs: 5 * MINUTE_MS },
  "unverify-action": { limit: 5, windowMs: 5 * MINUTE_MS },
  other: { limit: 100, windowMs: MINUTE_MS },
};

/** The outcome of counting one request. */
export type RateDecision =
  | { readonly allowed: true; readonly limit: number; readonly remaining: number }
  | { readonly allowed: false; readonly limit: number; readonly retryAfterSec: number };

/** Resolves the `rateLimits` option into one rule per bucket, or `null` when disabled. */
export function resolveRateLimits(
  option: RateLimitsOption | undefined,
): Readonly<Record<RateBucket, RateLimitRule>> | null {
  if (option === false) return null;
  if (option === undefined || option === "real") return DEFAULT_RATE_LIMITS;
  const scale = option.scale ?? 1;
  if (!(scale > 0 && Number.isFinite(scale))) {
    throw new RangeError(`rateLimits.scale must be a positive number, received ${scale}.`);
  }
  const rules = {} as Record<RateBucket, RateLimitRule>;
  for (const bucket of Object.keys(DEFAULT_RATE_LIMITS) as RateBucket[]) {
    const base = DEFAULT_RATE_LIMITS[bucket];
    const override = option.buckets?.[bucket];
    rules[bucket] = {
      limit: override?.limit ?? base.limit,
      windowMs: override?.windowMs ?? Math.max(1, Math.round(base.windowMs * scale)),
    };
  }
  return rules;
}

/** Fixed-window counters per (shopId, bucket), as the contract's `EMU` note recommends. */
export class RateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(private readonly rules: Readonly<Record<RateBucket, RateLimitRule>>) {}

  /** Counts one request and says whether it may proceed. */
  take(shopId: string, bucket: RateBucket, nowMs: number): RateDecision {
    const rule = this.rules[bucket];
    const key = `${shopId}\u0000${bucket}`;
    let window = this.windows.get(key);
    if (window === undefined || nowMs - window.startMs >= rule.windowMs) {
      window = { startMs: nowMs, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= rule.limit) {
      // Retry-After is whole seconds until the window resets, at least 1 (never "retry now").
      const retryAfterSec = Math.max(1, Math.ceil((window.startMs + rule.windowMs - nowMs) / 1000));
      return { allowed: false, limit: rule.limit, retryAfterSec };
    }
    window.count += 1;
    return { allowed: true, limit: rule.limit, remaining: rule.limit - window.count };
  }

  reset(): void {
    this.windows.clear();
  }
}
