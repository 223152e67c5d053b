import type { ChangeQueue, QueuedChange } from "../queue/types.js";

/** Renewals per lease: a renewal that is late by up to two thirds of the lease still lands in time. */
const RENEWALS_PER_LEASE = 3;

/** Keeps a claim's leases alive; see {@link keepLeases}. */
export interface LeaseKeeper {
  /** Stops renewing and waits for a renewal in progress, so none lands after the caller settles. */
  stop(): Promise<void>;
}

/**
 * Renews the leases of `changes` every third of `leaseMs` until stopped, so a claim that takes
 * longer than its lease (a slow Neuroon, a long rate-limit wait) is not handed out again while
 * its holder works on it: without this a long run re-claimed its own changes, counted them twice
 * and had its acks ignored (issue 17 item 5). Changes the holder already acked or failed are no
 * longer leased, so renewing them does nothing. Real timers on purpose: the lease runs on the
 * queue's clock in real time, and an engine's injected `sleep` may return at once. A queue without
 * `renewLeases` keeps the old behaviour (the lease bounds the claim); a failed renewal is reported
 * through `onError` and retried on the next tick.
 */
export function keepLeases(
  queue: ChangeQueue,
  changes: readonly QueuedChange[],
  leaseMs: number,
  onError: (error: unknown) => void,
): LeaseKeeper {
  if (queue.renewLeases === undefined || changes.length === 0) return { stop: async () => {} };
  const ids = changes.map((change) => change.id);
  let inFlight: Promise<void> = Promise.resolve();
  let isStopped = false;
  const timer = setInterval(
    () => {
      if (isStopped) return;
      inFlight = inFlight.then(async () => {
        if (isStopped) return;
        try {
          await queue.renewLeases?.(ids, leaseMs);
        } catch (error) {
          onError(error);
        }
      });
    },
    Math.max(1, Math.floor(leaseMs / RENEWALS_PER_LEASE)),
  );
  // A renewal timer alone must not keep the process alive.
  timer.unref();
  return {
    async stop() {
      isStopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
