import { expect, test } from "vitest";
import {
  buildWooCategoryLookup,
  conversionFromOrder,
  createWooCatalogSource,
  createWooStoreReader,
  isWooProductIndexable,
  mapWooProduct,
  parseClicks,
  parseWooWebhook,
  signWooWebhookForTest,
  VERSION,
  verifyWooWebhook,
  WooCommerceError,
  wooTaxRatePercent,
  wooText,
} from "../src/index.js";

test("the public surface is exported and VERSION is set", () => {
  expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  for (const fn of [
    createWooStoreReader,
    createWooCatalogSource,
    mapWooProduct,
    isWooProductIndexable,
    buildWooCategoryLookup,
    wooTaxRatePercent,
    wooText,
    verifyWooWebhook,
    parseWooWebhook,
    signWooWebhookForTest,
    conversionFromOrder,
    parseClicks,
    WooCommerceError,
  ]) {
    expect(typeof fn).toBe("function");
  }
  expect(wooText("T-Shirts &amp; Tops")).toBe("T-Shirts & Tops");
});
