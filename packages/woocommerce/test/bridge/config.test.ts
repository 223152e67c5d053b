import { describe, expect, it } from "vitest";
import {
  BridgeConfigError,
  configWarnings,
  deliveryUrlOf,
  type WooBridgeConfig,
} from "../../src/bridge/config.js";
import { loadBridgeConfig } from "../../src/bridge/env-config.js";
import { msUntilUtcHour } from "../../src/bridge/scheduler.js";

const ENV = {
  WOOCOMMERCE_URL: "https://shop.example",
  WOOCOMMERCE_CONSUMER_KEY: "ck_0123456789abcdef",
  WOOCOMMERCE_CONSUMER_SECRET: "cs_supersecretvalue0123456789",
  WOOCOMMERCE_WEBHOOK_SECRET: "whsec-supersecret-0123456789abcdef",
  WOOCOMMERCE_WEBHOOK_SECRET_PREVIOUS: "whsec-old-0123456789abcdef",
  NEUROON_SHOP_ID: "shop_ab12cd34",
  NEUROON_API_KEY: "sk_0123456789abcdef0123456789abcdef",
  NEUROON_API_URL: "https://dev-api.neuroon.ai",
  BRIDGE_PUBLIC_URL: "https://bridge.example.com/",
  BRIDGE_DATA_DIR: "/var/lib/neuroon",
  BRIDGE_PORT: "8080",
  BRIDGE_POLL_INTERVAL_SEC: "120",
  BRIDGE_RECONCILE_HOUR_UTC: "off",
  NEUROON_ORDER_META_KEYS: "neuroon_clicks, my_clicks",
};

function issuesOf(fn: () => unknown): BridgeConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof BridgeConfigError) return error;
    throw error;
  }
  throw new Error("expected a BridgeConfigError");
}

