import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChangeQueue, openSqliteQueue, type QueueStats } from "@neuroon/core";
import { openBullMqQueue } from "@neuroon/core/bullmq";
import { createPostgresQueue } from "@neuroon/core/postgres";
import { type EmulatorHandle, startEmulator } from "@neuroon/emulator";
import { type FakeShopify, startFakeShopify } from "@neuroon/fake-shopify";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as settingsAction } from "../app/routes/app._index.js";
import { loader as proxyTokenLoader } from "../app/routes/proxy.token.js";
import { action as webhooksAction } from "../app/routes/webhooks.js";
import { createRuntime, type Runtime } from "../app/runtime.server.js";
import { configFromEnv } from "../app/runtime-config.server.js";
import { setRuntime } from "../app/runtime-instance.server.js";
import { resetShopifyApp } from "../app/shopify.server.js";
import { eventually, serveRoute } from "./harness.js";
import { createTestDatabase, withClient } from "./postgres.js";
import {
  appConnections,
  deleteKeysUnder,
  keysUnder,
  TEST_REDIS_URL,
  uniqueKeyPrefix,
  withRedis,
} from "./redis.js";

const API_KEY = "app-client-id";
const API_SECRET = "app-client-secret-for-tests";
const SHOP = "neuroon-app-test.myshopify.com";
const NEUROON_SHOP_ID = "shop_apptest01";
const NEUROON_KEY = `sk_${"a1b2".repeat(8)}`;

