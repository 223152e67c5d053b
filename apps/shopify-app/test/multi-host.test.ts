import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmulatorHandle, startEmulator } from "@neuroon/emulator";
import { type FakeShopify, startFakeShopify } from "@neuroon/fake-shopify";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as settingsAction } from "../app/routes/app._index.js";
import { createRuntime, type Runtime } from "../app/runtime.server.js";
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
} from "./redis.js";

const API_KEY = "app-client-id";
const API_SECRET = "app-client-secret-for-tests";
const SHOP = "neuroon-multi-host.myshopify.com";
const NEUROON_SHOP_ID = "shop_multihost01";
const NEUROON_KEY = `sk_${"c3d4".repeat(8)}`;

type Host = "a" | "b";

/**
 * Rows the shop's queue, sync state and periodic leases hold in the database (PostgreSQL backend);
 * 0 for tables not created yet.
 */
async function shopRows(databaseUrl: string): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ n: string }>(
      `SELECT
         (SELECT count(*) FROM neuroon_change_queue WHERE queue_name = $1)
       + (SELECT count(*) FROM neuroon_change_dead_letters WHERE queue_name = $1)
       + (SELECT count(*) FROM neuroon_sync_state WHERE name = $1)
       + (SELECT count(*) FROM neuroon_sync_meta WHERE name = $1)
       + (SELECT count(*) FROM neuroon_shopify_periodic_leases WHERE shop = $1) AS n`,
      [SHOP],
    );
    return Number(rows[0]?.n);
  });
}

/** Connections open to the test database, from every host. */
async function databaseConnections(databaseUrl: string): Promise<number> {
  const name = new URL(databaseUrl).pathname.slice(1);
  return withClient(databaseUrl.replace(/\/[^/]*$/, "/postgres"), async (client) => {
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1",
      [name],
    );
    return Number(rows[0]?.n);
  });
}

