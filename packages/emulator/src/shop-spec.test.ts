import { describe, expect, it } from "vitest";
import { parseIsoDateTime } from "./format-time.js";
import {
  generateApiKey,
  isApiKeyFormat,
  maskApiKey,
  normaliseDomain,
  normaliseHost,
  parseShopSpec,
} from "./shop-spec.js";

describe("parseShopSpec", () => {
  it("splits on the first two colons only", () => {
    expect(
      parseShopSpec(
        "shop_ab12cd34:sk_0123456789abcdef0123456789abcdef:https://shop.example:8443/x",
      ),
    ).toEqual({
      shopId: "shop_ab12cd34",
      apiKey: "sk_0123456789abcdef0123456789abcdef",
      url: "https://shop.example:8443/x",
    });
  });

  it.each([
    ["shop_only", /expected "<shopId>:<apiKey>:<shopUrl>"/],
    ["shop:sk_1", /expected "<shopId>:<apiKey>:<shopUrl>"/],
    ["shop:sk_live_abc123:https://x.example", /32 lower-case hex/],
    ["bad id:sk_0123456789abcdef0123456789abcdef:https://x.example", /Invalid shop id/],
    ["shop:sk_0123456789abcdef0123456789abcdef:", /Invalid shop URL/],
  ])("rejects %s", (text, message) => {
    expect(() => parseShopSpec(text)).toThrow(message);
  });
});

describe("keys and domains", () => {
  it("generates and masks keys in the real format", () => {
    const key = generateApiKey();
    expect(isApiKeyFormat(key)).toBe(true);
    expect(key).toHaveLength(35);
    expect(maskApiKey(key)).toBe(`sk_…${key.slice(-4)}`);
  });

  it("normalises domains the way the backend does", () => {
    for (const value of [
      "https://example.com",
      "http://www.example.com/",
      "example.com",
      "EXAMPLE.com//",
    ]) {
      expect(normaliseDomain(value)).toBe("example.com");
    }
    expect(normaliseDomain("https://example.com/shop/")).toBe("example.com/shop");
    expect(normaliseHost("https://www.example.com:8080/shop")).toBe("example.com:8080");
  });

  it("stays linear on hostile input (ReDoS regression)", () => {
    // A quadratic regex would need ~10^10 steps here and hit the test timeout.
    const hostile = `https://${"/".repeat(100_000)}x${"/".repeat(100_000)}`;
    expect(normaliseDomain(hostile).endsWith("x")).toBe(true);
    expect(normaliseHost(hostile)).toBe("");
  });
});

describe("parseIsoDateTime", () => {
  it.each([
    ["2026-05-06T10:15:00", Date.UTC(2026, 4, 6, 10, 15)],
    ["2026-05-06T10:15:00.5Z", Date.UTC(2026, 4, 6, 10, 15, 0, 500)],
    ["2026-05-06T12:15+02:00", Date.UTC(2026, 4, 6, 10, 15)],
    ["2026-05-06T12:15:00+0200", Date.UTC(2026, 4, 6, 10, 15)],
    ["2026-05-06", Date.UTC(2026, 4, 6)],
    ["2026-05-06T10:15:00.123456789", Date.UTC(2026, 4, 6, 10, 15, 0, 123)],
  ])("parses %s", (text, expected) => {
    expect(parseIsoDateTime(text)).toBe(expected);
  });

  it.each(["yesterday", "2026-13-01", "2026-05-06T25:00", ""])("rejects %s", (text) => {
    expect(parseIsoDateTime(text)).toBeNull();
  });
});
