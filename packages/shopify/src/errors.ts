import { StoreError, type StoreErrorInit, type StoreErrorKind } from "@neuroon/core";

/**
 * Base class of this package's errors: a core `StoreError`, so the sync engine reads its `kind`,
 * `status`, `retryAfterMs` and `isRetryable` by brand.
 */
export class ShopifyBridgeError extends StoreError {
  override readonly name: string = "ShopifyBridgeError";

  constructor(message: string, init: StoreErrorInit = {}) {
    super(message, init);
  }
}

/** An Admin API call that failed for good (after the retries that made sense). */
export class ShopifyAdminError extends ShopifyBridgeError {
  override readonly name: string = "ShopifyAdminError";
  /** First GraphQL error code (`THROTTLED`, `MAX_COST_EXCEEDED`, `ACCESS_DENIED`…), when any. */
  readonly code: string | undefined;

  constructor(
    message: string,
    details: { status?: number | undefined; code?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, {
      kind: adminErrorKind(details.status, details.code),
      status: details.status,
      cause: details.cause,
    });
    this.code = details.code;
  }
}

/** The shop has no usable offline token: not installed, uninstalled, or the refresh token is dead. */
export class ShopNotConnectedError extends ShopifyBridgeError {
  override readonly name: string = "ShopNotConnectedError";
  readonly shop: string;

  constructor(shop: string, reason: string, cause?: unknown) {
    super(
      `Shop ${shop} has no usable offline token: ${reason}. Reinstall or reopen the app to exchange a new one.`,
      { kind: "auth", cause },
    );
    this.shop = shop;
  }
}

/** A bulk operation that ended in FAILED, CANCELED or EXPIRED, or returned user errors. */
export class BulkOperationError extends ShopifyBridgeError {
  override readonly name: string = "BulkOperationError";
  /** The operation's final status (`FAILED`, `CANCELED`, `EXPIRED`, or the last seen on a timeout). */
  readonly operationStatus: string | undefined;
  readonly errorCode: string | undefined;

  constructor(
    message: string,
    details: {
      operationStatus?: string | undefined;
      errorCode?: string | undefined;
      kind?: StoreErrorKind | undefined;
      status?: number | undefined;
    } = {},
  ) {
    // A failed or expired operation may well succeed when run again; a refused query will not.
    super(message, { kind: details.kind ?? "server", status: details.status });
    this.operationStatus = details.operationStatus;
    this.errorCode = details.errorCode;
  }
}

/** GraphQL codes first (THROTTLED arrives with HTTP 200), then the HTTP status; none: no answer. */
function adminErrorKind(status: number | undefined, code: string | undefined): StoreErrorKind {
  if (code === "THROTTLED") return "rate-limited";
  if (code === "ACCESS_DENIED") return "auth";
  if (code === "INTERNAL_SERVER_ERROR") return "server";
  if (status === undefined) return "connection";
  if (status === 200) return "invalid-request";
  return StoreError.kindForStatus(status);
}
