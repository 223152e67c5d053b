import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ARRIVAL_GUARD_MS,
  DEFAULT_RATE_LIMITS,
  RateLimiter,
  SlidingWindowLimiter,
} from "./rate-limit.js";

/** Virtual time: sleeping advances the clock at once. */
function virtualClock() {
  const clock = {
    nowMs: 0,
    sleeps: [] as number[],
    now: () => clock.nowMs,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      clock.sleeps.push(ms);
      // Let callbacks of already granted slots run at the time they were granted.
      await new Promise((resolve) => setImmediate(resolve));
      clock.nowMs += ms;
    },
  };
  return clock;
}

/** Never resolves until aborted, to hold a waiter in the queue. */
function blockingClock() {
  const clock = {
    nowMs: 0,
    now: () => clock.nowMs,
    sleep: (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      }),
  };
  return clock;
}

describe("SlidingWindowLimiter", () => {
  it("tells onWait how long a request waits for the window, before it waits", async () => {
    const clock = virtualClock();
    const waits: { bucket: string; waitMs: number; atMs: number }[] = [];
    const limiter = new RateLimiter({ sync: { limit: 2, windowMs: 60_000 } }, clock, (event) =>
      waits.push({ ...event, atMs: clock.nowMs }),
    );
    await limiter.acquire("sync");
    clock.nowMs = 19_000;
    await limiter.acquire("sync");
    await limiter.acquire("sync");
    expect(waits).toEqual([{ bucket: "sync", waitMs: 41_000 + ARRIVAL_GUARD_MS, atMs: 19_000 }]);
    expect(clock.sleeps).toEqual([41_000 + ARRIVAL_GUARD_MS]);
  });

  it("lets `limit` sends through at once, then waits for the oldest to leave the window", async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 1_000 }, clock);
    const granted: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      await limiter.acquire();
      granted.push(clock.nowMs);
      clock.nowMs += 100;
    }
    expect(granted).toEqual([0, 100, 200, 1_000, 1_100, 1_200, 2_000]);
  });

  it("grants concurrent waiters in FIFO order", async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 500 }, clock);
    const order: string[] = [];
    await Promise.all(
      ["a", "b", "c", "d"].map((name) =>
        limiter.acquire().then(() => order.push(`${name}@${clock.nowMs}`)),
      ),
    );
    expect(order).toEqual(["a@0", "b@500", "c@1000", "d@1500"]);
  });

  it("an aborted waiter leaves the queue and rejects with the abort reason", async () => {
    const clock = blockingClock();
    const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 60_000 }, clock);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    expect(limiter.pending).toBe(1);
    controller.abort(new Error("user gave up"));
    await expect(waiting).rejects.toThrow("user gave up");
    expect(limiter.pending).toBe(0);
    await expect(limiter.acquire(AbortSignal.abort(new Error("already")))).rejects.toThrow(
      "already",
    );
  });

  it("waits a full window when the server reports remaining 0", async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter({ limit: 100, windowMs: 60_000 }, clock);
    const ticket = await limiter.acquire();
    clock.nowMs = 1_000;
    limiter.observe(ticket, 100, 0);
    expect(limiter.waitMs()).toBe(60_000);
    await limiter.acquire();
    expect(clock.nowMs).toBe(61_000);
  });

  it("does not wait a window from now when its own sends explain the server's count", async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter({ limit: 100, windowMs: 60_000 }, clock);
    let last = await limiter.acquire();
    for (let i = 1; i < 100; i += 1) {
      clock.nowMs += 20;
      last = await limiter.acquire();
    }
    // The 100th send's answer says the budget is spent; those are our 100 sends.
    clock.nowMs += 5;
    limiter.observe(last, 100, 0);
    // The 101st goes when the first leaves the window, not 60 s after this answer.
    await limiter.acquire();
    expect(clock.nowMs).toBe(60_000);
  });

  it("waits a window when the server counted more sends than this process made", async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter({ limit: 100, windowMs: 60_000 }, clock);
    for (let i = 0; i < 49; i += 1) await limiter.acquire();
    const fiftieth = await limiter.acquire();
    clock.nowMs = 2_000;
    // Another process on the same key spent the other 50.
    limiter.observe(fiftieth, 100, 0);
    expect(limiter.waitMs()).toBe(60_000);
  });

  it("subtracts sends started after the observed one from the server's remaining", async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter({ limit: 100, windowMs: 60_000 }, clock);
    const first = await limiter.acquire();
    await limiter.acquire();
    await limiter.acquire();
    // The server answered the first request with 3 left, but two more have started since.
    limiter.observe(first, undefined, 3);
    expect(limiter.waitMs()).toBe(0);
    await limiter.acquire();
    expect(limiter.waitMs()).toBe(60_000);
  });

  it("a Retry-After sets when the server's budget comes back", async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter({ limit: 100, windowMs: 60_000 }, clock);
    const ticket = await limiter.acquire();
    limiter.observe(ticket, undefined, undefined, 5_000);
    expect(limiter.waitMs()).toBe(5_000);
    clock.nowMs = 5_000;
    expect(limiter.waitMs()).toBe(0);
  });

  it("adopts a lower X-RateLimit-Limit but never a higher one", async () => {
    const clock = virtualClock();
    const limiter = new SlidingWindowLimiter({ limit: 10, windowMs: 1_000 }, clock);
    const ticket = await limiter.acquire();
    limiter.observe(ticket, 2, undefined);
    await limiter.acquire();
    expect(limiter.waitMs()).toBe(1_000);
    limiter.observe(ticket, 50, undefined);
    expect(limiter.waitMs()).toBe(1_000);
  });

  it("never starts more than `limit` sends in any window, whatever the arrival pattern", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.array(fc.integer({ min: 0, max: 1_500 }), { minLength: 1, maxLength: 40 }),
        async (limit, windowMs, gaps) => {
          const clock = virtualClock();
          const limiter = new SlidingWindowLimiter({ limit, windowMs }, clock);
          const starts: number[] = [];
          for (const gap of gaps) {
            clock.nowMs += gap;
            await limiter.acquire();
            starts.push(clock.nowMs);
          }
          for (let i = 0; i + limit < starts.length; i += 1) {
            if ((starts[i + limit] ?? 0) - (starts[i] ?? 0) < windowMs) return false;
          }
          return true;
        },
      ),
    );
  });

  it("rejects nonsense rules", () => {
    const clock = virtualClock();
    expect(() => new SlidingWindowLimiter({ limit: 0, windowMs: 1 }, clock)).toThrow(RangeError);
    expect(() => new SlidingWindowLimiter({ limit: 1, windowMs: 0 }, clock)).toThrow(RangeError);
  });
});