describe("loadBridgeConfig", () => {
  it("reads every variable", () => {
    const config = loadBridgeConfig(ENV);
    expect(config).toMatchObject({
      woocommerce: {
        url: "https://shop.example",
        webhookSecrets: [ENV.WOOCOMMERCE_WEBHOOK_SECRET, ENV.WOOCOMMERCE_WEBHOOK_SECRET_PREVIOUS],
      },
      neuroon: { shopId: "shop_ab12cd34", apiUrl: "https://dev-api.neuroon.ai" },
      port: 8080,
      dataDir: "/var/lib/neuroon",
      schedule: { pollIntervalMs: 120_000, reconcileHourUtc: false },
      conversions: { orderMetaKeys: ["neuroon_clicks", "my_clicks"] },
    });
    expect(deliveryUrlOf(config)).toBe("https://bridge.example.com/woocommerce/webhooks");
  });

  it("lets overrides win over the environment", () => {
    const config = loadBridgeConfig(ENV, {
      port: 9000,
      woocommerce: { url: "https://b.example" } as WooBridgeConfig["woocommerce"],
    });
    expect(config.port).toBe(9000);
    expect(config.woocommerce.url).toBe("https://b.example");
    expect(config.woocommerce.consumerKey).toBe(ENV.WOOCOMMERCE_CONSUMER_KEY);
  });

  it("lists every problem with the variable, the problem and the fix, and never a secret", () => {
    const error = issuesOf(() =>
      loadBridgeConfig({
        WOOCOMMERCE_URL: "shop.example",
        WOOCOMMERCE_CONSUMER_KEY: "cs_swapped_value_0123",
        WOOCOMMERCE_CONSUMER_SECRET: "cs_supersecretvalue0123456789",
        NEUROON_API_KEY: "sk_live_notAKey_supersecret",
        BRIDGE_PORT: "99999",
        BRIDGE_POLL_INTERVAL_SEC: "soon",
      }),
    );
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual(
      [
        "BRIDGE_DATA_DIR",
        "BRIDGE_POLL_INTERVAL_SEC",
        "BRIDGE_PORT",
        "BRIDGE_PUBLIC_URL",
        "NEUROON_API_KEY",
        "NEUROON_SHOP_ID",
        "WOOCOMMERCE_CONSUMER_KEY",
        "WOOCOMMERCE_URL",
        "WOOCOMMERCE_WEBHOOK_SECRET",
      ].sort(),
    );
    for (const issue of error.issues) {
      expect(issue.problem.length).toBeGreaterThan(5);
      expect(issue.fix.length).toBeGreaterThan(5);
    }
    expect(error.message).not.toContain("supersecret");
    expect(error.message).toContain("WOOCOMMERCE_URL: must be an http(s) URL");
  });

  it("checks the Neuroon settings with core's schema: an upper-case hex key is a key, as for the client", () => {
    const upper = "sk_0123456789ABCDEF0123456789ABCDEF";
    expect(loadBridgeConfig({ ...ENV, NEUROON_API_KEY: upper }).neuroon.apiKey).toBe(upper);
    const error = issuesOf(() =>
      loadBridgeConfig({ ...ENV, NEUROON_API_KEY: "sk_0123", NEUROON_API_URL: "ftp://x" }),
    );
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      "NEUROON_API_KEY",
      "NEUROON_API_URL",
    ]);
    expect(error.message).toContain("NEUROON_API_KEY: is not a Shop API Key");
    expect(error.message).toContain("it is 7 characters long");
  });

  it("does not ask for webhook settings when syncing or reconciling", () => {
    const {
      WOOCOMMERCE_WEBHOOK_SECRET: _a,
      WOOCOMMERCE_WEBHOOK_SECRET_PREVIOUS: _c,
      BRIDGE_PUBLIC_URL: _b,
      ...env
    } = ENV;
    expect(() => loadBridgeConfig(env, {}, "sync")).not.toThrow();
    expect(() => loadBridgeConfig(env, {}, "reconcile")).not.toThrow();
    const error = issuesOf(() => loadBridgeConfig(env, {}, "serve"));
    expect(error.issues.map((issue) => issue.variable)).toEqual([
      "WOOCOMMERCE_WEBHOOK_SECRET",
      "BRIDGE_PUBLIC_URL",
    ]);
  });

  it("reads the worker's coalescing window and validates it", () => {
    expect(loadBridgeConfig(ENV).coalesce).toBeUndefined();
    expect(
      loadBridgeConfig({
        ...ENV,
        BRIDGE_COALESCE_QUIET_MS: "250",
        BRIDGE_COALESCE_MAX_WAIT_MS: "5000",
      }).coalesce,
    ).toEqual({ quietMs: 250, maxWaitMs: 5_000 });
    expect(loadBridgeConfig({ ...ENV, BRIDGE_COALESCE_QUIET_MS: "0" }).coalesce).toEqual({
      quietMs: 0,
    });
    const bad = issuesOf(() =>
      loadBridgeConfig({
        ...ENV,
        BRIDGE_COALESCE_QUIET_MS: "1.5s",
        BRIDGE_COALESCE_MAX_WAIT_MS: "-1",
      }),
    );
    expect(bad.issues.map((issue) => issue.variable)).toEqual([
      "BRIDGE_COALESCE_QUIET_MS",
      "BRIDGE_COALESCE_MAX_WAIT_MS",
    ]);
    expect(bad.issues[0]?.problem).toMatch(/whole number of milliseconds/);
    const inverted = issuesOf(() =>
      loadBridgeConfig({
        ...ENV,
        BRIDGE_COALESCE_QUIET_MS: "2000",
        BRIDGE_COALESCE_MAX_WAIT_MS: "500",
      }),
    );
    expect(inverted.issues).toHaveLength(1);
    expect(inverted.issues[0]).toMatchObject({ variable: "BRIDGE_COALESCE_MAX_WAIT_MS" });
    expect(inverted.issues[0]?.problem).toMatch(/shorter than BRIDGE_COALESCE_QUIET_MS/);
    // From code: the same checks on the object.
    const object = issuesOf(() => loadBridgeConfig(ENV, { coalesce: { quietMs: Number.NaN } }));
    expect(object.issues.map((issue) => issue.variable)).toEqual(["BRIDGE_COALESCE_QUIET_MS"]);
  });

  it("refuses a short webhook secret", () => {
    const error = issuesOf(() => loadBridgeConfig({ ...ENV, WOOCOMMERCE_WEBHOOK_SECRET: "x7q9z" }));
    expect(error.issues[0]).toMatchObject({ variable: "WOOCOMMERCE_WEBHOOK_SECRET" });
    expect(error.message).not.toContain("x7q9z");
  });

  it("needs the current webhook secret even when the previous one is set", () => {
    const { WOOCOMMERCE_WEBHOOK_SECRET: _a, ...env } = ENV;
    const error = issuesOf(() => loadBridgeConfig(env));
    expect(error.issues.map((issue) => issue.variable)).toEqual(["WOOCOMMERCE_WEBHOOK_SECRET"]);
  });
});

describe("configWarnings", () => {
  it("warns about ports and hosts WordPress will not deliver to", () => {
    const config = loadBridgeConfig({ ...ENV, BRIDGE_PUBLIC_URL: "http://127.0.0.1:3000" });
    const warnings = configWarnings(config);
    expect(warnings.join("\n")).toMatch(/port 3000/);
    expect(warnings.join("\n")).toMatch(/private or loopback/);
    expect(warnings.join("\n")).toMatch(/plain http/);
    expect(configWarnings(loadBridgeConfig(ENV))).toEqual([]);
  });
});

describe("msUntilUtcHour", () => {
  it("counts to the next occurrence of the hour", () => {
    const at = Date.UTC(2026, 0, 1, 2, 30);
    expect(msUntilUtcHour(at, 3)).toBe(30 * 60_000);
    expect(msUntilUtcHour(at, 2)).toBe(23.5 * 60 * 60_000);
    expect(msUntilUtcHour(Date.UTC(2026, 0, 1, 3, 0), 3)).toBe(24 * 60 * 60_000);
  });
});
