import type { FakeShopify } from "@neuroon/fake-shopify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryOfflineTokenStore, createShopifyBridge, VERSION } from "../src/index.js";
import { makeShopify, SHOP, startFake } from "./harness.js";

describe("smoke", () => {
  let fake: FakeShopify;
  beforeAll(async () => {
    fake = await startFake();
  });
  afterAll(() => fake.close());

  it("exports a version", () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("installs by token exchange, re-reads products and streams the bulk export", async () => {
    const shopify = makeShopify(fake);
    const bridge = createShopifyBridge({
      shopify,
      tokenStore: createMemoryOfflineTokenStore(),
      queueFor: () => undefined,
      bulkPollIntervalMs: 10,
    });
    const token = await bridge.tokens.install({
      shop: SHOP,
      sessionToken: await fake.sessionToken(SHOP),
    });
    expect(token.refreshToken).toMatch(/^shprt_/);
    const source = bridge.catalogSource(SHOP);
    const first = fake.products(SHOP)[0];
    const read = await source.readProducts([first?.id as string, "123"]);
    expect(read.products.map((p) => p.externalId)).toContain(first?.id);
    expect(read.missing).toEqual(["123"]);
    const batches = [];
    for await (const batch of source.streamCatalog()) batches.push(batch);
    expect(batches.flat().length).toBeGreaterThan(10);
  });
});
