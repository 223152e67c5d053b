import { createHmac } from "node:crypto";
import { validateApiKey, validateShopId } from "./config.js";

/**
 * Widget Tokens are signed locally, never fetched from the API (contract §5.1):
 * `base64url(shopId + ":" + unixSeconds + ":" + hex(HMAC-SHA256(apiKey, shopId + ":" + unixSeconds)))`.
 */

/** Neuroon accepts a token for 24 hours after its timestamp. */
export const WIDGET_TOKEN_TTL_SEC = 24 * 60 * 60;
/** A cached token is replaced this long before it expires, so a page never gets a dying one. */
export const WIDGET_TOKEN_REFRESH_MARGIN_SEC = 5 * 60;

/** Inputs of {@link signWidgetToken}. */
export interface SignWidgetTokenInput {
  shopId: string;
  apiKey: string;
  /** Unix time in whole seconds (UTC). */
  nowSeconds: number;
}

/** Signs a Widget Token; pure, so the same inputs always give the same token. */
export function signWidgetToken({ shopId, apiKey, nowSeconds }: SignWidgetTokenInput): string {
  validateShopId(shopId);
  validateApiKey(apiKey);
  if (!Number.isSafeInteger(nowSeconds) || nowSeconds < 0) {
    throw new RangeError(
      `nowSeconds must be whole Unix seconds, received ${nowSeconds}; use Math.floor(Date.now() / 1000).`,
    );
  }
  const payload = `${shopId}:${nowSeconds}`;
  const signature = createHmac("sha256", apiKey).update(payload, "utf8").digest("hex");
  // Node's base64url alphabet omits "=" padding, as the recipe requires.
  return Buffer.from(`${payload}:${signature}`, "utf8").toString("base64url");
}

/** Options of {@link WidgetTokenCache}. */
export interface WidgetTokenCacheOptions {
  shopId: string;
  apiKey: string;
  /** Clock in milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/** A token and the moment Neuroon stops accepting it. */
export interface CachedWidgetToken {
  token: string;
  expiresAt: Date;
}

/**
 * One Widget Token per shop, re-signed {@link WIDGET_TOKEN_REFRESH_MARGIN_SEC} before its 24 h
 * expiry. Concurrent callers share one signature. The cache lives in this process; on several
 * pods each signs its own token, which is fine because any valid token works.
 */
export class WidgetTokenCache {
  readonly #shopId: string;
  readonly #apiKey: string;
  readonly #now: () => number;
  #current: Promise<CachedWidgetToken> | undefined;
  #refreshAtMs = 0;

  constructor(options: WidgetTokenCacheOptions) {
    this.#shopId = validateShopId(options.shopId);
    this.#apiKey = validateApiKey(options.apiKey);
    this.#now = options.now ?? Date.now;
  }

  /** The cached token, or a fresh one when the cached one is within the refresh margin. */
  get(): Promise<CachedWidgetToken> {
    const nowMs = this.#now();
    if (this.#current && nowMs < this.#refreshAtMs) return this.#current;
    const nowSeconds = Math.floor(nowMs / 1000);
    const token = signWidgetToken({ shopId: this.#shopId, apiKey: this.#apiKey, nowSeconds });
    const expiresAtMs = (nowSeconds + WIDGET_TOKEN_TTL_SEC) * 1000;
    this.#refreshAtMs = expiresAtMs - WIDGET_TOKEN_REFRESH_MARGIN_SEC * 1000;
    this.#current = Promise.resolve({ token, expiresAt: new Date(expiresAtMs) });
    return this.#current;
  }

  /** Drops the cached token, e.g. after rotating the key. */
  clear(): void {
    this.#current = undefined;
    this.#refreshAtMs = 0;
  }
}
