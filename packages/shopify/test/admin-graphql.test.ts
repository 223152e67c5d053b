import type { FakeShopify } from "@neuroon/fake-shopify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type AdminRequestEvent,
  createAdminGraphql,
  createMemoryOfflineTokenStore,
  createOfflineTokens,
  type OfflineTokens,
  ShopifyAdminError,
} from "../src/index.js";
import { makeShopify, SHOP, startFake } from "./harness.js";

const SHOP_QUERY = "query Shop { shop { currencyCode taxesIncluded } }";
const COSTLY_QUERY =
  "query Costly { products(first: 20) { nodes { id title variants(first: 2) { nodes { id price } } } } }";

describe("cost-aware Admin GraphQL", () => {
  let fake: FakeShopify;
  let tokens: OfflineTokens;
  let events: AdminRequestEvent[];
  let sleeps: number[];

  beforeEach(async () => {
    fake = await startFake({ bucket: { maximumAvailable: 200, restoreRate: 100 } });
    const shopify = makeShopify(fake);
    tokens = createOfflineTokens({ shopify, store: createMemoryOfflineTokenStore() });
    await tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    events = [];
    sleeps = [];
  });
  afterEach(() => fake.close());

  const client = (realSleep = false) =>
    createAdminGraphql({
      shopify: makeShopify(fake),
      shop: SHOP,
      sessions: tokens,
      onEvent: (event) => events.push(event),
      random: () => 0,
      ...(realSleep
        ? {}
        : {
            sleep: async (ms: number) => {
              sleeps.push(ms);
            },
          }),
    });

  it("reads data and tracks the bucket from extensions.cost", async () => {
    const admin = client();
    await expect(admin.request(SHOP_QUERY)).resolves.toEqual({
      shop: { currencyCode: "EUR", taxesIncluded: true },
    });
    expect(admin.throttleStatus()).toMatchObject({ maximumAvailable: 200, restoreRate: 100 });
  });

  it("waits out THROTTLED (HTTP 200) for (requested − available) / restoreRate and then succeeds", async () => {
    const admin = client(true);
    fake.drainBucket(SHOP, 0);
    const data = await admin.request<{ products: { nodes: unknown[] } }>(COSTLY_QUERY);
    expect(data.products.nodes).toHaveLength(20);
    const throttled = events.filter((e) => e.type === "throttled");
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    const first = throttled[0] as Extract<AdminRequestEvent, { type: "throttled" }>;
    const cost = first.cost;
    expect(cost?.requestedQueryCost).toBeGreaterThan(cost?.throttleStatus.currentlyAvailable ?? 0);
    expect(first.waitMs).toBeGreaterThanOrEqual(250);
    expect(fake.requests.filter((r) => r.throttled)).toHaveLength(throttled.length);
  });

  it("paces the next call from the last known bucket instead of getting THROTTLED", async () => {
    const admin = client(true);
    await admin.request(COSTLY_QUERY);
    fake.drainBucket(SHOP, 0);
    // The client has not seen the drain; the fake answers THROTTLED once, then the client paces.
    await admin.request(COSTLY_QUERY);
    await admin.request(COSTLY_QUERY);
    const throttledCalls = fake.requests.filter((r) => r.throttled).length;
    expect(throttledCalls).toBeLessThanOrEqual(1);
    expect(events.some((e) => e.type === "paced")).toBe(true);
  });

  it("retries 429 honouring Retry-After in seconds, and 5xx with backoff", async () => {
    const admin = client();
    fake.failNext(1, { status: 429, retryAfter: "2" });
    fake.failNext(2, { status: 503 });
    await expect(admin.request(SHOP_QUERY)).resolves.toMatchObject({
      shop: { currencyCode: "EUR" },
    });
    expect(sleeps).toEqual([2000, 2000, 4000]);
    expect(
      events.filter((e) => e.type === "retry").map((e) => (e as { reason: string }).reason),
    ).toEqual(["HTTP 429", "HTTP 503", "HTTP 503"]);
  });

  it("gives up after maxRetries with a ShopifyAdminError carrying the status", async () => {
    const admin = client();
    fake.failNext(5, { status: 500 });
    const error = await admin.request(SHOP_QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopifyAdminError);
    expect(error).toMatchObject({ status: 500 });
    expect(sleeps).toHaveLength(4);
  });

  it("refreshes the offline token once on 401 and repeats the call", async () => {
    const admin = client();
    fake.revokeAccessTokens(SHOP);
    await expect(admin.request(SHOP_QUERY)).resolves.toBeDefined();
    expect(events).toContainEqual({ type: "token_refreshed" });
    expect(fake.grants.filter((g) => g.grantType === "refresh_token" && g.ok)).toHaveLength(1);
  });

  it("reports GraphQL errors (validation, MAX_COST_EXCEEDED) without retrying", async () => {
    const admin = client();
    await expect(admin.request("query { shop { nope } }")).rejects.toThrow(
      /Field 'nope' doesn't exist on type 'Shop'/,
    );
    const tooCostly =
      "query { products(first: 250) { nodes { id variants(first: 250) { nodes { id } } } } }";
    await expect(admin.request(tooCostly)).rejects.toMatchObject({ code: "MAX_COST_EXCEEDED" });
    expect(sleeps).toEqual([]);
  });
});