describe("RateLimiter", () => {
  it("keeps buckets independent and reads the rate-limit headers", async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter({ verifyAction: { limit: 1, windowMs: 300_000 } }, clock);
    await limiter.acquire("verifyAction");
    expect(clock.nowMs).toBe(0);
    const ticket = await limiter.acquire("sync");
    limiter.observe("sync", ticket, { "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0" });
    await limiter.acquire("verifyAction");
    expect(clock.nowMs).toBe(300_000 + ARRIVAL_GUARD_MS);
    await limiter.acquire("shopInfo");
    expect(clock.nowMs).toBe(300_000 + ARRIVAL_GUARD_MS);
  });

  it("does nothing when disabled", async () => {
    const clock = virtualClock();
    const limiter = new RateLimiter(false, clock);
    for (let i = 0; i < 10; i += 1) expect(await limiter.acquire("verifyAction")).toBeUndefined();
    expect(clock.sleeps).toEqual([]);
    expect(limiter.enabled).toBe(false);
  });

  it("defaults to the documented buckets", () => {
    expect(DEFAULT_RATE_LIMITS).toEqual({
      sync: { limit: 100, windowMs: 60_000 },
      shopInfo: { limit: 60, windowMs: 60_000 },
      verification: { limit: 20, windowMs: 60_000 },
      verifyAction: { limit: 5, windowMs: 300_000 },
      unverifyAction: { limit: 5, windowMs: 300_000 },
      other: { limit: 100, windowMs: 60_000 },
    });
  });
});
