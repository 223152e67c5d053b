import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { openSqliteQueue, openSqliteStateStore } from "@neuroon/core";
import { type ShopStoresBackend, shopStoresOf } from "./shop-stores.server.js";

/** Default: `<dataDir>/shops/<shop>.queue.db` and `.state.db` (one host). */
export function sqliteShopStores(dataDir: string): ShopStoresBackend {
  mkdirSync(join(dataDir, "shops"), { recursive: true });
  const base = (shop: string) => join(dataDir, "shops", shop);
  const removeFiles = async (shop: string) => {
    for (const suffix of [".queue.db", ".state.db"]) {
      for (const extra of ["", "-wal", "-shm"])
        await rm(`${base(shop)}${suffix}${extra}`, { force: true });
    }
  };
  return {
    async open(shop, neuroonShopId) {
      const queue = openSqliteQueue({ path: `${base(shop)}.queue.db` });
      const state = openSqliteStateStore({
        path: `${base(shop)}.state.db`,
        shopId: neuroonShopId,
      });
      return shopStoresOf(queue, state, async (close) => {
        await close();
        await removeFiles(shop);
      });
    },
    eraseUnopened: removeFiles,
    async claimPeriodicRun() {
      return true;
    },
    async close() {},
  };
}