describe("configuration", () => {
  const base = {
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: "https://app.example.test",
  };
  it("keeps everything in SQLite without DATABASE_URL and uses PostgreSQL with one", () => {
    expect(configFromEnv(base).databaseUrl).toBeUndefined();
    expect(configFromEnv({ ...base, DATABASE_URL: "" }).databaseUrl).toBeUndefined();
    const url = "postgresql://app:secret@db.internal:5432/neuroon";
    expect(configFromEnv({ ...base, DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(() => configFromEnv({ ...base, DATABASE_URL: "file:dev.sqlite" })).toThrow(
      /DATABASE_URL must be a postgres/,
    );
  });

  it("keeps queues and sync state in SQLite without REDIS_URL and uses Redis with one", () => {
    expect(configFromEnv(base).redisUrl).toBeUndefined();
    expect(configFromEnv({ ...base, REDIS_URL: "" }).redisUrl).toBeUndefined();
    for (const url of [
      "redis://127.0.0.1:6379",
      "redis://:secret@redis.internal:6379/2",
      "rediss://default:secret@cache.example.com:6380",
      "REDIS://redis.internal",
    ]) {
      expect(configFromEnv({ ...base, REDIS_URL: url }).redisUrl).toBe(url);
    }
    for (const url of [
      "redis.internal:6379",
      "http://redis.internal:6379",
      "unix:///run/redis.sock",
      "redis://",
      "postgres://redis.internal",
    ]) {
      expect(() => configFromEnv({ ...base, REDIS_URL: url })).toThrow(
        /REDIS_URL must be a redis:\/\/ or rediss:\/\/ \(TLS\) URL .*unset it to keep each shop's queue and sync state in SQLite files under NEUROON_DATA_DIR/,
      );
    }
    // The message names the scheme it got, never what follows (a password may).
    expect(() => configFromEnv({ ...base, REDIS_URL: "tcp://user:hunter2@host" })).toThrow(
      /received "tcp:…"/,
    );
    expect(() => configFromEnv({ ...base, REDIS_URL: "tcp://user:hunter2@host" })).not.toThrow(
      /hunter2/,
    );
  });
});

describe("REDIS_URL pointing at no server", () => {
  it("fails opening a shop's queue within seconds instead of hanging, and closes", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "neuroon-shopify-app-"));
    // Port 1 refuses connections: the runtime keeps reconnecting in the background.
    const runtime = createRuntime({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      appUrl: "https://app.example.test",
      scopes: ["read_products"],
      dataDir,
      redisUrl: "redis://127.0.0.1:1",
      redisKeyPrefix: uniqueKeyPrefix(),
    });
    try {
      await runtime.settings.save({
        shop: SHOP,
        neuroonShopId: NEUROON_SHOP_ID,
        neuroonApiKey: NEUROON_KEY,
      });
      const started = Date.now();
      // What a webhook's enqueue and the worker go through: a 503 (Shopify retries), a recorded error.
      await expect(runtime.engineFor(SHOP)).rejects.toThrow(/Redis \(REDIS_URL\) is not connected/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

// The whole flow on each storage backend: SQLite files by default, PostgreSQL with DATABASE_URL,
// and the several-hosts setup (DATABASE_URL + REDIS_URL: queues and sync state in Redis).
describe.each([
  { backend: "sqlite", postgres: false, redis: false },
  { backend: "postgres", postgres: true, redis: false },
  { backend: "postgres + redis", postgres: true, redis: true },
] as const)(
  "the Shopify app over HTTP (fake Shopify, Neuroon emulator, $backend storage)",
  ({ postgres, redis }) => {
    const keyPrefix = uniqueKeyPrefix();
    let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
    let fake: FakeShopify;
    let emulator: EmulatorHandle;
    let runtime: Runtime;
    let dataDir: string;
    let webhooks: { url: string; close(): Promise<void> };
    let proxy: { url: string; close(): Promise<void> };
    let admin: { url: string; close(): Promise<void> };

    const indexable = () =>
      fake.products(SHOP).filter((p) => p.status === "ACTIVE" && p.publishedToOnlineStore);
    const parentIds = () =>
      emulator
        .snapshot(NEUROON_SHOP_ID)
        .filter((p) => !p.parentExternalId)
        .map((p) => p.externalId)
        .sort();

    beforeAll(async () => {
      fake = await startFakeShopify({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        shops: [{ domain: SHOP, products: { products: 16 } }],
      });
      setAbstractFetchFunc(fake.fetch);
      emulator = await startEmulator({
        port: 0,
        shops: [{ shopId: NEUROON_SHOP_ID, apiKey: NEUROON_KEY, url: `https://${SHOP}` }],
        rateLimits: false,
      });
      dataDir = await mkdtemp(join(tmpdir(), "neuroon-shopify-app-"));
      process.env.SHOPIFY_API_KEY = API_KEY;
      if (postgres) database = await createTestDatabase();
      runtime = createRuntime({
        databaseUrl: database?.url,
        ...(redis ? { redisUrl: TEST_REDIS_URL, redisKeyPrefix: keyPrefix } : {}),
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        appUrl: "https://app.example.test",
        scopes: ["read_products", "read_inventory", "read_orders"],
        dataDir,
        neuroonBaseUrl: emulator.url,
      });
      setRuntime(runtime);
      resetShopifyApp();
      webhooks = await serveRoute(webhooksAction);
      proxy = await serveRoute(proxyTokenLoader);
      admin = await serveRoute(settingsAction);
      fake.subscribe(`${webhooks.url}/webhooks`, [
        "products/update",
        "products/delete",
        "orders/paid",
        "app/uninstalled",
        "shop/redact",
        "bulk_operations/finish",
      ]);
    });
    afterAll(async () => {
      await Promise.all([webhooks?.close(), proxy?.close(), admin?.close()]);
      await runtime?.close();
      setRuntime(undefined);
      await emulator?.close();
      await fake?.close();
      await rm(dataDir, { recursive: true, force: true });
      await database?.drop();
      if (redis) await deleteKeysUnder(keyPrefix);
    });

    /** The shop's change queue, opened beside the app's on the same backend. */
    const shopQueueStats = async (): Promise<QueueStats> => {
      const read = async (queue: ChangeQueue) => {
        try {
          return await queue.stats();
        } finally {
          await queue.close();
        }
      };
      if (redis) {
        return withRedis((connection) =>
          read(openBullMqQueue({ connection, prefix: keyPrefix, name: SHOP })),
        );
      }
      if (database) {
        return read(await createPostgresQueue({ connectionString: database.url, name: SHOP }));
      }
      return read(openSqliteQueue({ path: join(dataDir, "shops", `${SHOP}.queue.db`) }));
    };
    /** Rows of the shop's queue and sync state in the database (PostgreSQL backend). */
    const postgresShopRows = () =>
      withClient(database?.url as string, async (client) => {
        const { rows } = await client.query<{ n: string }>(
          `SELECT (SELECT count(*) FROM neuroon_change_queue WHERE queue_name = $1)
                + (SELECT count(*) FROM neuroon_sync_state WHERE name = $1 AND shop_id = $2) AS n`,
          [SHOP, NEUROON_SHOP_ID],
        );
        return Number(rows[0]?.n);
      });
    const sqliteShopFiles = () =>
      [".queue.db", ".state.db"].filter((suffix) =>
        existsSync(join(dataDir, "shops", `${SHOP}${suffix}`)),
      );

    const adminPost = async (fields: Record<string, string>) => {
      const sessionToken = await fake.sessionToken(SHOP);
      const response = await fetch(`${admin.url}/app?shop=${SHOP}`, {
        signal: AbortSignal.timeout(10_000),
        method: "POST",
        // The package answers 410 to bots, and Node's fetch user agent counts as one.
        headers: {
          authorization: `Bearer ${sessionToken}`,
          "user-agent": "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Safari/605.1.15",
        },
        body: new URLSearchParams(fields),
      });
      return {
        status: response.status,
        body: (await response.json()) as { ok: boolean; error?: string; message?: string },
      };
    };

    it("refuses credentials Neuroon does not accept", async () => {
      const result = await adminPost({
        neuroonShopId: NEUROON_SHOP_ID,
        neuroonApiKey: `sk_${"0".repeat(32)}`,
      });
      expect(result.body).toMatchObject({ ok: false });
      expect(await runtime.settings.get(SHOP)).toBeUndefined();
    });

    it("installs by token exchange into the bridge's token store, then connects and imports the catalog", async () => {
      const result = await adminPost({
        neuroonShopId: NEUROON_SHOP_ID,
        neuroonApiKey: NEUROON_KEY,
      });
      expect(result).toMatchObject({ status: 200, body: { ok: true } });
      expect(
        fake.grants.some(
          (g) => g.grantType === "urn:ietf:params:oauth:grant-type:token-exchange" && g.ok,
        ),
      ).toBe(true);
      const session = await runtime.bridge.tokens.getSession(SHOP);
      expect(session.refreshToken).toMatch(/^shprt_/);
      await eventually(() =>
        expect(parentIds()).toEqual(
          indexable()
            .map((p) => p.id)
            .sort(),
        ),
      );
      await eventually(async () =>
        expect((await runtime.settings.get(SHOP))?.lastFullSyncAt).toBeDefined(),
      );
      // Tokens, webhook ids and settings are where the configuration says, and only there.
      expect(existsSync(join(dataDir, "shopify.db"))).toBe(!postgres);
      expect(existsSync(join(dataDir, "app.db"))).toBe(!postgres);
      // So are the shop's queue and sync state: SQLite files, keys under the shop's hash tag, or
      // rows named after the shop in the database.
      if (postgres) expect(existsSync(join(dataDir, "shops"))).toBe(false);
      if (redis) {
        expect(existsSync(join(dataDir, "shops"))).toBe(false);
        const keys = await keysUnder(keyPrefix);
        expect(keys).toContain(`${keyPrefix}:{${SHOP}}:state:${NEUROON_SHOP_ID}:r`);
        for (const key of keys) expect(key.startsWith(`${keyPrefix}:{${SHOP}}:`)).toBe(true);
      } else if (postgres) {
        expect(await postgresShopRows()).toBeGreaterThan(0);
      } else {
        expect(sqliteShopFiles()).toEqual([".queue.db", ".state.db"]);
      }
      if (database) {
        const rows = await withClient(database.url, async (client) => ({
          tokens: (await client.query<{ shop: string }>("SELECT shop FROM shopify_offline_tokens"))
            .rows,
          settings: (await client.query<{ shop: string }>("SELECT shop FROM neuroon_settings"))
            .rows,
          sessionsTable: (
            await client.query("SELECT 1 FROM pg_tables WHERE tablename = 'shopify_sessions'")
          ).rows.length,
        }));
        expect(rows).toEqual({
          tokens: [{ shop: SHOP }],
          settings: [{ shop: SHOP }],
          sessionsTable: 1,
        });
      }
    });

    it("verifies the storefront domain with Neuroon from the settings page", async () => {
      const wrong = await adminPost({ intent: "verify", domain: "https://other-store.example" });
      expect(wrong.body).toMatchObject({ ok: false });
      expect(wrong.body.error).toMatch(/did not verify https:\/\/other-store\.example/);
      const invalid = await adminPost({ intent: "verify", domain: "not a url" });
      expect(invalid.body).toMatchObject({ ok: false });
      const right = await adminPost({ intent: "verify", domain: SHOP });
      expect(right.body).toMatchObject({ ok: true });
      expect(right.body.message).toContain(`https://${SHOP} is verified`);
    });

    it("turns a product update webhook into a Neuroon update", async () => {
      const product = indexable()[0];
      const [delivery] = await fake.updateProduct(SHOP, product?.id as string, {
        title: "Updated through the app",
      });
      expect(delivery?.status).toBe(200);
      // Acknowledged once queued: the change waits in the shop's queue (Redis with REDIS_URL).
      expect(await shopQueueStats()).toMatchObject({ pending: 1, inFlight: 0 });
      await runtime.drainAll();
      expect(await shopQueueStats()).toEqual({
        pending: 0,
        delayed: 0,
        inFlight: 0,
        deadLetters: 0,
      });
      expect(
        emulator.snapshot(NEUROON_SHOP_ID).find((p) => p.externalId === product?.id)?.name,
      ).toBe("Updated through the app");
    });

    it("the worker's coalesced drain sends a burst of webhooks on two products in one sync request", async () => {
      const [a, b] = indexable().slice(2, 4);
      const syncRequests = () =>
        emulator.requests.filter((r) => r.method === "POST" && r.path.endsWith("/products/sync"))
          .length;
      const before = syncRequests();
      await fake.updateProduct(SHOP, a?.id as string, { title: "Burst 0" });
      // The window opens on the first change; the rest arrive while it is open.
      const drained = runtime.drainCoalesced(SHOP);
      for (let edit = 1; edit <= 10; edit += 1) {
        const product = edit % 2 === 0 ? a : b;
        const [delivery] = await fake.updateProduct(SHOP, product?.id as string, {
          title: `Burst ${edit}`,
        });
        expect(delivery?.status).toBe(200);
      }
      const summary = await drained;
      expect(summary?.changes).toBe(2);
      const name = (id: string | undefined) =>
        emulator.snapshot(NEUROON_SHOP_ID).find((p) => p.externalId === id)?.name;
      expect([name(a?.id), name(b?.id)]).toEqual(["Burst 10", "Burst 9"]);
      expect(syncRequests() - before).toBe(1);
    });

    it("answers 401 to a forged webhook", async () => {
      const response = await fetch(`${webhooks.url}/webhooks`, {
        method: "POST",
        body: "{}",
        headers: {
          "x-shopify-hmac-sha256": `${"A".repeat(43)}=`,
          "x-shopify-topic": "shop/redact",
          "x-shopify-shop-domain": SHOP,
          "x-shopify-api-version": "2026-10",
          "x-shopify-webhook-id": "forged",
        },
      });
      expect(response.status).toBe(401);
      expect(await runtime.settings.get(SHOP)).toBeDefined();
    });

    it("serves a widget token through the app proxy, only to signed requests", async () => {
      const response = await fake.proxyRequest(SHOP, `${proxy.url}/proxy/token`);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const { token, apiUrl } = (await response.json()) as { token: string; apiUrl?: string };
      expect(emulator.verifyWidgetToken(token)).toMatchObject({
        ok: true,
        shopId: NEUROON_SHOP_ID,
      });
      expect(apiUrl).toBe(emulator.url); // NEUROON_API_URL reaches the storefront widget
      const forged = await fetch(
        `${proxy.url}/proxy/token?shop=${SHOP}&timestamp=${Math.floor(Date.now() / 1000)}&signature=${"0".repeat(64)}`,
      );
      expect(forged.status).toBe(401);
      const other = await fake.proxyRequest(
        "unknown-shop.myshopify.com",
        `${proxy.url}/proxy/token`,
      );
      expect(other.status).toBe(404);
    });

    it("reports a paid order once and stops work on uninstall", async () => {
      const [a] = indexable();
      await fake.payOrder(SHOP, {
        id: "5550001",
        currency: "EUR",
        lines: [
          {
            productId: a?.id as string,
            variantId: a?.variants[0]?.id as string,
            quantity: 1,
            price: a?.variants[0]?.price as string,
          },
        ],
        noteAttributes: [
          { name: "_neuroon_clicks", value: JSON.stringify({ [a?.id as string]: "log_app_1" }) },
        ],
      });
      await runtime.drainAll();
      expect(emulator.conversions(NEUROON_SHOP_ID).map((c) => c.orderId)).toEqual(["5550001"]);
      await fake.uninstall(SHOP);
      await expect(runtime.bridge.tokens.getSession(SHOP)).rejects.toThrow(/no offline token/);
      expect(await runtime.sessionStorage.loadSession(`offline_${SHOP}`)).toBeUndefined();
      // One connection for every shop; closing a shop's worker leaves no client of its own.
      if (redis) expect(await appConnections(keyPrefix)).toBe(1);
    });

    it("ignores catalog webhooks after uninstall, and shop/redact deletes the shop's data in Neuroon", async () => {
      const product = indexable()[1];
      const [late] = await fake.updateProduct(SHOP, product?.id as string, {
        title: "After uninstall",
      });
      expect(late?.status).toBe(200);
      await runtime.drainAll();
      expect(
        emulator.snapshot(NEUROON_SHOP_ID).find((p) => p.externalId === product?.id)?.name,
      ).not.toBe("After uninstall");
      expect(emulator.snapshot(NEUROON_SHOP_ID).length).toBeGreaterThan(0);
      if (redis) expect((await keysUnder(keyPrefix)).length).toBeGreaterThan(0);
      else if (postgres) expect(await postgresShopRows()).toBeGreaterThan(0);
      const [redact] = await fake.deliver(SHOP, "shop/redact", { shop_id: 1, shop_domain: SHOP });
      expect(redact?.status).toBe(200);
      expect(emulator.snapshot(NEUROON_SHOP_ID)).toEqual([]);
      expect(await runtime.settings.get(SHOP)).toBeUndefined();
      // The shop's queue and sync state are gone too: its Redis keys, its rows, or its SQLite files.
      if (redis) {
        expect(await keysUnder(keyPrefix)).toEqual([]);
        expect(await appConnections(keyPrefix)).toBe(1);
      } else if (postgres) {
        expect(await postgresShopRows()).toBe(0);
      } else {
        expect(sqliteShopFiles()).toEqual([]);
      }
    });
  },
);
