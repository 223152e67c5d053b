import type { ChangeKind, ChangeQueue } from "../queue/types.js";
import { backoffDelayMs, sleep as defaultSleep } from "../retry.js";
import { type CoalesceOptions, waitForCoalescedBatch } from "./coalesce.js";
import { addSummaries, emptySummary } from "./summary.js";
import type { SyncSummary } from "./types.js";

/**
 * The one worker loop (wait for the coalescing window, drain, back off on failure, report) that
 * `SyncEngine.runWorker`, the WooCommerce bridge, the Shopify app and Medusa's job all run. It
 * takes a `drain` function rather than an engine so a host can wrap the drain (put changes back,
 * log) without copying the loop.
 */

/** What one drain is asked to do; the same options as `SyncEngine#drain`. */
export interface DrainRequest {
  /** Cuts the drain short: what it has not processed goes back to the queue at once. */
  signal?: AbortSignal;
  /**
   * Ends the drain after the claim in hand (no new claim): the worker's own `signal` when a
   * separate `drainSignal` lets a graceful stop finish the batch.
   */
  stopSignal?: AbortSignal;
  /** Only these kinds (the window delivers conversions with `["conversion"]`). */
  kinds?: readonly ChangeKind[];
  /** Stop after claiming this many: what was pending when the window closed. */
  maxChanges?: number;
}

/** Options of {@link drainCoalesced}, one turn of the worker. */
export interface WorkerTurnOptions {
  /** The queue the coalescing window watches (`stats()`, `lastEnqueuedAt()`). */
  queue: Pick<ChangeQueue, "stats" | "lastEnqueuedAt">;
  /** Drains the queue, usually `(request) => engine.drain(request)`. */
  drain: (request: DrainRequest) => Promise<SyncSummary>;
  /** Aborting ends the wait (and the loop, between drains). */
  signal?: AbortSignal | undefined;
  /**
   * Passed to every drain; default `signal`. A separate signal lets a graceful stop end the
   * loop after the drain in progress instead of cutting it short.
   */
  drainSignal?: AbortSignal | undefined;
  /** The window: `quietMs` (default 1 000, 0 drains at once) and `maxWaitMs` (default 10 000). */
  coalesce?: CoalesceOptions | undefined;
  /** Clock, epoch ms; default `Date.now`. */
  now?: (() => number) | undefined;
  /** The waits (window, idle, backoff); default core's `sleep`. May resolve or reject on abort. */
  sleep?: ((ms: number, signal: AbortSignal | undefined) => Promise<void>) | undefined;
  /** Called with every drain's summary, conversions delivered during the window included. */
  onDrain?: ((summary: SyncSummary) => void) | undefined;
}

/**
 * One turn of the worker: once changes are pending, waits for the coalescing window (delivering
 * conversions meanwhile), then drains what was pending when it closed. Resolves to that drain's
 * summary, or `undefined` when nothing was pending or `signal` aborted. A drain's error propagates.
 * Suits hosts that schedule the turns themselves: an interval per shop, or a cron job.
 *
 * @example
 * // A Medusa scheduled job (every minute): one turn, errors reported by the job runner.
 * const summary = await drainCoalesced({
 *   queue,
 *   drain: (request) => engine.drain(request),
 *   coalesce: { quietMs: 1_000, maxWaitMs: 10_000 },
 * });
 */
