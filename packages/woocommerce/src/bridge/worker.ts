import { type DrainRequest, runWorkerLoop, type SyncSummary } from "@neuroon/core";
import {
  DEFAULT_COALESCE_MAX_WAIT_MS,
  DEFAULT_COALESCE_QUIET_MS,
  DEFAULT_WORKER_IDLE_MS,
  type WooBridgeConfig,
} from "./config.js";
import { type BridgeLogger, errorMessage } from "./logger.js";
import type { BridgeResources } from "./resources.js";

/** A running worker; see {@link startBridgeWorker}. */
export interface BridgeWorker {
  /**
   * Ends the loop after the drain in progress has handled the batch in hand; cuts that drain
   * short after `graceMs` (what it had not processed goes back to the queue at once).
   */
  stop(graceMs: number): Promise<void>;
}

/**
 * Runs core's worker loop for the bridge: lets a burst settle in the queue (changes of one
 * product merge there) before draining, conversions meanwhile; a failing turn (the data dir
 * unusable, Neuroon refusing the key) backs off up to a minute. The queue is opened inside each
 * turn (`open`), so a failure to open it is reported and retried like any other.
 */
export function startBridgeWorker(options: {
  config: WooBridgeConfig;
  open: () => Pick<BridgeResources, "queue">;
  drain: (request: DrainRequest) => Promise<SyncSummary>;
  logger: BridgeLogger;
  now: () => number;
}): BridgeWorker {
  const { config, open, logger } = options;
  const soft = new AbortController();
  const hard = new AbortController();
  const loop = runWorkerLoop({
    queue: {
      stats: () => open().queue.stats(),
      lastEnqueuedAt: () => open().queue.lastEnqueuedAt(),
    },
    drain: options.drain,
    // The soft signal ends the loop and (as the drain's stopSignal) the drain after its batch;
    // the hard one cuts the drain short.
    signal: soft.signal,
    drainSignal: hard.signal,
    idleMs: config.workerIdleMs ?? DEFAULT_WORKER_IDLE_MS,
    coalesce: {
      quietMs: config.coalesce?.quietMs ?? DEFAULT_COALESCE_QUIET_MS,
      maxWaitMs: config.coalesce?.maxWaitMs ?? DEFAULT_COALESCE_MAX_WAIT_MS,
    },
    now: options.now,
    onDrain: (summary) => {
      if (summary.changes === 0) return;
      logger.info("drained", {
        changes: summary.changes,
        sent: summary.sent,
        deleted: summary.deleted,
        conversions: summary.conversions,
        failed: summary.failed,
        elapsedMs: summary.elapsedMs,
      });
    },
    onError: (error, retryInMs) =>
      logger.error("worker drain failed", { error: errorMessage(error), retryInMs }),
  });
  return {
    async stop(graceMs) {
      soft.abort();
      const cut = setTimeout(() => hard.abort(), graceMs);
      await loop;
      clearTimeout(cut);
    },
  };
}
