import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeShopify } from "@neuroon/fake-shopify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createOfflineTokens,
  openSqliteShopifyStore,
  type SqliteShopifyStore,
} from "../src/index.js";
import { makeShopify, SHOP, startFake } from "./harness.js";

describe("SQLite store shared by several processes", () => {
  let directory: string;
  let stores: SqliteShopifyStore[];
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "neuroon-shopify-sqlite-"));
    stores = [];
  });
  afterEach(async () => {
    for (const store of stores) store.close();
    await rm(directory, { recursive: true, force: true });
  });
  const open = (overrides: { now?: () => number; lockLeaseMs?: number } = {}) => {
    const store = openSqliteShopifyStore({ path: join(directory, "shopify.db"), ...overrides });
    stores.push(store);
    return store;
  };

  it("lets exactly one handle claim a webhook id; release and expiry allow it again", async () => {
    let clock = 1_000_000;
    const a = open({ now: () => clock });
    const b = open({ now: () => clock });
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
    const a = open({ lockLeaseMs: 50 });
    const b = open({ lockLeaseMs: 50 });
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
    void a.tokens.withLock(SHOP, () => new Promise(() => undefined));
    const started = Date.now();
    await b.tokens.withLock(SHOP, async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    await b.tokens.delete(SHOP);
    expect(await a.tokens.load(SHOP)).toBeUndefined();
  });

  describe("with the fake Shopify", () => {
    let fake: FakeShopify;
    let clock: number;
    beforeEach(async () => {
      clock = Date.now();
      fake = await startFake({ now: () => clock });
    });
    afterEach(() => fake.close());

    it("two workers on one database refresh an expiring token once", async () => {
      const workers = [open(), open(), open()].map((store) =>
        createOfflineTokens({ shopify: makeShopify(fake), store: store.tokens, now: () => clock }),
      );
      await workers[0]?.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
      clock += 3_600_000;
      const sessions = await Promise.all(workers.map((w) => w.getSession(SHOP)));
      expect(new Set(sessions.map((s) => s.accessToken)).size).toBe(1);
      expect(fake.grants.filter((g) => g.grantType === "refresh_token")).toHaveLength(1);
    });
  });
});
