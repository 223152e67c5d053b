import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@neuroon/core/testing";
import type { FakeShopify } from "@neuroon/fake-shopify";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createOfflineTokens,
  type OfflineTokenStore,
  openPostgresShopifyStore,
  openSqliteShopifyStore,
  type WebhookDeliveryLog,
} from "../src/index.js";
import { makeShopify, SHOP, startFake } from "./harness.js";
import { createTestDatabase } from "./postgres.js";

interface Handle {
  tokens: OfflineTokenStore;
  deliveries: WebhookDeliveryLog;
  close(): void | Promise<void>;
}
interface OpenOptions {
  now?: () => number;
  lockLeaseMs?: number;
}
interface Backend {
  /** A new handle on the backend's shared database (as another process would open it). */
  open(options: OpenOptions): Promise<Handle>;
  /** A fresh, empty database for the next test. */
  reset(): Promise<void>;
  dispose(): Promise<void>;
}

const backends: Record<"sqlite" | "postgres", () => Promise<Backend>> = {
  async sqlite() {
    let directory = await mkdtemp(join(tmpdir(), "neuroon-shopify-sqlite-"));
    return {
      open: async (options) =>
        openSqliteShopifyStore({ path: join(directory, "shopify.db"), ...options }),
      async reset() {
        await rm(directory, { recursive: true, force: true });
        directory = await mkdtemp(join(tmpdir(), "neuroon-shopify-sqlite-"));
      },
      dispose: () => rm(directory, { recursive: true, force: true }),
    };
  },
  async postgres() {
    const database = await createTestDatabase();
    return {
      open: (options) => openPostgresShopifyStore({ connectionString: database.url, ...options }),
      async reset() {
        const store = await openPostgresShopifyStore({ connectionString: database.url });
        try {
          await store.pool.query(
            "TRUNCATE shopify_offline_tokens, shopify_token_locks, shopify_webhook_deliveries",
          );
        } finally {
          await store.close();
        }
      },
      dispose: () => database.drop(),
    };
  },
};

// One battery, both backends: the store contract (`OfflineTokenStore`, `WebhookDeliveryLog`)
// shared by several handles on one database, as several processes would hold them.
describe.each(["sqlite", "postgres"] as const)("%s store shared by several handles", (kind) => {
  let backend: Backend;
  let handles: Handle[];
  beforeAll(async () => {
    backend = await backends[kind]();
  });
  afterAll(async () => {
    await backend?.dispose();
  });
  beforeEach(async () => {
    handles = [];
    await backend.reset();
  });
  afterEach(async () => {
    for (const handle of handles) await handle.close();
  });
  const open = async (overrides: OpenOptions = {}): Promise<Handle> => {
    const handle = await backend.open(overrides);
    handles.push(handle);
    return handle;
  };

  it("lets exactly one handle claim a webhook id; release and expiry allow it again", async () => {
    let clock = 1_000_000;
    const a = await open({ now: () => clock });
    const b = await open({ now: () => clock });
    const results = await Promise.all([
      a.deliveries.claim(SHOP, "w1"),
      b.deliveries.claim(SHOP, "w1"),
    ]);
    expect(results.sort()).toEqual([false, true]);
    await a.deliveries.release(SHOP, "w1");
    expect(await b.deliveries.claim(SHOP, "w1")).toBe(true);
    clock += 49 * 3_600_000;
    expect(await a.deliveries.claim(SHOP, "w1")).toBe(true);
    await a.deliveries.forgetShop(SHOP);
    expect(await b.deliveries.claim(SHOP, "w1")).toBe(true);
  });

  it("saves and loads tokens atomically and takes over a lock left by a crashed holder", async () => {
    const a = await open({ lockLeaseMs: 50 });
    const b = await open({ lockLeaseMs: 50 });
    await a.tokens.save({
      shop: SHOP,
      accessToken: "shpat_1",
      expiresAt: 5,
      refreshToken: "shprt_1",
    });
    expect(await b.tokens.load(SHOP)).toEqual({
      shop: SHOP,
      accessToken: "shpat_1",
      expiresAt: 5,
      refreshToken: "shprt_1",
    });
    // A holder that never releases (crashed mid-refresh).
    let entered!: () => void;
    const holding = new Promise<void>((resolve) => {
      entered = resolve;
    });
    void a.tokens.withLock(SHOP, () => {
      entered();
      return new Promise(() => undefined);
    });
    await holding;
    const started = Date.now();
    await b.tokens.withLock(SHOP, async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    await b.tokens.delete(SHOP);
    expect(await a.tokens.load(SHOP)).toBeUndefined();
  });

  it("excludes concurrent lock holders: read-modify-write under the lock loses no update", async () => {
    const stores = await Promise.all([open(), open(), open()]);
    await stores[0]?.tokens.save({ shop: SHOP, accessToken: "shpat_0" });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const store = stores[i % stores.length] as Handle;
        return store.tokens.withLock(SHOP, async () => {
          const current = await store.tokens.load(SHOP);
          const n = Number(current?.accessToken.slice("shpat_".length));
          await new Promise((resolve) => setTimeout(resolve, 2));
          await store.tokens.save({ shop: SHOP, accessToken: `shpat_${n + 1}` });
        });
      }),
    );
    expect((await stores[1]?.tokens.load(SHOP))?.accessToken).toBe("shpat_12");
  });

  describe("with the fake Shopify", () => {
    let fake: FakeShopify;
    let clock: number;
    beforeEach(async () => {
      clock = Date.now();
      fake = await startFake({ now: () => clock });
    });
    afterEach(() => fake.close());

    it("several workers on one database refresh an expiring token once and persist it", async () => {
      const stores = await Promise.all([open(), open(), open()]);
      const workers = stores.map((store) =>
        createOfflineTokens({ shopify: makeShopify(fake), store: store.tokens, now: () => clock }),
      );
      const installed = await workers[0]?.install({
        shop: SHOP,
        sessionToken: await fake.sessionToken(SHOP),
      });
      clock += 3_600_000;
      const sessions = await Promise.all(workers.map((w) => w.getSession(SHOP)));
      expect(new Set(sessions.map((s) => s.accessToken)).size).toBe(1);
      expect(fake.grants.filter((g) => g.grantType === "refresh_token")).toHaveLength(1);
      // The rotated pair is what every handle now reads: nobody is left with a dead refresh token.
      const persisted = await stores[2]?.tokens.load(SHOP);
      expect(persisted?.accessToken).toBe(sessions[0]?.accessToken);
      expect(persisted?.refreshToken).toBeDefined();
      expect(persisted?.refreshToken).not.toBe(installed?.refreshToken);
    });
  });
});

describe("postgres store when PostgreSQL drops its connections", () => {
  it("does not crash the process, and the next call reconnects", async () => {
    const database = await createTestDatabase();
    const store = await openPostgresShopifyStore({ connectionString: database.url });
    try {
      await store.tokens.load(SHOP);
      expect(store.pool.idleCount).toBeGreaterThan(0);
      // A restart or failover ends every session; an idle pooled client then emits "error" on
      // the pool, which would be an uncaught exception (the test run fails) with no listener.
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        );
      } finally {
        await admin.end();
      }
      await waitFor(() => store.pool.totalCount === 0, {
        what: "the pool to drop its dead clients",
      });
      expect(await store.tokens.load(SHOP)).toBeUndefined();
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
