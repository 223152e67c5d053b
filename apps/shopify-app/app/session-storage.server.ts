import type { DatabaseSync } from "node:sqlite";
import { type OfflineTokens, ShopNotConnectedError } from "@neuroon/shopify";
import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

const OFFLINE_PREFIX = "offline_";

/**
 * The React Router package's session storage, with one owner for offline tokens: offline sessions
 * live in `@neuroon/shopify`'s token store, which refreshes them under a per-shop lock. Loading
 * one returns a token valid for at least the bridge's refresh margin (10 minutes, more than the
 * package's own 5), so the package never refreshes it on its own and never races a background
 * worker for the rotating refresh token. Online sessions (if enabled) go to `online`: SQLite
 * ({@link createSqliteOnlineSessionStorage}) or Shopify's PostgreSQL session storage.
 */
export function createSessionStorage(
  online: SessionStorage,
  tokens: OfflineTokens,
): SessionStorage {
  const loadOffline = async (shop: string): Promise<Session | undefined> => {
    try {
      return await tokens.getSession(shop);
    } catch (error) {
      if (error instanceof ShopNotConnectedError) return undefined;
      throw error;
    }
  };

  const storage: SessionStorage = {
    async storeSession(session) {
      if (!session.isOnline) {
        await tokens.adopt(session);
        return true;
      }
      return online.storeSession(session);
    },
    async loadSession(id) {
      if (id.startsWith(OFFLINE_PREFIX)) return loadOffline(id.slice(OFFLINE_PREFIX.length));
      return online.loadSession(id);
    },
    async deleteSession(id) {
      if (id.startsWith(OFFLINE_PREFIX)) await tokens.remove(id.slice(OFFLINE_PREFIX.length));
      else await online.deleteSession(id);
      return true;
    },
    async deleteSessions(ids) {
      for (const id of ids) await storage.deleteSession(id);
      return true;
    },
    async findSessionsByShop(shop) {
      const stored = (await online.findSessionsByShop(shop)).filter((s) => s.isOnline);
      const offline = await loadOffline(shop);
      return offline ? [offline, ...stored] : stored;
    },
  };
  return storage;
}

/** Online sessions in the app's SQLite database. */
export function createSqliteOnlineSessionStorage(db: DatabaseSync): SessionStorage {
  db.exec(`CREATE TABLE IF NOT EXISTS shopify_online_sessions (
    id TEXT PRIMARY KEY,
    shop TEXT NOT NULL,
    data TEXT NOT NULL
  ) WITHOUT ROWID`);
  const put = db.prepare(
    "INSERT INTO shopify_online_sessions (id, shop, data) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
  );
  const get = db.prepare("SELECT data FROM shopify_online_sessions WHERE id = ?");
  const remove = db.prepare("DELETE FROM shopify_online_sessions WHERE id = ?");
  const byShop = db.prepare("SELECT data FROM shopify_online_sessions WHERE shop = ?");
  const decode = (data: string): Session => {
    const params = JSON.parse(data) as ConstructorParameters<typeof Session>[0] & {
      expires?: string | Date;
      refreshTokenExpires?: string | Date;
    };
    return new Session({
      ...params,
      ...(params.expires ? { expires: new Date(params.expires) } : {}),
      ...(params.refreshTokenExpires
        ? { refreshTokenExpires: new Date(params.refreshTokenExpires) }
        : {}),
    });
  };
  return {
    async storeSession(session) {
      put.run(session.id, session.shop, JSON.stringify(session.toObject()));
      return true;
    },
    async loadSession(id) {
      const row = get.get(id) as { data: string } | undefined;
      return row ? decode(row.data) : undefined;
    },
    async deleteSession(id) {
      remove.run(id);
      return true;
    },
    async deleteSessions(ids) {
      for (const id of ids) remove.run(id);
      return true;
    },
    async findSessionsByShop(shop) {
      return (byShop.all(shop) as { data: string }[]).map((row) => decode(row.data));
    },
  };
}
