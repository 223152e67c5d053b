import type { FakeShopify } from "@neuroon/fake-shopify";
import { afterEach, describe, expect, it } from "vitest";
import {
  assembleBulkProducts,
  BulkOperationError,
  bulkProductsQuery,
  createMemoryOfflineTokenStore,
  createShopifyBridge,
  readJsonl,
  runBulkQuery,
} from "../src/index.js";
import { makeShopify, recordingQueue, SHOP, startEndpoint, startFake } from "./harness.js";

describe("bulk operations against the fake", () => {
  let fake: FakeShopify;
  let endpoint: { url: string; close(): Promise<void> } | undefined;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
    await fake.close();
  });

  it("polls node(id:) until COMPLETED and reassembles out-of-order JSONL", async () => {
    // Long enough that even a loaded machine polls while the operation is still RUNNING.
    fake = await startFake({ bulkLineOrder: "children-first", bulkDelayMs: 600 });
    const bridge = createShopifyBridge({
      shopify: makeShopify(fake),
      tokenStore: createMemoryOfflineTokenStore(),
      queueFor: () => undefined,
    });
    await bridge.tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    const result = await runBulkQuery(bridge.admin(SHOP), bulkProductsQuery({}), {
      pollIntervalMs: 20,
    });
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bulk\/\d+\.jsonl$/);
    const lines = [];
    for await (const line of readJsonl(result.url as string)) lines.push(line);
    expect(lines[0]?.__parentId).toBeDefined(); // children really come first
    expect(result.objectCount).toBe(lines.length);
    const assembled = [];
    for await (const item of assembleBulkProducts(readJsonl(result.url as string)))
      assembled.push(item);
    const catalog = fake.products(SHOP);
    expect(assembled).toHaveLength(catalog.length);
    for (const { product, variants } of assembled) {
      const source = catalog.find((p) => `gid://shopify/Product/${p.id}` === product.id);
      expect(variants.map((v) => v.id).sort()).toEqual(
        source?.variants.map((v) => `gid://shopify/ProductVariant/${v.id}`).sort(),
      );
    }
    const polls = fake.requests.filter((r) => r.operationName === "NeuroonBulkOperation");
    expect(polls.length).toBeGreaterThanOrEqual(2);
  });

  it("wakes up on the bulk_operations/finish webhook instead of polling", async () => {
    // The operation must still be running at the first poll (right after the mutation), even on a
    // loaded machine; with 50 ms it sometimes had completed and no wait happened.
    fake = await startFake({ bulkDelayMs: 1_000 });
    const queue = recordingQueue();
    const bridge = createShopifyBridge({
      shopify: makeShopify(fake),
      tokenStore: createMemoryOfflineTokenStore(),
      queueFor: () => queue,
    });
    endpoint = await startEndpoint((input) =>
      bridge.webhooks.handle({ rawBody: input.rawBody, headers: input.headers }),
    );
    fake.subscribe(`${endpoint.url}/webhooks`, ["bulk_operations/finish"]);
    await bridge.tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    const started = Date.now();
    const result = await runBulkQuery(
      bridge.admin(SHOP),
      bulkProductsQuery({ search: "status:ACTIVE" }),
      {
        waiter: bridge.bulkWaiter,
        pollIntervalMs: 60_000,
      },
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.url).not.toBeNull();
    expect(
      fake.deliveries.filter((d) => d.topic === "bulk_operations/finish").map((d) => d.status),
    ).toEqual([200]);
    expect(fake.requests.filter((r) => r.operationName === "NeuroonBulkOperation")).toHaveLength(2);
  });

  it("waits for a free slot when five bulk operations are already running", async () => {
    fake = await startFake({ bulkDelayMs: 200 });
    const bridge = createShopifyBridge({
      shopify: makeShopify(fake),
      tokenStore: createMemoryOfflineTokenStore(),
      queueFor: () => undefined,
    });
    await bridge.tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    const admin = bridge.admin(SHOP);
    const query = bulkProductsQuery({});
    const runs = Array.from({ length: 6 }, () =>
      runBulkQuery(admin, query, {
        pollIntervalMs: 20,
        sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 100))),
      }),
    );
    const results = await Promise.all(runs);
    expect(new Set(results.map((r) => r.id)).size).toBe(6);
  });

  it("reports a FAILED bulk operation as BulkOperationError, and the catalog stream fails with it", async () => {
    fake = await startFake({ bulkDelayMs: 10 });
    const bridge = createShopifyBridge({
      shopify: makeShopify(fake),
      tokenStore: createMemoryOfflineTokenStore(),
      queueFor: () => undefined,
      bulkPollIntervalMs: 10,
    });
    await bridge.tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    fake.failNextBulk(SHOP, "TIMEOUT");
    const error = await runBulkQuery(bridge.admin(SHOP), bulkProductsQuery({}), {
      pollIntervalMs: 10,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkOperationError);
    expect(error).toMatchObject({
      operationStatus: "FAILED",
      errorCode: "TIMEOUT",
      kind: "server",
    });
    fake.failNextBulk(SHOP);
    const stream = async () => {
      for await (const _batch of bridge.catalogSource(SHOP).streamCatalog()) {
        // consume
      }
    };
    await expect(stream()).rejects.toBeInstanceOf(BulkOperationError);
  });

  it("stops a running export when its signal aborts", async () => {
    fake = await startFake({ bulkDelayMs: 5_000 });
    const bridge = createShopifyBridge({
      shopify: makeShopify(fake),
      tokenStore: createMemoryOfflineTokenStore(),
      queueFor: () => undefined,
    });
    await bridge.tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    const controller = new AbortController();
    const running = runBulkQuery(bridge.admin(SHOP), bulkProductsQuery({}), {
      signal: controller.signal,
      waiter: bridge.bulkWaiter,
    });
    setTimeout(() => controller.abort(new Error("shutting down")), 50);
    await expect(running).rejects.toThrow("shutting down");
  });
});
