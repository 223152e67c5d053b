import type { OfflineTokenStore, WebhookDeliveryLog } from "@neuroon/shopify";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { openPostgresAppStorage } from "./postgres-app-storage.server.js";
import type { RuntimeConfig } from "./runtime-config.server.js";
import type { SettingsStore } from "./settings.server.js";
import { openSqliteAppStorage } from "./sqlite-app-storage.server.js";

/** Where tokens, webhook ids, settings and sessions are kept. */
export interface AppStorage {
  tokens: OfflineTokenStore;
  deliveries: WebhookDeliveryLog;
  settings: SettingsStore;
  onlineSessions: SessionStorage;
  close(): Promise<void>;
}

/**
 * The app's own storage on the backend the configuration picks: PostgreSQL when
 * `config.databaseUrl` is set, else two SQLite files in `config.dataDir`.
 */
export function openAppStorage(config: RuntimeConfig): AppStorage {
  return config.databaseUrl
    ? openPostgresAppStorage(config.databaseUrl)
    : openSqliteAppStorage(config.dataDir);
}
