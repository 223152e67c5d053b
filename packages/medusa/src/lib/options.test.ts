import { MedusaError } from "@medusajs/framework/utils";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "./options";

const valid = {
  shopId: "shop_abc12345",
  apiKey: "sk_0123456789abcdef0123456789abcdef",
  storefrontUrl: "https://shop.example.com/",
  currencyCode: "EUR",
};

describe("resolveOptions", () => {
  it("applies defaults and normalises", () => {
    expect(resolveOptions(valid)).toMatchObject({
      apiUrl: "https://api.neuroon.ai",
      storefrontUrl: "https://shop.example.com",
      currencyCode: "eur",
      productPath: "/products/{handle}",
      brand: { source: "metadata", key: "brand" },
      batchSize: 100,
      maxAttempts: 8,
      maxRetries: 2,
      maxOrphanDeleteRatio: 0.5,
      disableLiveSync: false,
    });
  });

  it("lists every problem at once, with how to fix it", () => {
    let error: unknown;
    try {
      resolveOptions({
        apiKey: "live_123",
        apiUrl: "ftp://x",
        brand: { source: "vendor" },
        batchSize: 501,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MedusaError);
    const message = (error as Error).message;
    expect(message).toContain('"shopId" is required');
    expect(message).toContain('"apiKey" must look like sk_<32 hex>');
    expect(message).not.toContain("live_123");
    expect(message).toContain('"apiUrl" must be an http(s) URL');
    expect(message).toContain('"storefrontUrl" is required');
    expect(message).toContain('set "regionId"');
    expect(message).toContain('"brand.source" must be');
    expect(message).toContain('"batchSize" must be an integer from 1 to 500, received 501');
  });

  it("accepts a region, a link brand and a transform hook", () => {
    const transform = (p: never) => p;
    const o = resolveOptions({
      ...valid,
      currencyCode: undefined,
      regionId: "reg_1",
      brand: { source: "link", field: "brand.name" },
      transform,
      taxInclusive: true,
    });
    expect(o).toMatchObject({
      regionId: "reg_1",
      brand: { source: "link", field: "brand.name" },
      taxInclusive: true,
    });
    expect(o.transform).toBe(transform);
  });

  it("rejects a non-boolean taxInclusive and a path without placeholders", () => {
    expect(() => resolveOptions({ ...valid, taxInclusive: "yes", productPath: "/shop" })).toThrow(
      /"productPath" must contain[\s\S]*"taxInclusive" must be true or false/,
    );
  });
});
