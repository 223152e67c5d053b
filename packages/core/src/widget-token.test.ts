import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "./errors.js";
import {
  signWidgetToken,
  WIDGET_TOKEN_REFRESH_MARGIN_SEC,
  WIDGET_TOKEN_TTL_SEC,
  WidgetTokenCache,
} from "./widget-token.js";

const API_KEY = "sk_0123456789abcdef0123456789abcdef";
const SHOP_ID = "shop_abc12345";
const NOW_SECONDS = 1_715_000_000;
// Computed once with `openssl dgst -sha256 -hmac` + `base64 | tr "+/" "-_" | tr -d =`.
const PINNED_TOKEN =
  "c2hvcF9hYmMxMjM0NToxNzE1MDAwMDAwOjE1MDBmY2ExNzY3YWVjMzg4Zjg1NGZiM2NhYWI2NDYzZmFjMmNlMTUwZmU4YWExZDVlOTlhMWYxYmRmYzFmM2I";

describe("signWidgetToken", () => {
  it("produces base64url(shopId:ts:hex(hmac)) computed independently", () => {
    const signature = createHmac("sha256", API_KEY)
      .update("shop_abc12345:1715000000")
      .digest("hex");
    const expected = Buffer.from(`shop_abc12345:1715000000:${signature}`)
      .toString("base64")
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    expect(signWidgetToken({ shopId: SHOP_ID, apiKey: API_KEY, nowSeconds: NOW_SECONDS })).toBe(
      expected,
    );
  });

  it("matches the pinned token for a known key and time", () => {
    expect(signWidgetToken({ shopId: SHOP_ID, apiKey: API_KEY, nowSeconds: NOW_SECONDS })).toBe(
      PINNED_TOKEN,
    );
  });

  it("decodes to the payload and a lower-case hex signature, without padding", () => {
    const token = signWidgetToken({ shopId: SHOP_ID, apiKey: API_KEY, nowSeconds: NOW_SECONDS });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const [shop, ts, signature] = Buffer.from(token, "base64url").toString("utf8").split(":");
    expect(shop).toBe(SHOP_ID);
    expect(ts).toBe("1715000000");
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it("rejects fractional or negative seconds and bad credentials without echoing the key", () => {
    expect(() => signWidgetToken({ shopId: SHOP_ID, apiKey: API_KEY, nowSeconds: 1.5 })).toThrow(
      RangeError,
    );
    expect(() => signWidgetToken({ shopId: SHOP_ID, apiKey: API_KEY, nowSeconds: -1 })).toThrow(
      RangeError,
    );
    const badKey = `${API_KEY}x`;
    let caught: unknown;
    try {
      signWidgetToken({ shopId: SHOP_ID, apiKey: badKey, nowSeconds: NOW_SECONDS });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect(String(caught)).not.toContain(API_KEY);
  });
});

describe("WidgetTokenCache", () => {
  it("signs once for concurrent callers and reports the 24 h expiry", async () => {
    let nowMs = NOW_SECONDS * 1000 + 250;
    const cache = new WidgetTokenCache({ shopId: SHOP_ID, apiKey: API_KEY, now: () => nowMs });
    const [a, b, c] = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(a.token).toBe(PINNED_TOKEN);
    expect(a.expiresAt.getTime()).toBe((NOW_SECONDS + WIDGET_TOKEN_TTL_SEC) * 1000);
    nowMs += 60_000;
    expect(await cache.get()).toBe(a);
  });

  it("re-signs five minutes before expiry, not earlier", async () => {
    let nowMs = NOW_SECONDS * 1000;
    const cache = new WidgetTokenCache({ shopId: SHOP_ID, apiKey: API_KEY, now: () => nowMs });
    const first = await cache.get();
    const refreshAtMs =
      (NOW_SECONDS + WIDGET_TOKEN_TTL_SEC - WIDGET_TOKEN_REFRESH_MARGIN_SEC) * 1000;
    nowMs = refreshAtMs - 1;
    expect(await cache.get()).toBe(first);
    nowMs = refreshAtMs;
    const second = await cache.get();
    expect(second.token).not.toBe(first.token);
    expect(second.token).toBe(
      signWidgetToken({ shopId: SHOP_ID, apiKey: API_KEY, nowSeconds: refreshAtMs / 1000 }),
    );
    cache.clear();
    expect(await cache.get()).not.toBe(second);
  });

  it("validates its options up front", () => {
    expect(() => new WidgetTokenCache({ shopId: "", apiKey: API_KEY })).toThrow(ConfigurationError);
    expect(() => new WidgetTokenCache({ shopId: SHOP_ID, apiKey: "sk_live_abc123" })).toThrow(
      /malformed/,
    );
  });
});
