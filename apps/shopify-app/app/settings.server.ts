import type { DatabaseSync } from "node:sqlite";

/** A shop's connection to Neuroon, as the merchant entered it in the app. */
export interface ShopSettings {
  shop: string;
  /** Neuroon shop id (`shop_…`). */
  neuroonShopId: string;
  /** Neuroon Shop API key (`sk_…`); never sent to the browser. */
  neuroonApiKey: string;
  connectedAt: number;
  lastFullSyncAt?: number;
  lastError?: string;
}

/** The app's settings table. */
export interface SettingsStore {
  get(shop: string): ShopSettings | undefined;
  save(settings: Pick<ShopSettings, "shop" | "neuroonShopId" | "neuroonApiKey">): ShopSettings;
  recordSync(shop: string, result: { at: number; error?: string }): void;
  delete(shop: string): void;
  list(): ShopSettings[];
}

interface Row {
  shop: string;
  neuroon_shop_id: string;
  neuroon_api_key: string;
  connected_at: number;
  last_full_sync_at: number | null;
  last_error: string | null;
}

const toSettings = (row: Row): ShopSettings => ({
  shop: row.shop,
  neuroonShopId: row.neuroon_shop_id,
  neuroonApiKey: row.neuroon_api_key,
  connectedAt: row.connected_at,
  ...(row.last_full_sync_at !== null ? { lastFullSyncAt: row.last_full_sync_at } : {}),
  ...(row.last_error !== null ? { lastError: row.last_error } : {}),
});

/** Settings in the app's SQLite database. */
export function createSettingsStore(db: DatabaseSync, now: () => number = Date.now): SettingsStore {
  db.exec(`CREATE TABLE IF NOT EXISTS neuroon_settings (
    shop TEXT PRIMARY KEY,
    neuroon_shop_id TEXT NOT NULL,
    neuroon_api_key TEXT NOT NULL,
    connected_at INTEGER NOT NULL,
    last_full_sync_at INTEGER,
    last_error TEXT
  ) WITHOUT ROWID`);
  const select = db.prepare("SELECT * FROM neuroon_settings WHERE shop = ?");
  const upsert =
    db.prepare(`INSERT INTO neuroon_settings (shop, neuroon_shop_id, neuroon_api_key, connected_at)
    VALUES (?, ?, ?, ?)
    ON CONFLICT (shop) DO UPDATE SET neuroon_shop_id = excluded.neuroon_shop_id,
      neuroon_api_key = excluded.neuroon_api_key, last_error = NULL`);
  const sync = db.prepare(
    "UPDATE neuroon_settings SET last_full_sync_at = ?, last_error = ? WHERE shop = ?",
  );
  const remove = db.prepare("DELETE FROM neuroon_settings WHERE shop = ?");
  const all = db.prepare("SELECT * FROM neuroon_settings ORDER BY shop");
  return {
    get: (shop) => {
      const row = select.get(shop) as Row | undefined;
      return row ? toSettings(row) : undefined;
    },
    save: ({ shop, neuroonShopId, neuroonApiKey }) => {
      upsert.run(shop, neuroonShopId, neuroonApiKey, now());
      return toSettings(select.get(shop) as unknown as Row);
    },
    recordSync: (shop, { at, error }) => {
      sync.run(error ? null : at, error ?? null, shop);
    },
    delete: (shop) => {
      remove.run(shop);
    },
    list: () => (all.all() as unknown as Row[]).map(toSettings),
  };
}
