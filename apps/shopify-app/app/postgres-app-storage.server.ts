import { withPostgresSchemaLock } from "@neuroon/core/postgres";
import {
  type OfflineTokenStore,
  openPostgresShopifyStore,
  type PostgresShopifyStore,
  type WebhookDeliveryLog,
} from "@neuroon/shopify";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { PostgreSQLSessionStorage } from "@shopify/shopify-app-session-storage-postgresql";
import type { AppStorage } from "./app-storage.server.js";
import { createPostgresSettingsStore } from "./settings.server.js";

/** The PostgreSQL store's token store and delivery log, usable before it finished opening. */
function whenOpened(opening: Promise<PostgresShopifyStore>): {
  tokens: OfflineTokenStore;
  deliveries: WebhookDeliveryLog;
} {
  return {
    tokens: {
      load: async (shop) => (await opening).tokens.load(shop),
      save: async (token) => (await opening).tokens.save(token),
      delete: async (shop) => (await opening).tokens.delete(shop),
      withLock: async (shop, fn) => (await opening).tokens.withLock(shop, fn),
    },
    deliveries: {
      claim: async (shop, id) => (await opening).deliveries.claim(shop, id),
      release: async (shop, id) => (await opening).deliveries.release(shop, id),
      forgetShop: async (shop) => (await opening).deliveries.forgetShop(shop),
    },
  };
}

/**
 * `DATABASE_URL`: `@neuroon/shopify`'s PostgreSQL store (tokens, webhook ids; its pool also holds
 * the settings table) and Shopify's PostgreSQL session storage for online sessions.
 */
export function openPostgresAppStorage(databaseUrl: string): AppStorage {
  const opening = openPostgresShopifyStore({ connectionString: databaseUrl });
  // Failures surface on each call; do not crash the process on an unobserved rejection.
  opening.catch(() => undefined);
  // Shopify's storage creates its tables on construction with unlocked CREATE … IF NOT EXISTS:
  // two hosts starting on an empty database collide in PostgreSQL's catalog (duplicate pg_type
  // row), an unhandled rejection. So it is built, one host at a time, under an advisory lock.
  const sessionsOpening = opening.then(async (store) => {
    let sessions: PostgreSQLSessionStorage | undefined;
    await withPostgresSchemaLock(store.pool, "neuroon_shopify_sessions_schema", async () => {
      sessions = new PostgreSQLSessionStorage(databaseUrl);
      await sessions.ready;
    });
    return sessions as PostgreSQLSessionStorage;
  });
  sessionsOpening.catch(() => undefined);
  const onlineSessions: SessionStorage = {
    storeSession: async (session) => (await sessionsOpening).storeSession(session),
    loadSession: async (id) => (await sessionsOpening).loadSession(id),
    deleteSession: async (id) => (await sessionsOpening).deleteSession(id),
    deleteSessions: async (ids) => (await sessionsOpening).deleteSessions(ids),
    findSessionsByShop: async (shop) => (await sessionsOpening).findSessionsByShop(shop),
  };
  return {
    ...whenOpened(opening),
    settings: createPostgresSettingsStore(opening.then((store) => store.pool)),
    onlineSessions,
    async close() {
      const sessions = await sessionsOpening.catch(() => undefined);
      await sessions?.disconnect().catch(() => undefined);
      const store = await opening.catch(() => undefined);
      await store?.close();
    },
  };
}
