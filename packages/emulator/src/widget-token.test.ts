import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWidgetToken, verifyWidgetTokenWith } from "./widget-token.js";

const KEY = "sk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SHOP = "shop_aaaa0001";
const NOW_MS = 1_715_000_000_000;
const NOW_SEC = NOW_MS / 1000;
const keyOf = (id: string) => (id === SHOP ? KEY : undefined);

describe("widget tokens", () => {
  it("signs exactly the documented recipe", () => {
    const token = signWidgetToken(SHOP, KEY, NOW_SEC);
    const hmac = createHmac("sha256", KEY).update(`${SHOP}:${NOW_SEC}`).digest("hex");
    expect(token).toBe(Buffer.from(`${SHOP}:${NOW_SEC}:${hmac}`).toString("base64url"));
    expect(token).not.toMatch(/[=+/]/);
  });

  it("accepts base64url and standard base64 within 24 h", () => {
    const raw = Buffer.from(
      `${SHOP}:${NOW_SEC - 3600}:${createHmac("sha256", KEY)
        .update(`${SHOP}:${NOW_SEC - 3600}`)
        .digest("hex")}`,
    );
    for (const token of [raw.toString("base64url"), raw.toString("base64")]) {
      expect(verifyWidgetTokenWith(token, keyOf, NOW_MS)).toEqual({
        ok: true,
        shopId: SHOP,
        issuedAtSec: NOW_SEC - 3600,
      });
    }
    expect(
      verifyWidgetTokenWith(signWidgetToken(SHOP, KEY, NOW_SEC - 86_400), keyOf, NOW_MS).ok,
    ).toBe(true);
    expect(verifyWidgetTokenWith(signWidgetToken(SHOP, KEY, NOW_SEC + 300), keyOf, NOW_MS).ok).toBe(
      true,
    );
  });

  it.each([
    ["expired", signWidgetToken(SHOP, KEY, NOW_SEC - 86_401), "token expired"],
    ["future", signWidgetToken(SHOP, KEY, NOW_SEC + 301), "timestamp is in the future"],
    [
      "wrong key",
      signWidgetToken(SHOP, "sk_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", NOW_SEC),
      "signature mismatch",
    ],
    ["unknown shop", signWidgetToken("shop_other", KEY, NOW_SEC), "unknown shop shop_other"],
    ["not base64", "%%%", "token is not base64"],
    ["empty", "", "token is empty or too long"],
    [
      "two parts",
      Buffer.from("a:b").toString("base64url"),
      "token is not shopId:timestamp:signature",
    ],
    [
      "bad timestamp",
      Buffer.from(`${SHOP}:abc:00`).toString("base64url"),
      "timestamp is not unix seconds",
    ],
    [
      "short signature",
      Buffer.from(`${SHOP}:${NOW_SEC}:abc`).toString("base64url"),
      "signature mismatch",
    ],
  ])("rejects %s tokens", (_name, token, reason) => {
    expect(verifyWidgetTokenWith(token, keyOf, NOW_MS)).toEqual({ ok: false, reason });
  });
});
