import { afterEach, describe, expect, it } from "vitest";
import {
  clearRegisteredSecrets,
  maskSecret,
  redactSecrets,
  registerArgvSecrets,
  registerEnvironmentSecrets,
  registerSecretsIn,
} from "../src/cli/redact.js";

afterEach(() => clearRegisteredSecrets());

describe("redactSecrets", () => {
  it("masks anything shaped like a Shop API Key or a WooCommerce key, registered or not", () => {
    const text =
      "key sk_0123456789abcdef0123456789abcdef and ck_0123456789abcdef0123456789abcdef01234567";
    expect(redactSecrets(text)).toBe("key sk_…cdef and ck_…4567");
  });

  it("masks registered values from the environment, argv and config sections", () => {
    registerEnvironmentSecrets({
      WOOCOMMERCE_CONSUMER_SECRET: "plain-secret-value",
      NEUROON_SHOP_ID: "shop_visible",
    });
    registerArgvSecrets(["sync", "--api-key", "custom-key-123", "--webhook-secret=hook-secret-9"]);
    registerSecretsIn({
      woocommerce: { auth: { password: "hunter2hunter2" } },
      shopId: "shop_also_visible",
    });
    const text =
      "plain-secret-value custom-key-123 hook-secret-9 hunter2hunter2 shop_visible shop_also_visible";
    expect(redactSecrets(text)).toBe("…alue …-123 …et-9 …ter2 shop_visible shop_also_visible");
  });

  it("never reveals short secrets", () => {
    expect(maskSecret("abcdefgh")).toBe("[REDACTED]");
  });
});
