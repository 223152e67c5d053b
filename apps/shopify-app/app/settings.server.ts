import type { DatabaseSync } from "node:sqlite";
import { withPostgresSchemaLock } from "@neuroon/core/postgres";
import type { PostgresShopifyStore } from "@neuroon/shopify";

/** The `pg` pool of `@neuroon/shopify`'s PostgreSQL store. */
type Pool = PostgresShopifyStore["pool"];

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

/** The app's settings table (SQLite by default, PostgreSQL when `DATABASE_URL` is set). */
export interface SettingsStore {
  get(shop: string): Promise<ShopSettings | undefined>;
  save(
    settings: Pick<ShopSettings, "shop" | "neuroonShopId" | "neuroonApiKey">,
  ): Promise<ShopSettings>;
  recordSync(shop: string, result: { at: number; error?: string }): Promise<void>;
  delete(shop: string): Promise<void>;
  list(): Promise<ShopSettings[]>;
}

interface Row {
  shop: string;
  neuroon_shop_id: string;
  neuroon_api_key: string;
  // PostgreSQL's BIGINT arrives as a string.
  connected_at: number | string;
  last_full_sync_at: number | string | null;
  last_error: string | null;
}

const toSettings = (row: Row): ShopSettings => ({
  shop: row.shop,
  neuroonShopId: row.neuroon_shop_id,
  neuroonApiKey: row.neuroon_api_key,
  connectedAt: Number(row.connected_at),
  ...(row.last_full_sync_at !== null ? { lastFullSyncAt: Number(row.last_full_sync_at) } : {}),
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
    get: async (shop) => {
      const row = select.get(shop) as Row | undefined;
      return row ? toSettings(row) : undefined;
    },
    save: async ({ shop, neuroonShopId, neuroonApiKey }) => {
      upsert.run(shop, neuroonShopId, neuroonApiKey, now());
      return toSettings(select.get(shop) as unknown as Row);
    },
    recordSync: async (shop, { at, error }) => {
      sync.run(error ? null : at, error ?? null, shop);
    },
    delete: async (shop) => {
      remove.run(shop);
    },
    list: async () => (all.all() as unknown as Row[]).map(toSettings),
  };
}

/** Settings in PostgreSQL (`DATABASE_URL`), same table and semantics as the SQLite store. */
export function createPostgresSettingsStore(
  pool: Promise<Pool>,
  now: () => number = Date.now,
): SettingsStore {
  const ready = pool.then(async (db) => {
    await withPostgresSchemaLock(db, "neuroon_app_settings_schema", async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS neuroon_settings (
        shop TEXT PRIMARY KEY,
        neuroon_shop_id TEXT NOT NULL,
        neuroon_api_key TEXT NOT NULL,
        connected_at BIGINT NOT NULL,
        last_full_sync_at BIGINT,
        last_error TEXT
      )`);
    });
    return db;
  });
  // Failures surface on each call; do not crash the process on an unobserved rejection.
  ready.catch(() => undefined);
  const query = async (sql: string, params: unknown[] = []): Promise<Row[]> =>
    (await (await ready).query<Row>(sql, params)).rows;
  return {
    get: async (shop) => {
      const [row] = await query("SELECT * FROM neuroon_settings WHERE shop = $1", [shop]);
      return row ? toSettings(row) : undefined;
    },
    save: async ({ shop, neuroonShopId, neuroonApiKey }) => {
      const [row] = await query(
        `INSERT INTO neuroon_settings (shop, neuroon_shop_id, neuroon_api_key, connected_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (shop) DO UPDATE SET neuroon_shop_id = excluded.neuroon_shop_id,
           neuroon_api_key = excluded.neuroon_api_key, last_error = NULL
         RETURNING *`,
        [shop, neuroonShopId, neuroonApiKey, now()],
      );
      return toSettings(row as Row);
    },
    recordSync: async (shop, { at, error }) => {
      await query(
        "UPDATE neuroon_settings SET last_full_sync_at = $1, last_error = $2 WHERE shop = $3",
        [error ? null : at, error ?? null, shop],
      );
    },
    delete: async (shop) => {
      await query("DELETE FROM neuroon_settings WHERE shop = $1", [shop]);
    },
    list: async () => (await query("SELECT * FROM neuroon_settings ORDER BY shop")).map(toSettings),
  };
}
