import { StoreError, type StoreErrorKind } from "@neuroon/core";

const BRAND = Symbol.for("neuroon.woocommerce.error");

/**
 * What went wrong, coarsely, so callers can branch without parsing codes: core's
 * `StoreErrorKind`. For WooCommerce, `auth` is a wrong key, secret, signature, timestamp or a proxy
 * stripping auth; `rate-limited` a host or WAF limit; `invalid-response` a 2xx whose body is not
 * WooCommerce's JSON (a cache or security plugin page).
 */
export type WooCommerceErrorKind = StoreErrorKind;

/** Constructor fields of {@link WooCommerceError}. */
export interface WooCommerceErrorInit {
  kind: WooCommerceErrorKind;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  /** WordPress error code (`woocommerce_rest_authentication_error`, …) or a transport code. */
  code: string;
  /** The store's own message, if it sent one. */
  storeMessage?: string | undefined;
  /** `GET products` etc., without credentials. */
  request: string;
  /** Milliseconds from a `Retry-After` header (seconds or HTTP date), when the store sent one. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

const AUTH_HINTS: Record<string, string> = {
  "Consumer key is invalid.":
    "Check WOOCOMMERCE_CONSUMER_KEY: it must be a key (ck_…) from WooCommerce → Settings → Advanced → REST API on this store.",
  "Consumer secret is invalid.":
    "Check WOOCOMMERCE_CONSUMER_SECRET: it must be the secret (cs_…) shown once when the key was created.",
  "Invalid signature - provided signature does not match.":
    "Check WOOCOMMERCE_CONSUMER_SECRET, and that WOOCOMMERCE_URL is exactly the store's home URL (scheme, www, port, subdirectory): over http the request is signed with OAuth 1.0a against that URL.",
  "Invalid timestamp.":
    "The clock of this machine and the store's differ by more than 15 minutes; sync the clock (NTP).",
};

function authHint(status: number, code: string, storeMessage: string | undefined): string {
  if (storeMessage && AUTH_HINTS[storeMessage]) return AUTH_HINTS[storeMessage];
  if (storeMessage?.includes("does not have read permissions")) {
    return "The key in WOOCOMMERCE_CONSUMER_KEY lacks read permission; give it Read or Read/Write.";
  }
  if (storeMessage?.includes("does not have write permissions")) {
    return "The key in WOOCOMMERCE_CONSUMER_KEY is read-only; managing webhooks needs a Read/Write key.";
  }
  if (code.startsWith("woocommerce_rest_cannot_") || status === 401) {
    return "The store saw no credentials. Check WOOCOMMERCE_CONSUMER_KEY and WOOCOMMERCE_CONSUMER_SECRET; with an https WOOCOMMERCE_URL the store must know it runs on https (a TLS-terminating proxy that hides it makes WooCommerce ignore Basic auth), otherwise use queryStringAuth or fix is_ssl() on the store.";
  }
  return "Check WOOCOMMERCE_CONSUMER_KEY, WOOCOMMERCE_CONSUMER_SECRET and the key's permissions.";
}

/**
 * A failed WooCommerce REST call: HTTP status, WordPress error code and the store's message,
 * plus a hint naming the setting to fix for authentication failures. Never carries credentials.
 * A core `StoreError`: `kind`, `status`, `retryAfterMs` and `isRetryable` (429, ≥ 500, connection
 * failures, timeouts) are read by the sync engine by brand.
 */
export class WooCommerceError extends StoreError {
  override readonly name = "WooCommerceError";
  declare readonly kind: WooCommerceErrorKind;
  /** HTTP status; 0 when no response arrived. */
  declare readonly status: number;
  readonly code: string;
  readonly storeMessage: string | undefined;
  readonly request: string;
  readonly [BRAND] = true;

  constructor(init: WooCommerceErrorInit) {
    const head = init.status > 0 ? `${init.status} ${init.code}` : init.code;
    let message = `WooCommerce ${init.request} failed: ${head}`;
    if (init.storeMessage) message += ` — ${init.storeMessage}`;
    if (init.kind === "auth") message += ` ${authHint(init.status, init.code, init.storeMessage)}`;
    if (init.kind === "connection" && /header/i.test(String(init.storeMessage))) {
      message +=
        " The store sent oversized response headers (often PHP notices from a plugin); fix the store or raise NODE_OPTIONS=--max-http-header-size.";
    }
    super(message, {
      kind: init.kind,
      status: init.status,
      retryAfterMs: init.retryAfterMs,
      cause: init.cause,
    });
    this.code = init.code;
    this.storeMessage = init.storeMessage;
    this.request = init.request;
  }

  /**
   * `retryAfterMs` in seconds.
   * @deprecated Use `retryAfterMs` (core's `StoreError`).
   */
  get retryAfterSec(): number | undefined {
    return this.retryAfterMs === undefined ? undefined : this.retryAfterMs / 1000;
  }

  /** True for any `WooCommerceError`, even from another copy of this package. */
  static isWooCommerceError(value: unknown): value is WooCommerceError {
    return typeof value === "object" && value !== null && BRAND in value;
  }
}

/** The error kind for an HTTP status (core's `StoreError.kindForStatus`, where 408 is a timeout). */
export function kindForStatus(status: number): WooCommerceErrorKind {
  return StoreError.kindForStatus(status);
}
