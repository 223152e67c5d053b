import fc from "fast-check";
import { describe, expect, it, test } from "vitest";
import {
  type AttemptFailure,
  backoffDelayMs,
  decideRetry,
  isRetryableStatus,
  MAX_RETRY_DELAY_MS,
  parseRetryAfterMs,
  retryDelayMs,
  sleep,
} from "./retry.js";

describe("backoffDelayMs", () => {
  test.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 8_000],
    [20, 8_000],
  ])("retry %i without jitter waits %i ms", (retryNumber, expected) => {
    expect(backoffDelayMs(retryNumber, { random: () => 0 })).toBe(expected);
  });

  it("jitter removes at most a quarter", () => {
    expect(backoffDelayMs(1, { random: () => 0.5 })).toBe(875);
    expect(backoffDelayMs(4, { random: () => 0.999_999 })).toBe(6_000);
  });

  it("stays within [0.75, 1] of the capped exponential for any retry and random value", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retryNumber, rand) => {
          const base = Math.min(1_000 * 2 ** (retryNumber - 1), MAX_RETRY_DELAY_MS);
          const delay = backoffDelayMs(retryNumber, { random: () => rand });
          return delay >= Math.floor(base * 0.75) && delay <= base;
        },
      ),
    );
  });
});

describe("backoffDelayMs with a custom curve", () => {
  it("doubles from initialDelayMs up to maxDelayMs, as a queue's retry schedule", () => {
    const curve = { initialDelayMs: 30_000, maxDelayMs: 3_600_000, random: () => 0 };
    expect([1, 2, 3, 8, 20].map((n) => backoffDelayMs(n, curve))).toEqual([
      30_000, 60_000, 120_000, 3_600_000, 3_600_000,
    ]);
  });
});

describe("retryDelayMs", () => {
  it("prefers the server's hint, including 0", () => {
    expect(retryDelayMs(3, 2_500, () => 0)).toBe(2_500);
    expect(retryDelayMs(3, 0, () => 0)).toBe(0);
    expect(retryDelayMs(3, undefined, () => 0)).toBe(4_000);
  });

  it("falls back to backoff for a hint beyond the limit or a negative one", () => {
    expect(retryDelayMs(1, 61_000, () => 0)).toBe(1_000);
    expect(retryDelayMs(1, -5, () => 0)).toBe(1_000);
    expect(retryDelayMs(1, 90_000, () => 0, 120_000)).toBe(90_000);
  });
});

describe("sleep", () => {
  it("resolves after the delay", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });

  it("rejects with the signal's reason when aborted while waiting, and clears its timer", async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    const reason = new Error("stopping");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it("rejects at once for a signal that is already aborted", async () => {
    const reason = new Error("already stopped");
    await expect(sleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});

describe("isRetryableStatus", () => {
  test.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
  ])("%i → %s", (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });
});

describe("decideRetry", () => {
  const context = { retryNumber: 1, maxRetries: 2, maxRetryAfterMs: 60_000, random: () => 0 };

  test.each<[string, AttemptFailure, ReturnType<typeof decideRetry>]>([
    ["a connection failure", { kind: "connection" }, { retry: true, delayMs: 1_000 }],
    ["a timeout", { kind: "timeout" }, { retry: true, delayMs: 1_000 }],
    ["a 503", { kind: "status", status: 503 }, { retry: true, delayMs: 1_000 }],
    [
      "a 429 with Retry-After",
      { kind: "status", status: 429, retryAfterMs: 5_000 },
      { retry: true, delayMs: 5_000 },
    ],
    [
      "a 429 asking for more than the cap",
      { kind: "status", status: 429, retryAfterMs: 60_001 },
      { retry: false, reason: "retry-after-too-long" },
    ],
    ["a 400", { kind: "status", status: 400 }, { retry: false, reason: "not-retryable" }],
    ["a 409", { kind: "status", status: 409 }, { retry: false, reason: "not-retryable" }],
  ])("%s", (_, failure, expected) => {
    expect(decideRetry(failure, context)).toEqual(expected);
  });

  it("stops when the retry budget is spent", () => {
    expect(decideRetry({ kind: "timeout" }, { ...context, retryNumber: 3 })).toEqual({
      retry: false,
      reason: "exhausted",
    });
    expect(decideRetry({ kind: "timeout" }, { ...context, maxRetries: 0 })).toEqual({
      retry: false,
      reason: "exhausted",
    });
  });

  it("a Retry-After exactly at the cap is still honoured", () => {
    expect(decideRetry({ kind: "status", status: 429, retryAfterMs: 60_000 }, context)).toEqual({
      retry: true,
      delayMs: 60_000,
    });
  });
});

describe("parseRetryAfterMs", () => {
  const nowMs = Date.parse("2026-05-06T10:15:00Z");

  test.each<[string | undefined, number | undefined]>([
    ["60", 60_000],
    [" 2 ", 2_000],
    ["0", 0],
    ["1.5", 1_500],
    ["Wed, 06 May 2026 10:15:30 GMT", 30_000],
    ["Wed, 06 May 2026 10:14:00 GMT", 0],
    [undefined, undefined],
    ["", undefined],
    ["-1", undefined],
    ["soon", undefined],
    ["Wed", undefined],
    ["1e3", undefined],
  ])("%j → %j", (value, expected) => {
    expect(parseRetryAfterMs(value, nowMs)).toBe(expected);
  });
});