export async function drainCoalesced(options: WorkerTurnOptions): Promise<SyncSummary | undefined> {
  const { queue, drain, signal, onDrain } = options;
  const drainSignal = options.drainSignal ?? signal;
  // With a separate drainSignal, the loop's own signal still stops the drain from claiming more.
  const stopSignal = drainSignal !== signal ? signal : undefined;
  const withSignal = (request: DrainRequest): DrainRequest => ({
    ...request,
    ...(drainSignal === undefined ? {} : { signal: drainSignal }),
    ...(stopSignal === undefined ? {} : { stopSignal }),
  });
  const window = await waitForCoalescedBatch(queue, {
    ...(signal === undefined ? {} : { signal }),
    ...(options.coalesce === undefined ? {} : { coalesce: options.coalesce }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    onWait: async () => {
      onDrain?.(await drain(withSignal({ kinds: ["conversion"] })));
    },
  });
  if (window.reason === "empty" || window.reason === "aborted") return undefined;
  // What was pending when the window closed; later arrivals wait for the next window.
  const summary = await drain(
    withSignal(window.pending === undefined ? {} : { maxChanges: window.pending }),
  );
  onDrain?.(summary);
  return summary;
}

/** Sleep between turns when the queue is empty or a drain failed its changes. */
export const DEFAULT_WORKER_IDLE_MS = 1_000;
/** Consecutive failing drains (Neuroon refusing the key, a full disk) back off up to this. */
export const DEFAULT_WORKER_MAX_BACKOFF_MS = 60_000;

/** Options of {@link runWorkerLoop}. */
export interface WorkerLoopOptions extends WorkerTurnOptions {
  /** Stops the loop: no new window, no new drain. */
  signal: AbortSignal;
  /** See {@link DEFAULT_WORKER_IDLE_MS}. */
  idleMs?: number | undefined;
  /** See {@link DEFAULT_WORKER_MAX_BACKOFF_MS}. */
  maxBackoffMs?: number | undefined;
  /** Jitter of the failure backoff; default `Math.random`. */
  random?: (() => number) | undefined;
  /** A turn threw; the loop waits `retryInMs` (doubling from `2 × idleMs`) and goes on. */
  onError?: ((error: unknown, retryInMs: number) => void) | undefined;
}

/**
 * Runs {@link drainCoalesced} turns until `signal` aborts: sleeps `idleMs` when nothing was
 * pending or the drain failed changes (they wait for their own backoff), and backs off up to
 * `maxBackoffMs` while turns keep throwing, reporting each error to `onError`. Resolves with the
 * totals of every drain once stopped; never rejects for a drain's error.
 *
 * @example
 * const stop = new AbortController();
 * const worker = runWorkerLoop({
 *   queue,
 *   drain: (request) => engine.drain(request),
 *   signal: stop.signal,
 *   onDrain: (summary) => summary.changes > 0 && log.info("drained", summary),
 *   onError: (error, retryInMs) => log.error("drain failed", { error, retryInMs }),
 * });
 * process.once("SIGTERM", () => stop.abort());
 * await worker;
 */
export async function runWorkerLoop(options: WorkerLoopOptions): Promise<SyncSummary> {
  const { signal, onDrain } = options;
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? defaultSleep;
  const idleMs = options.idleMs ?? DEFAULT_WORKER_IDLE_MS;
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_WORKER_MAX_BACKOFF_MS;
  const startedAt = now();
  let total: SyncSummary | undefined;
  const turn: WorkerTurnOptions = {
    ...options,
    onDrain: (summary) => {
      total = total === undefined ? { ...summary } : addSummaries(total, summary);
      onDrain?.(summary);
    },
  };
  let failures = 0;
  while (!signal.aborted) {
    let restMs = idleMs;
    let idle = true;
    try {
      const summary = await drainCoalesced(turn);
      failures = 0;
      if (summary !== undefined) idle = summary.changes === 0 || summary.failed > 0;
    } catch (error) {
      if (signal.aborted || options.drainSignal?.aborted) break;
      failures += 1;
      restMs = backoffDelayMs(failures, {
        initialDelayMs: 2 * idleMs,
        maxDelayMs: Math.max(maxBackoffMs, idleMs),
        random: options.random,
      });
      options.onError?.(error, restMs);
    }
    if (!idle || signal.aborted) continue;
    try {
      await wait(restMs, signal);
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }
  const result = total ?? emptySummary();
  result.elapsedMs = now() - startedAt;
  return result;
}
