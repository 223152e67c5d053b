import type { ChangeQueue, SyncStateStore } from "@neuroon/core";

/** A shop's change queue and sync state, on the backend the configuration picked. */
export interface ShopStores {
  queue: ChangeQueue;
  state: SyncStateStore;
  close(): Promise<void>;
  /** Deletes everything the two hold for the shop (`shop/redact`), then closes them. */
  erase(): Promise<void>;
}

/**
 * A shop's open stores: `close` closes the queue, then the state; `erase` is given that `close`
 * so that each backend decides whether it deletes before closing (shared servers) or after
 * (SQLite files).
 */
export function shopStoresOf(
  queue: ChangeQueue,
  state: SyncStateStore,
  erase: (close: () => Promise<void>) => Promise<void>,
): ShopStores {
  const close = async () => {
    await queue.close();
    await state.close();
  };
  return { queue, state, close, erase: () => erase(close) };
}

/** Opens and erases shops' queues and sync state. */
export interface ShopStoresBackend {
  /** The shop's stores; `neuroonShopId` scopes the sync state to the Neuroon shop. */
  open(shop: string, neuroonShopId: string): Promise<ShopStores>;
  /** Deletes what a shop whose stores are not open left behind. */
  eraseUnopened(shop: string): Promise<void>;
  /**
   * Whether this host runs the shop's periodic `job` now. One host holds the stores, so always
   * on SQLite; on Redis or PostgreSQL, the first host to ask in `periodMs` takes a lease and the
   * others skip.
   */
  claimPeriodicRun(shop: string, job: string, periodMs: number): Promise<boolean>;
  close(): Promise<void>;
}
