import { describe, expect, it } from "vitest";
import {
  NEUROON_SETTINGS_ENV,
  NeuroonSettingsSchema,
  PartialNeuroonSettingsSchema,
  parseNeuroonSettings,
  readNeuroonSettingsFromEnv,
} from "./settings.js";

const KEY = "sk_0123456789abcdef0123456789ABCDEF";

describe("parseNeuroonSettings", () => {
  it("accepts valid settings, the key in either hex case (contract §1.3)", () => {
    const result = parseNeuroonSettings({
      apiUrl: "https://dev-api.neuroon.ai",
      shopId: "shop_dev_ab12",
      apiKey: KEY,
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    expect(result).toEqual({
      success: true,
      output: {
        apiUrl: "https://dev-api.neuroon.ai",
        shopId: "shop_dev_ab12",
        apiKey: KEY,
        timeoutMs: 5_000,
        maxRetries: 0,
      },
    });
  });

  it("reports every problem with its path, variable and a fix, never echoing the key", () => {
    const secret = "sk_live_supersecret_value";
    const result = parseNeuroonSettings({
      apiUrl: "ftp://x",
      shopId: " shop_1",
      apiKey: secret,
      timeoutMs: -5,
      maxRetries: 1.5,
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((issue) => [issue.path, issue.variable])).toEqual([
      ["apiUrl", "NEUROON_API_URL"],
      ["shopId", "NEUROON_SHOP_ID"],
      ["apiKey", "NEUROON_API_KEY"],
      ["timeoutMs", "NEUROON_TIMEOUT_MS"],
      ["maxRetries", "NEUROON_MAX_RETRIES"],
    ]);
    const apiKeyIssue = result.issues.find((issue) => issue.path === "apiKey");
    expect(apiKeyIssue?.message).toMatch(/it is 25 characters long/);
    expect(apiKeyIssue?.received).toBeUndefined();
    expect(JSON.stringify(result.issues)).not.toContain("supersecret");
    expect(result.issues.find((issue) => issue.path === "timeoutMs")).toMatchObject({
      message: "must be a positive number of milliseconds",
      received: "-5",
    });
  });

  it("requires shopId and apiKey, unless the partial schema is used", () => {
    const missing = parseNeuroonSettings({});
    expect(missing.success ? [] : missing.issues.map((issue) => issue.path)).toEqual([
      "shopId",
      "apiKey",
    ]);
    expect(parseNeuroonSettings({}, PartialNeuroonSettingsSchema).success).toBe(true);
    expect(parseNeuroonSettings({ apiKey: "sk_short" }, PartialNeuroonSettingsSchema).success).toBe(
      false,
    );
  });

  it("exposes the schema's entries for larger schemas", () => {
    expect(Object.keys(NeuroonSettingsSchema.entries).sort()).toEqual(
      Object.keys(NEUROON_SETTINGS_ENV).sort(),
    );
  });
});

describe("readNeuroonSettingsFromEnv", () => {
  it("reads, trims and converts the variables, leaving blanks out and bad numbers as received", () => {
    expect(
      readNeuroonSettingsFromEnv({
        NEUROON_SHOP_ID: " shop_1 ",
        NEUROON_API_KEY: KEY,
        NEUROON_API_URL: "",
        NEUROON_TIMEOUT_MS: "2500",
        NEUROON_MAX_RETRIES: "many",
      }),
    ).toEqual({ shopId: "shop_1", apiKey: KEY, timeoutMs: 2_500, maxRetries: "many" });
    const result = parseNeuroonSettings(
      readNeuroonSettingsFromEnv({ NEUROON_MAX_RETRIES: "many" }),
      PartialNeuroonSettingsSchema,
    );
    expect(result.success ? undefined : result.issues[0]).toMatchObject({
      variable: "NEUROON_MAX_RETRIES",
      message: "must be an integer >= 0",
      received: '"many"',
    });
  });
});

describe("messages", () => {
  it("say a missing value is not set and carry the fix", () => {
    const result = parseNeuroonSettings({ apiKey: KEY });
    expect(result.success ? undefined : result.issues).toEqual([
      {
        path: "shopId",
        variable: "NEUROON_SHOP_ID",
        message: "is not set",
        fix: expect.stringContaining("Dashboard → Shop"),
        received: undefined,
      },
    ]);
  });
});