// Two runtimes are two hosts of one deployment: DATABASE_URL (and REDIS_URL, on that backend)
// shared, a data directory each, and one webhook address in front of both (the load balancer).
// Each shop's queue and sync state live in Redis when REDIS_URL is set, else in PostgreSQL.
describe.each([
  { backend: "redis", label: "DATABASE_URL + REDIS_URL" },
  { backend: "postgres", label: "DATABASE_URL only" },
] as const)("two hosts behind a load balancer ($label)", ({ backend }) => {
  const keyPrefix = uniqueKeyPrefix();
  /** Whatever the shop's queue and sync state hold on this backend (Redis keys or table rows). */
  const storedForShop = async (): Promise<number> =>
    backend === "redis" ? (await keysUnder(keyPrefix)).length : shopRows(database.url);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let fake: FakeShopify;
  let emulator: EmulatorHandle;
  let scratch: string;
  const hosts = {} as Record<Host, Runtime>;
  let isClosed = false;
  let balancer: { url: string; close(): Promise<void> };
  let admin: { url: string; close(): Promise<void> };
  // Which host the balancer gave each webhook id first; a redelivery goes to the other one.
  const firstHost = new Map<string, Host>();
  let routing: "a" | "alternate" = "a";
  let turn = 0;

  const indexable = () =>
    fake.products(SHOP).filter((p) => p.status === "ACTIVE" && p.publishedToOnlineStore);
  const nameInNeuroon = (id: string) =>
    emulator.snapshot(NEUROON_SHOP_ID).find((p) => p.externalId === id)?.name;
  /** Sync requests since `from` (an index in the request log) that carried product `id`. */
  const syncsOf = (id: string, from: number) =>
    emulator.requests
      .slice(from)
      .filter((r) => r.method === "POST" && r.path.endsWith("/products/sync"))
      .filter((r) =>
        ((r.body as { products?: { externalId: string }[] }).products ?? []).some(
          (p) => p.externalId === id,
        ),
      ).length;

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
    database = await createTestDatabase();
    scratch = await mkdtemp(join(tmpdir(), "neuroon-shopify-hosts-"));
    process.env.SHOPIFY_API_KEY = API_KEY;
    for (const host of ["a", "b"] as const) {
      hosts[host] = createRuntime({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        appUrl: "https://app.example.test",
        scopes: ["read_products", "read_inventory", "read_orders"],
        // Not created: with both URLs set, a host keeps nothing on its disk.
        dataDir: join(scratch, host),
        databaseUrl: database.url,
        ...(backend === "redis" ? { redisUrl: TEST_REDIS_URL, redisKeyPrefix: keyPrefix } : {}),
        neuroonBaseUrl: emulator.url,
        drainIntervalMs: 25,
        coalesce: { quietMs: 0 },
      });
    }
    balancer = await serveRoute(({ request }) => {
      const id = request.headers.get("x-shopify-webhook-id") ?? "";
      const first = firstHost.get(id);
      const host: Host = first
        ? first === "a"
          ? "b"
          : "a"
        : routing === "a" || turn++ % 2 === 0
          ? "a"
          : "b";
      if (!first) firstHost.set(id, host);
      return hosts[host].bridge.webhooks.handleRequest(request);
    });
    // The admin page is served by host A.
    setRuntime(hosts.a);
    resetShopifyApp();
    admin = await serveRoute(settingsAction);
    fake.subscribe(`${balancer.url}/webhooks`, [
      "products/update",
      "app/uninstalled",
      "shop/redact",
      "bulk_operations/finish",
    ]);
  });
  afterAll(async () => {
    await Promise.all([balancer?.close(), admin?.close()]);
    if (!isClosed) for (const runtime of Object.values(hosts)) await runtime.close();
    setRuntime(undefined);
    await emulator?.close();
    await fake?.close();
    await database?.drop();
    await rm(scratch, { recursive: true, force: true });
    await deleteKeysUnder(keyPrefix);
  });

  it("connects through host A; host B sees the shop's settings and token", async () => {
    const response = await fetch(`${admin.url}/app?shop=${SHOP}`, {
      signal: AbortSignal.timeout(10_000),
      method: "POST",
      headers: {
        authorization: `Bearer ${await fake.sessionToken(SHOP)}`,
        "user-agent": "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Safari/605.1.15",
      },
      body: new URLSearchParams({ neuroonShopId: NEUROON_SHOP_ID, neuroonApiKey: NEUROON_KEY }),
    });
    expect(await response.json()).toMatchObject({ ok: true });
    await eventually(async () =>
      expect((await hosts.b.settings.get(SHOP))?.lastFullSyncAt).toBeDefined(),
    );
    expect(emulator.snapshot(NEUROON_SHOP_ID).filter((p) => !p.parentExternalId)).toHaveLength(
      indexable().length,
    );
    expect((await hosts.b.bridge.tokens.getSession(SHOP)).accessToken).toBeTruthy();
  });

  it("a webhook acknowledged by host A is synced by host B's worker", async () => {
    hosts.b.startWorkers(); // host A runs no worker yet
    const from = emulator.requests.length;
    const product = indexable()[0]?.id as string;
    const [delivery] = await fake.updateProduct(SHOP, product, { title: "Queued on A" });
    expect(delivery?.status).toBe(200);
    expect(firstHost.get(delivery?.webhookId as string)).toBe("a");
    await eventually(() => expect(nameInNeuroon(product)).toBe("Queued on A"));
    expect(syncsOf(product, from)).toBe(1);
  });

  it("with both workers draining and webhooks (and Shopify's retries) spread over both hosts, every change reaches Neuroon exactly once", async () => {
    hosts.a.startWorkers();
    routing = "alternate";
    // Slow sync answers keep both workers inside a drain at once, where a change handed to both
    // would be sent twice (neither would have recorded it yet).
    emulator.faults.delay(150, {
      match: { path: `/api/plugin/shops/${NEUROON_SHOP_ID}/products/sync` },
      durationMs: 30_000,
    });
    const from = emulator.requests.length;
    const products = indexable()
      .slice(1, 11)
      .map((p) => p.id);
    const webhookIds: string[] = [];
    for (const [i, product] of products.entries()) {
      const [delivery] = await fake.updateProduct(SHOP, product, { title: `Edit ${i}` });
      expect(delivery?.status).toBe(200);
      webhookIds.push(delivery?.webhookId as string);
    }
    expect(new Set(webhookIds.map((id) => firstHost.get(id)))).toEqual(new Set(["a", "b"]));
    // Shopify delivers again (a slow 200, a timeout): each retry lands on the other host.
    for (const id of webhookIds.slice(0, 5)) expect((await fake.redeliver(id)).status).toBe(200);
    await eventually(() =>
      expect(products.map(nameInNeuroon)).toEqual(products.map((_, i) => `Edit ${i}`)),
    );
    // Both workers keep polling a while longer: nothing is sent again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(products.map((id) => syncsOf(id, from))).toEqual(products.map(() => 1));
  });

  it("the daily reconcile of a shop runs on one host per interval, not on each", async () => {
    // The reconcile walks Neuroon's catalog; a drift scan would carry `modifiedAfter`.
    const walkPages = (from: number) =>
      emulator.requests
        .slice(from)
        .filter(
          (r) =>
            r.method === "GET" &&
            r.path === `/api/plugin/shops/${NEUROON_SHOP_ID}/products` &&
            !r.query.includes("modifiedAfter"),
        ).length;
    const beforeA = emulator.requests.length;
    await hosts.a.reconcileDue();
    expect(walkPages(beforeA)).toBeGreaterThan(0);
    // Both hosts' daily timers fire within the same interval: the shop is walked once.
    const afterA = emulator.requests.length;
    await hosts.b.reconcileDue();
    await hosts.a.reconcileDue();
    expect(walkPages(afterA)).toBe(0);
  });

  it("uninstall, then shop/redact through either host removes the shop's queue and state for good", async () => {
    expect(await storedForShop()).toBeGreaterThan(0);
    const [uninstalled] = await fake.uninstall(SHOP);
    expect(uninstalled?.status).toBe(200);
    const [redact] = await fake.deliver(SHOP, "shop/redact", { shop_id: 1, shop_domain: SHOP });
    expect(redact?.status).toBe(200);
    expect(emulator.snapshot(NEUROON_SHOP_ID)).toEqual([]);
    expect(await storedForShop()).toBe(0);
    // Both hosts' workers keep running and had the shop open: neither writes again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await storedForShop()).toBe(0);
    // One Redis connection per host, however many shops it served.
    if (backend === "redis") expect(await appConnections(keyPrefix)).toBe(2);
  });

  it("closing the hosts closes their connections and left nothing on their disks", async () => {
    isClosed = true;
    for (const runtime of Object.values(hosts)) await runtime.close();
    if (backend === "redis") expect(await appConnections(keyPrefix)).toBe(0);
    await eventually(async () => expect(await databaseConnections(database.url)).toBe(0));
    expect(existsSync(join(scratch, "a"))).toBe(false);
    expect(existsSync(join(scratch, "b"))).toBe(false);
  });
});
