/** Base class of this package's errors. */
export class ShopifyBridgeError extends Error {
  override readonly name: string = "ShopifyBridgeError";
}

/** An Admin API call that failed for good (after the retries that made sense). */
export class ShopifyAdminError extends ShopifyBridgeError {
  override readonly name: string = "ShopifyAdminError";
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** First GraphQL error code (`THROTTLED`, `MAX_COST_EXCEEDED`, `ACCESS_DENIED`…), when any. */
  readonly code: string | undefined;

  constructor(
    message: string,
    details: { status?: number | undefined; code?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
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
      cause === undefined ? undefined : { cause },
    );
    this.shop = shop;
  }
}

/** A bulk operation that ended in FAILED, CANCELED or EXPIRED, or returned user errors. */
export class BulkOperationError extends ShopifyBridgeError {
  override readonly name: string = "BulkOperationError";
  readonly status: string | undefined;
  readonly errorCode: string | undefined;

  constructor(
    message: string,
    details: { status?: string | undefined; errorCode?: string | undefined } = {},
  ) {
    super(message);
    this.status = details.status;
    this.errorCode = details.errorCode;
  }
}
