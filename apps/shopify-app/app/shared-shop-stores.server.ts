import type { ChangeQueue, SyncStateStore } from "@neuroon/core";
import { type ShopStoresBackend, shopStoresOf } from "./shop-stores.server.js";

/** A store that can delete everything it holds for its shop (`shop/redact`). */
interface Droppable {
  drop(): Promise<void>;
}

/** What a backend shared by several hosts provides; {@link sharedShopStores} builds the rest. */
export interface SharedShopStoreParts {
  /** Opens the shop's queue and its sync state, scoped to the Neuroon shop. */
  openStores(
    shop: string,
    neuroonShopId: string,
  ): Promise<{ queue: ChangeQueue & Droppable; state: SyncStateStore & Droppable }>;
  /** Opens only the shop's queue (enough to erase a shop whose Neuroon shop id is unknown). */
  openQueue(shop: string): Promise<ChangeQueue & Droppable>;
  /** Deletes the shop's periodic-run leases. */
  dropLeases(shop: string): Promise<void>;
  claimPeriodicRun: ShopStoresBackend["claimPeriodicRun"];
  close(): Promise<void>;
}

/** Opening, closing and erasing a shop's stores, the same on every backend shared by hosts. */
export function sharedShopStores(parts: SharedShopStoreParts): ShopStoresBackend {
  return {
    async open(shop, neuroonShopId) {
      const { queue, state } = await parts.openStores(shop, neuroonShopId);
      return shopStoresOf(queue, state, async (close) => {
        try {
          await queue.drop();
          await state.drop();
          await parts.dropLeases(shop);
        } finally {
          await close();
        }
      });
    },
    async eraseUnopened(shop) {
      // Without the Neuroon shop id there is no state to name; a queue needs only the shop.
      const queue = await parts.openQueue(shop);
      try {
        await queue.drop();
        await parts.dropLeases(shop);
      } finally {
        await queue.close();
      }
    },
    claimPeriodicRun: (shop, job, periodMs) => parts.claimPeriodicRun(shop, job, periodMs),
    close: () => parts.close(),
  };
}
