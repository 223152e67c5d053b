import type { CatalogSource, ChangeQueue } from "@neuroon/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  assembleBulkProducts,
  type ChangeSink,
  createAdminGraphql,
  createBulkOperationWaiter,
  createFileOfflineTokenStore,
  createMemoryDeliveryLog,
  createMemoryOfflineTokenStore,
  createOfflineTokens,
  createShopifyBridge,
  createShopifyCatalogSource,
  createWebhookHandler,
  mapPaidOrder,
  mapShopifyProduct,
  openPostgresShopifyStore,
  openSqliteShopifyStore,
  readJsonl,
  runBulkQuery,
  SHOPIFY_API_VERSION,
  type ShopifyCatalogSource,
  VERSION,
  verifyAppProxyQuery,
  verifyShopifyWebhook,
  type WebhookChange,
} from "../src/index.js";

describe("public surface", () => {
  it("exports the factories and helpers an app needs", () => {
    for (const fn of [
      createShopifyBridge,
      createOfflineTokens,
      createFileOfflineTokenStore,
      createMemoryOfflineTokenStore,
      openSqliteShopifyStore,
      openPostgresShopifyStore,
      createAdminGraphql,
      createShopifyCatalogSource,
      createWebhookHandler,
      createMemoryDeliveryLog,
      createBulkOperationWaiter,
      runBulkQuery,
      readJsonl,
      assembleBulkProducts,
      mapShopifyProduct,
      mapPaidOrder,
      verifyShopifyWebhook,
      verifyAppProxyQuery,
    ]) {
      expect(typeof fn).toBe("function");
    }
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(SHOPIFY_API_VERSION).toBe("2026-10");
  });

  it("fits core's sync engine types", () => {
    expectTypeOf<ShopifyCatalogSource>().toExtend<CatalogSource>();
    expectTypeOf<ChangeQueue>().toExtend<ChangeSink>();
    expectTypeOf<WebhookChange>().toHaveProperty("kind");
  });
});
