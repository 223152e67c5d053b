import { parseRetryAfterMs } from "./retry.js";

/**
 * Client-side pacing per rate-limit bucket (contract §4), so a well-behaved integration never
 * sees a 429. Each bucket keeps a sliding-window log of send times: at most `limit` sends start
 * in any `windowMs` interval, which also keeps the client inside any fixed window the server
 * counts in. `X-RateLimit-Limit`/`X-RateLimit-Remaining` tighten the budget when other processes
 * share the key.
 */

/** The server's buckets for the Plugin API. */
export type RateLimitBucket =
  | "sync"
  | "shopInfo"
  | "verification"
  | "verifyAction"
  | "unverifyAction"
  | "other";

/** At most `limit` requests start in any `windowMs` interval. */
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

/** Per-bucket overrides; omitted buckets keep {@link DEFAULT_RATE_LIMITS}. */
export type RateLimitsOptions = Partial<Record<RateLimitBucket, RateLimitRule>>;

const ONE_MINUTE_MS = 60_000;
const FIVE_MINUTES_MS = 5 * ONE_MINUTE_MS;

/** The documented server limits (contract §4). */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitBucket, Readonly<RateLimitRule>>> =
  Object.freeze({
    sync: Object.freeze({ limit: 100, windowMs: ONE_MINUTE_MS }),
    shopInfo: Object.freeze({ limit: 60, windowMs: ONE_MINUTE_MS }),
    verification: Object.freeze({ limit: 20, windowMs: ONE_MINUTE_MS }),
    verifyAction: Object.freeze({ limit: 5, windowMs: FIVE_MINUTES_MS }),
    unverifyAction: Object.freeze({ limit: 5, windowMs: FIVE_MINUTES_MS }),
    other: Object.freeze({ limit: 100, windowMs: ONE_MINUTE_MS }),
  });

/**
 * Extra wait before a send takes the slot of one that left the window. A server counts a request
 * when it arrives, and two requests' trips can differ by this much: without it, the first send of
 * a new window could arrive just before the server's window ends and be refused for a whole
 * window (`Retry-After` is the window length).
 */
export const ARRIVAL_GUARD_MS = 250;

/** Sleeps `ms`, rejecting early when `signal` aborts. */
export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Clock and sleep of a limiter; injected so tests run on virtual time. */
export interface LimiterTiming {
  now: () => number;
  sleep: SleepFunction;
}

/** A request that waits for its rate-limit bucket's window: which bucket, and for how long. */
export interface RateLimitWaitEvent {
  bucket: RateLimitBucket;
  waitMs: number;
}

/** Identifies one send so a later response can be matched to it. */
export interface RateLimitTicket {
  readonly sequence: number;
  /** When the send was granted, on the limiter's clock. */
  readonly startedAt: number;
}

interface Waiter {
  resolve: (ticket: RateLimitTicket) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** One bucket: a FIFO queue in front of a sliding-window log. */
export class SlidingWindowLimiter {
  readonly #windowMs: number;
  readonly #timing: LimiterTiming;
  readonly #guardMs: number;
  #limit: number;
  /** Start times of recent sends, ascending. */
  #log: number[] = [];
  #queue: Waiter[] = [];
  #pumping = false;
  #pumpSleep: AbortController | undefined;
  #sequence = 0;
  /** Sends the server still allows until `#serverBudgetUntil`, if it told us. */
  #serverRemaining: number | undefined;
  #serverBudgetUntil = 0;

  readonly #onWait: ((waitMs: number) => void) | undefined;

  /** `guardMs`: see {@link ARRIVAL_GUARD_MS}. `onWait` hears of every wait before it starts. */
  constructor(
    rule: RateLimitRule,
    timing: LimiterTiming,
    guardMs = 0,
    onWait?: (waitMs: number) => void,
  ) {
    if (!Number.isInteger(rule.limit) || rule.limit < 1) {
      throw new RangeError(`Rate limit must be a positive integer, received ${rule.limit}.`);
    }
    if (!Number.isFinite(rule.windowMs) || rule.windowMs <= 0) {
      throw new RangeError(`Rate limit windowMs must be positive, received ${rule.windowMs}.`);
    }
    this.#limit = rule.limit;
    this.#windowMs = rule.windowMs;
    this.#timing = timing;
    this.#guardMs = guardMs;
    this.#onWait = onWait;
  }

