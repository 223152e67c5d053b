import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeShopify } from "@neuroon/fake-shopify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFileOfflineTokenStore,
  createMemoryOfflineTokenStore,
  createOfflineTokens,
  type OfflineTokenStore,
  ShopNotConnectedError,
  type StoredOfflineToken,
} from "../src/index.js";
import { makeShopify, SHOP, startFake } from "./harness.js";

const HOUR_MS = 3_600_000;

describe("expiring offline tokens", () => {
  let fake: FakeShopify;
  let clock: number;
  let directory: string;

  beforeEach(async () => {
    clock = Date.now();
    fake = await startFake({ now: () => clock, accessTokenTtlSec: 3600 });
    directory = await mkdtemp(join(tmpdir(), "neuroon-shopify-tokens-"));
  });
  afterEach(async () => {
    await fake.close();
    await rm(directory, { recursive: true, force: true });
  });

  const manager = (store: OfflineTokenStore) =>
    createOfflineTokens({ shopify: makeShopify(fake), store, now: () => clock });

  it("installs with an expiring offline token and persists access and refresh token together", async () => {
    const store = createFileOfflineTokenStore({ directory });
    const tokens = manager(store);
    const installed = await tokens.install({
      shop: SHOP,
      sessionToken: await fake.sessionToken(SHOP),
    });
    expect(installed).toMatchObject({
      shop: SHOP,
      accessToken: expect.stringMatching(/^shpat_/),
      refreshToken: expect.stringMatching(/^shprt_/),
    });
    expect(installed.expiresAt).toBeGreaterThan(clock + HOUR_MS - 60_000);
    const onDisk = JSON.parse(
      await readFile(join(directory, `${SHOP}.json`), "utf8"),
    ) as StoredOfflineToken;
    expect(onDisk).toEqual(installed);
    expect(fake.grants).toEqual([
      { grantType: "urn:ietf:params:oauth:grant-type:token-exchange", shop: SHOP, ok: true },
    ]);
  });

  it("refreshes ahead of expiry, persists the rotated pair atomically, and the old refresh token is dead", async () => {
    const store = createFileOfflineTokenStore({ directory });
    const tokens = manager(store);
    const installed = await tokens.install({
      shop: SHOP,
      sessionToken: await fake.sessionToken(SHOP),
    });
    clock += HOUR_MS - 2 * 60_000; // inside the 5-minute margin
    const session = await tokens.getSession(SHOP);
    expect(session.accessToken).not.toBe(installed.accessToken);
    const stored = await store.load(SHOP);
    expect(stored?.accessToken).toBe(session.accessToken);
    expect(stored?.refreshToken).not.toBe(installed.refreshToken);
    expect((await readdir(directory)).sort()).toEqual([`${SHOP}.json`]);
    const reuse = await fake.fetch(`https://${SHOP}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_id: "test-client-id",
        client_secret: "test-client-secret-0123456789",
        grant_type: "refresh_token",
        refresh_token: installed.refreshToken,
      }),
    });
    expect(reuse.status).toBe(400);
  });

  it("does not refresh a token that is still fresh", async () => {
    const tokens = manager(createMemoryOfflineTokenStore());
    const installed = await tokens.install({
      shop: SHOP,
      sessionToken: await fake.sessionToken(SHOP),
    });
    clock += 30 * 60_000;
    expect((await tokens.getSession(SHOP)).accessToken).toBe(installed.accessToken);
    expect(fake.grants.filter((g) => g.grantType === "refresh_token")).toEqual([]);
  });

  it("single-flights concurrent refreshes in one process", async () => {
    const tokens = manager(createMemoryOfflineTokenStore());
    await tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    clock += HOUR_MS;
    const sessions = await Promise.all(Array.from({ length: 10 }, () => tokens.getSession(SHOP)));
    expect(new Set(sessions.map((s) => s.accessToken)).size).toBe(1);
    expect(fake.grants.filter((g) => g.grantType === "refresh_token")).toEqual([
      { grantType: "refresh_token", shop: SHOP, ok: true },
    ]);
  });

  it("two workers sharing a file store refresh once; the loser uses the winner's token", async () => {
    const workerA = manager(createFileOfflineTokenStore({ directory }));
    const workerB = manager(createFileOfflineTokenStore({ directory }));
    await workerA.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    clock += HOUR_MS;
    const [a, b] = await Promise.all([workerA.getSession(SHOP), workerB.getSession(SHOP)]);
    expect(a.accessToken).toBe(b.accessToken);
    expect(fake.grants.filter((g) => g.grantType === "refresh_token")).toHaveLength(1);
    // And the token works against the Admin API.
    const response = await fake.fetch(`https://${SHOP}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-shopify-access-token": a.accessToken as string,
      },
      body: JSON.stringify({ query: "{ shop { currencyCode } }" }),
    });
    expect(response.status).toBe(200);
  });

  it("recovers a lock file left by a crashed worker", async () => {
    const store = createFileOfflineTokenStore({ directory, staleLockMs: 50 });
    const tokens = manager(store);
    await tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(directory, `${SHOP}.lock`), "99999");
    clock += HOUR_MS;
    await expect(tokens.getSession(SHOP)).resolves.toBeDefined();
  });

  it("refreshAfterRejection replaces a token Shopify refused even before its expiry", async () => {
    const tokens = manager(createMemoryOfflineTokenStore());
    const installed = await tokens.install({
      shop: SHOP,
      sessionToken: await fake.sessionToken(SHOP),
    });
    const session = await tokens.refreshAfterRejection(SHOP, installed.accessToken);
    expect(session.accessToken).not.toBe(installed.accessToken);
    // A second worker reporting the same stale token does not refresh again.
    const again = await tokens.refreshAfterRejection(SHOP, installed.accessToken);
    expect(again.accessToken).toBe(session.accessToken);
    expect(fake.grants.filter((g) => g.grantType === "refresh_token")).toHaveLength(1);
  });

  it("fails with ShopNotConnectedError when the refresh token is dead (uninstalled)", async () => {
    const tokens = manager(createMemoryOfflineTokenStore());
    await tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    await fake.uninstall(SHOP);
    clock += HOUR_MS;
    await expect(tokens.getSession(SHOP)).rejects.toBeInstanceOf(ShopNotConnectedError);
    await expect(
      manager(createMemoryOfflineTokenStore()).getSession("other.myshopify.com"),
    ).rejects.toBeInstanceOf(ShopNotConnectedError);
  });

  it("rejects a session token signed with another secret", async () => {
    const tokens = manager(createMemoryOfflineTokenStore());
    const { getJwt } = await import("@shopify/shopify-api/test-helpers");
    const forged = (await getJwt("neuroon-test", "test-client-id", "wrong-secret")).token;
    await expect(tokens.install({ shop: SHOP, sessionToken: forged })).rejects.toThrow();
  });
});
