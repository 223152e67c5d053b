import type { ChangeQueue } from "../queue/types.js";
import { sleep } from "../retry.js";

/**
 * The coalescing window of a long-running worker: once the queue has pending changes, wait until
 * it has been quiet (nothing new enqueued for `quietMs`) or `maxWaitMs` has passed
 * since the worker first saw pending work, then drain. Changes of one product merge in the queue
 * while they wait, so a burst goes out in as few full batches as possible instead of one small
 * batch per drain.
 *
 * There is deliberately no "drain as soon as `batchSize` changes are pending" rule: under a burst
 * on few products (10,000 events on 1,000 products) the pending count reaches 500 within a second,
 * and draining then would send the same products again and again as the burst keeps editing them,
 * which is exactly the waste the window is there to avoid. A burst over many distinct products is
 * bounded by `maxWaitMs` and drained in claim-sized chunks, so waiting costs latency, not memory.
 */
export interface CoalesceOptions {
  /**
   * Drain once the queue's pending count has not grown for this long. `0` turns the window off:
   * the worker drains as soon as it looks (the behaviour before the window). Default 1 000.
   */
  quietMs?: number;
  /** Drain at the latest this long after the worker first saw pending work. Default 10 000. */
  maxWaitMs?: number;
  /** How often the queue is looked at while waiting. Default `quietMs / 4`, within 10..250. */
  pollMs?: number;
}

export const DEFAULT_COALESCE_QUIET_MS = 1_000;
export const DEFAULT_COALESCE_MAX_WAIT_MS = 10_000;

/** Why {@link waitForCoalescedBatch} returned. */
export type CoalesceReason =
  /** Nothing is pending: sleep, then look again. */
  | "empty"
  /** `quietMs` is 0: drain now, as before the window existed. */
  | "disabled"
  /** Nothing new was enqueued (see {@link waitForCoalescedBatch}) for `quietMs`. */
  | "quiet"
  /** `maxWaitMs` passed since the window opened while changes kept arriving. */
  | "max-wait"
  | "aborted";

export interface CoalesceWaitOptions {
  signal?: AbortSignal;
  coalesce?: CoalesceOptions;
  /** Clock, epoch ms (default `Date.now`). */
  now?: () => number;
  /**
   * Waits between looks at the queue (default: core's `sleep`). It may resolve or reject when
   * `signal` aborts; either way the window closes with reason `aborted`.
   */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /**
   * Called on every look while the window is open, before sleeping: the place to deliver what
   * must not wait for the window (workers use it to report conversions at once).
   */
  onWait?: () => Promise<void>;
}

export interface CoalesceResult {
  reason: CoalesceReason;
  /** The pending count last seen (undefined when the window is disabled). */
  pending: number | undefined;
  /** How long the window was open. */
  waitedMs: number;
}

/** Validated options with their defaults; throws `RangeError` on a bad value. */
export function resolveCoalesceOptions(options: CoalesceOptions = {}): Required<CoalesceOptions> {
  const quietMs = options.quietMs ?? DEFAULT_COALESCE_QUIET_MS;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_COALESCE_MAX_WAIT_MS;
  for (const [name, value] of [
    ["quietMs", quietMs],
    ["maxWaitMs", maxWaitMs],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(
        `coalesce.${name} must be a finite number of ms ≥ 0; received ${String(value)}.`,
      );
    }
  }
  const pollMs = options.pollMs ?? Math.min(250, Math.max(10, quietMs / 4));
  if (!(Number.isFinite(pollMs) && pollMs > 0)) {
    throw new RangeError(`coalesce.pollMs must be a finite number of ms > 0; received ${pollMs}.`);
  }
  return { quietMs, maxWaitMs, pollMs };
}

/**
 * Waits for the coalescing window described in {@link CoalesceOptions} and says why it ended;
 * the caller drains on `quiet`, `max-wait` and `disabled`, sleeps on `empty`. Reads only the
 * queue (`stats()`, and `lastEnqueuedAt()` where the backend has it), so it sees changes enqueued
 * by other processes and works with every backend. "Grown" means the pending count rose or, where
 * the backend reports it, a newer enqueue landed (also one merged into a pending change): on a
 * backend without `lastEnqueuedAt` a burst that keeps re-editing the same pending products looks
 * quiet once every product is pending, and is drained then (`maxWaitMs` bounds it either way).
 */
export async function waitForCoalescedBatch(
  queue: Pick<ChangeQueue, "stats" | "lastEnqueuedAt">,
  options: CoalesceWaitOptions = {},
): Promise<CoalesceResult> {
  const { signal, onWait } = options;
  const { quietMs, maxWaitMs, pollMs } = resolveCoalesceOptions(options.coalesce);
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  if (quietMs === 0) return { reason: "disabled", pending: undefined, waitedMs: 0 };
  let pending = (await queue.stats()).pending;
  const openedAt = now();
  if (pending === 0) return { reason: "empty", pending, waitedMs: 0 };
  let lastEnqueue = await queue.lastEnqueuedAt?.();
  let grewAt = openedAt;
  for (;;) {
    if (signal?.aborted) return { reason: "aborted", pending, waitedMs: now() - openedAt };
    const at = now();
    if (at - grewAt >= quietMs) return { reason: "quiet", pending, waitedMs: at - openedAt };
    if (at - openedAt >= maxWaitMs) return { reason: "max-wait", pending, waitedMs: at - openedAt };
    if (onWait) await onWait();
    const due = Math.min(grewAt + quietMs, openedAt + maxWaitMs) - now();
    try {
      await wait(Math.max(1, Math.min(pollMs, due)), signal);
    } catch (error) {
      if (!signal?.aborted) throw error;
    }
    if (signal?.aborted) return { reason: "aborted", pending, waitedMs: now() - openedAt };
    const seen = (await queue.stats()).pending;
    // Another worker (or the conversions delivered by onWait) took everything.
    if (seen === 0) return { reason: "empty", pending: 0, waitedMs: now() - openedAt };
    const enqueuedAt = await queue.lastEnqueuedAt?.();
    if (
      seen > pending ||
      (enqueuedAt !== undefined && (lastEnqueue === undefined || enqueuedAt > lastEnqueue))
    ) {
      grewAt = now();
    }
    pending = seen;
    lastEnqueue = enqueuedAt;
  }
}
