import { createHmac, timingSafeEqual } from "node:crypto";
import type { WidgetTokenVerification } from "./types.js";

/** Widget Token lifetime (`app.widget.token-validity-seconds = 86400`, contract §5). */
export const WIDGET_TOKEN_TTL_SEC = 24 * 60 * 60;
/** How far in the future a token's timestamp may be (clock skew); the docs are silent. */
export const WIDGET_TOKEN_MAX_SKEW_SEC = 5 * 60;

function signature(apiKey: string, payload: string): string {
  return createHmac("sha256", apiKey).update(payload).digest("hex");
}

/**
 * Signs a Widget Token with the local recipe (contract §5.1):
 * `base64url(shopId:unixSeconds:hex(HMAC-SHA256(apiKey, "shopId:unixSeconds")))`, no padding.
 */
export function signWidgetToken(shopId: string, apiKey: string, unixSeconds: number): string {
  const payload = `${shopId}:${unixSeconds}`;
  return Buffer.from(`${payload}:${signature(apiKey, payload)}`, "utf8").toString("base64url");
}

/**
 * Validates a Widget Token against the stored keys: base64url or standard base64, a known shop,
 * a matching HMAC (compared in constant time), issued within the last 24 h and at most 5 min in
 * the future. `keyOf` returns the shop's current key, so rotating a key invalidates its tokens.
 */
export function verifyWidgetTokenWith(
  token: string,
  keyOf: (shopId: string) => string | undefined,
  nowMs: number,
): WidgetTokenVerification {
  if (typeof token !== "string" || token.length === 0 || token.length > 1024) {
    return { ok: false, reason: "token is empty or too long" };
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) return { ok: false, reason: "token is not base64" };
  const raw = Buffer.from(token.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
  const parts = raw.split(":");
  if (parts.length !== 3) return { ok: false, reason: "token is not shopId:timestamp:signature" };
  const [shopId = "", timestamp = "", sent = ""] = parts;
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "timestamp is not unix seconds" };
  const apiKey = keyOf(shopId);
  if (apiKey === undefined) return { ok: false, reason: `unknown shop ${shopId}` };
  const expected = Buffer.from(signature(apiKey, `${shopId}:${timestamp}`), "utf8");
  const received = Buffer.from(sent.toLowerCase(), "utf8");
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
    return { ok: false, reason: "signature mismatch" };
  }
  const issuedAtSec = Number(timestamp);
  const nowSec = Math.floor(nowMs / 1000);
  if (issuedAtSec > nowSec + WIDGET_TOKEN_MAX_SKEW_SEC) {
    return { ok: false, reason: "timestamp is in the future" };
  }
  if (nowSec - issuedAtSec > WIDGET_TOKEN_TTL_SEC) return { ok: false, reason: "token expired" };
  return { ok: true, shopId, issuedAtSec };
}
