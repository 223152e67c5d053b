/** What the background loop runs and how often. */
export interface BackgroundWorkersOptions {
  /** The shops to look at on each drain tick. */
  shops(): Promise<readonly string[]>;
  /** Whether the shop is installed (after app/uninstalled it takes no work). */
  isInstalled(shop: string): Promise<boolean>;
  /** One coalesced drain of the shop's queue; records its own errors. */
  drainCoalesced(shop: string, signal: AbortSignal): Promise<unknown>;
  /** The periodic reconcile of every shop this host claims. */
  reconcileDue(): Promise<void>;
  drainIntervalMs: number;
  reconcileIntervalMs: number;
}

/**
 * Starts the background loop: every `drainIntervalMs` each installed shop gets a coalesced drain
 * (at most one at a time per shop), every `reconcileIntervalMs` the reconcile. The timers do not
 * keep the process alive. Returns the function that stops both and aborts running drains.
 */
export function startBackgroundWorkers(options: BackgroundWorkersOptions): () => void {
  // Each shop on its own: a shop whose coalescing window is open does not hold up the others.
  const busy = new Set<string>();
  const stop = new AbortController();
  const drain = setInterval(() => {
    void options
      .shops()
      .then((shops) => {
        for (const shop of shops) {
          if (busy.has(shop)) continue;
          busy.add(shop);
          void (async () => {
            if (await options.isInstalled(shop)) await options.drainCoalesced(shop, stop.signal);
          })()
            .catch(() => {})
            .finally(() => busy.delete(shop));
        }
      })
      .catch(() => {});
  }, options.drainIntervalMs);
  const reconcile = setInterval(() => {
    options.reconcileDue().catch(() => {});
  }, options.reconcileIntervalMs);
  drain.unref();
  reconcile.unref();
  return () => {
    clearInterval(drain);
    clearInterval(reconcile);
    stop.abort();
  };
}
