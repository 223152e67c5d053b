import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openSqliteShopifyStore } from "@neuroon/shopify";
import type { AppStorage } from "./app-storage.server.js";
import { createSqliteOnlineSessionStorage } from "./session-storage.server.js";
import { createSettingsStore } from "./settings.server.js";

/** Default: one SQLite file for tokens and webhook ids, one for settings and online sessions. */
export function openSqliteAppStorage(dataDir: string): AppStorage {
  mkdirSync(dataDir, { recursive: true });
  const store = openSqliteShopifyStore({ path: join(dataDir, "shopify.db") });
  const appDb = new DatabaseSync(join(dataDir, "app.db"));
  appDb.exec("PRAGMA journal_mode = WAL");
  appDb.exec("PRAGMA busy_timeout = 5000");
  return {
    tokens: store.tokens,
    deliveries: store.deliveries,
    settings: createSettingsStore(appDb),
    onlineSessions: createSqliteOnlineSessionStorage(appDb),
    async close() {
      store.close();
      appDb.close();
    },
  };
}
