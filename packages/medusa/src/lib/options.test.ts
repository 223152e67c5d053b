import { MedusaError } from "@medusajs/framework/utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveOptions } from "./options";

const valid = {
  shopId: "shop_abc12345",
  apiKey: "sk_0123456789abcdef0123456789abcdef",
  storefrontUrl: "https://shop.example.com/",
  currencyCode: "EUR",
};

describe("resolveOptions", () => {
  // A developer's shell may set these; blank ones are ignored, like unset ones.
  beforeEach(() => {
    for (const name of [
      "NEUROON_API_URL",
      "NEUROON_SHOP_ID",
      "NEUROON_API_KEY",
      "NEUROON_MAX_RETRIES",
    ])
      vi.stubEnv(name, "");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

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

  it("fills shopId and apiKey from NEUROON_SHOP_ID and NEUROON_API_KEY when the options leave them out", () => {
    vi.stubEnv("NEUROON_SHOP_ID", "shop_fromenv1");
    vi.stubEnv("NEUROON_API_KEY", valid.apiKey);
    const { shopId: _shopId, apiKey: _apiKey, ...rest } = valid;
    expect(resolveOptions(rest)).toMatchObject({ shopId: "shop_fromenv1", apiKey: valid.apiKey });
    expect(resolveOptions(valid).shopId).toBe(valid.shopId);
  });

  it("reads NEUROON_API_URL when apiUrl is not set, and apiUrl wins over it", () => {
    vi.stubEnv("NEUROON_API_URL", "http://localhost:4010/");
    expect(resolveOptions(valid).apiUrl).toBe("http://localhost:4010");
    expect(resolveOptions({ ...valid, apiUrl: "https://eu.neuroon.example" }).apiUrl).toBe(
      "https://eu.neuroon.example",
    );
    vi.stubEnv("NEUROON_API_URL", "not a url");
    expect(() => resolveOptions(valid)).toThrow(
      /"apiUrl" \(or NEUROON_API_URL\) must be an http\(s\) URL, received "not a url"/,
    );
  });

  it.each([
    ["sk_live_0123456789abcdef", /; it is 24 characters long\)/],
    ["sk_0123456789abcdef0123456789abcdeg", /; it contains characters other than hex digits\)/],
    ["pk_0123456789abcdef0123456789abcdef", /; it does not start with "sk_"\)/],
  ])(
    "says what is wrong with the key %s, never that a sk_ key does not start with sk_",
    (apiKey, reason) => {
      let message = "";
      try {
        resolveOptions({ ...valid, apiKey });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(reason);
      if (apiKey.startsWith("sk_")) expect(message).not.toContain("does not start");
      expect(message).not.toContain(apiKey);
    },
  );

  it("refuses taxInclusive with no way to find a tax country", () => {
    expect(() => resolveOptions({ ...valid, taxInclusive: true })).toThrow(
      /"taxInclusive" needs a country[\s\S]*set "taxCountryCode"/,
    );
    expect(resolveOptions({ ...valid, taxInclusive: true, taxCountryCode: "DE" })).toMatchObject({
      taxInclusive: true,
      taxCountryCode: "de",
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
    expect(message).toContain('"shopId" (or NEUROON_SHOP_ID) is not set');
    expect(message).toContain('"apiKey" (or NEUROON_API_KEY) is not a Shop API Key');
    expect(message).toContain('it does not start with "sk_"');
    expect(message).not.toContain("live_123");
    expect(message).toContain('"apiUrl" (or NEUROON_API_URL) must be an http(s) URL');
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