  /** Requests waiting for a slot. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves when this request may be sent, in call order; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<RateLimitTicket> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<RateLimitTicket>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index !== -1) this.#queue.splice(index, 1);
          if (this.#queue.length === 0) this.#pumpSleep?.abort();
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      void this.#pump();
    });
  }

  /**
   * Feeds back the rate-limit headers of the response to `ticket`. `remaining` counted the
   * sends the server had seen when it answered; sends started after this one are subtracted.
   * `retryAfterMs` (a 429's `Retry-After`) says when the server's window resets.
   *
   * Without `Retry-After` the server does not say when its window started (there is no reset
   * header, contract §4). When our own sends explain its count, the sliding log already keeps
   * us inside any window the server can count in, and waiting a whole window from now would
   * only stall the next window's sends. Only a count above ours (another process on the same
   * key) means the reset may be up to one window away, and we wait for that.
   */
  observe(
    ticket: RateLimitTicket,
    limit: number | undefined,
    remaining: number | undefined,
    retryAfterMs?: number,
  ): void {
    if (limit !== undefined && Number.isInteger(limit) && limit >= 1 && limit < this.#limit) {
      this.#limit = limit;
    }
    // A Retry-After without a count means nothing more is accepted until then.
    const reported = remaining ?? (retryAfterMs === undefined ? undefined : 0);
    if (reported === undefined || !Number.isFinite(reported)) return;
    if (retryAfterMs === undefined && reported >= this.#limit - this.#ownSendsUpTo(ticket)) return;
    const startedSince = this.#sequence - ticket.sequence;
    this.#serverRemaining = Math.max(0, Math.floor(reported) - startedSince);
    this.#serverBudgetUntil = this.#timing.now() + (retryAfterMs ?? this.#windowMs);
    // A sleeping pump re-reads the budget, which may now be larger or smaller.
    this.#pumpSleep?.abort();
  }

  /** Our sends in the window that ends with `ticket`'s, itself included. */
  #ownSendsUpTo(ticket: RateLimitTicket): number {
    let count = 0;
    for (const startedAt of this.#log) {
      if (startedAt > ticket.startedAt - this.#windowMs && startedAt <= ticket.startedAt)
        count += 1;
    }
    return count;
  }

  /** Milliseconds until the next send is allowed; 0 when it may go now. */
  waitMs(): number {
    const now = this.#timing.now();
    while (this.#log.length > 0 && (this.#log[0] ?? 0) <= now - this.#windowMs) this.#log.shift();
    let wait = 0;
    if (this.#log.length >= this.#limit) {
      const blocking = this.#log[this.#log.length - this.#limit] ?? now;
      wait = blocking + this.#windowMs + this.#guardMs - now;
    }
    if (this.#serverRemaining !== undefined) {
      if (now >= this.#serverBudgetUntil) this.#serverRemaining = undefined;
      else if (this.#serverRemaining <= 0) wait = Math.max(wait, this.#serverBudgetUntil - now);
    }
    return Math.max(0, wait);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const waitMs = this.waitMs();
        if (waitMs > 0) {
          try {
            this.#onWait?.(waitMs);
          } catch {
            // A listener's failure must not stall the queue.
          }
          this.#pumpSleep = new AbortController();
          try {
            await this.#timing.sleep(waitMs, this.#pumpSleep.signal);
          } catch {
            // Woken early because the queue emptied; the loop re-checks.
          }
          continue;
        }
        const waiter = this.#queue.shift();
        if (!waiter) break;
        waiter.signal?.removeEventListener("abort", waiter.onAbort);
        const startedAt = this.#timing.now();
        this.#log.push(startedAt);
        this.#sequence += 1;
        if (this.#serverRemaining !== undefined) this.#serverRemaining -= 1;
        waiter.resolve({ sequence: this.#sequence, startedAt });
      }
    } finally {
      this.#pumping = false;
      this.#pumpSleep = undefined;
    }
  }
}

/** All buckets of one client (one shop). `false` turns pacing off. */
export class RateLimiter {
  readonly #buckets = new Map<RateLimitBucket, SlidingWindowLimiter>();
  readonly #enabled: boolean;
  readonly #now: () => number;

  constructor(
    options: RateLimitsOptions | false | undefined,
    timing: LimiterTiming,
    onWait?: (event: RateLimitWaitEvent) => void,
  ) {
    this.#enabled = options !== false;
    this.#now = timing.now;
    if (options === false) return;
    for (const name of Object.keys(options ?? {})) {
      if (!Object.hasOwn(DEFAULT_RATE_LIMITS, name)) {
        throw new RangeError(
          `Unknown rate-limit bucket ${JSON.stringify(name)}; the buckets are ` +
            `${Object.keys(DEFAULT_RATE_LIMITS).join(", ")}.`,
        );
      }
    }
    for (const bucket of Object.keys(DEFAULT_RATE_LIMITS) as RateLimitBucket[]) {
      const rule = options?.[bucket] ?? DEFAULT_RATE_LIMITS[bucket];
      const onBucketWait = onWait && ((waitMs: number) => onWait({ bucket, waitMs }));
      this.#buckets.set(
        bucket,
        new SlidingWindowLimiter(rule, timing, ARRIVAL_GUARD_MS, onBucketWait),
      );
    }
  }

  /** Waits for a slot in `bucket`; resolves at once when pacing is off. */
  async acquire(
    bucket: RateLimitBucket,
    signal?: AbortSignal,
  ): Promise<RateLimitTicket | undefined> {
    const limiter = this.#buckets.get(bucket);
    return limiter ? limiter.acquire(signal) : undefined;
  }

  /** Applies a response's `x-ratelimit-limit`/`x-ratelimit-remaining` headers. */
  observe(
    bucket: RateLimitBucket,
    ticket: RateLimitTicket | undefined,
    headers: Readonly<Record<string, string>>,
  ): void {
    const limiter = this.#buckets.get(bucket);
    if (!limiter || !ticket) return;
    limiter.observe(
      ticket,
      parseHeaderInteger(headers["x-ratelimit-limit"]),
      parseHeaderInteger(headers["x-ratelimit-remaining"]),
      parseRetryAfterMs(headers["retry-after"], this.#now()),
    );
  }

  /** Whether pacing is on. */
  get enabled(): boolean {
    return this.#enabled;
  }
}

function parseHeaderInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}
