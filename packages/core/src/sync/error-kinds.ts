import { NeuroonError, StoreError } from "../errors.js";
import { isRetryableStatus } from "../retry.js";

/**
 * How the engine reads errors. It decides by brand, not by shape: a {@link StoreError} (any
 * adapter's, even from another copy of core) speaks for the store, any other {@link NeuroonError}
 * for Neuroon's API. A store's 401 is therefore never taken for Neuroon refusing the key, and a
 * store's 429 keeps its `Retry-After`. Unbranded errors (a `TypeError`, a bug) are none of these.
 */

/** A Neuroon API error (or a connection/timeout on the way to Neuroon), not a store's. */
function neuroonApiError(error: unknown): (NeuroonError & { status?: unknown }) | undefined {
  return NeuroonError.isNeuroonError(error) && !StoreError.isStoreError(error) ? error : undefined;
}

function neuroonStatusOf(error: unknown): number | undefined {
  const status = neuroonApiError(error)?.status;
  return typeof status === "number" ? status : undefined;
}

/** 429, 5xx, a dropped connection or a timeout: the same request may succeed later. */
export function isRetryableError(error: unknown): boolean {
  if (StoreError.isStoreError(error)) return error.isRetryable;
  const apiError = neuroonApiError(error);
  if (apiError === undefined) return false;
  if (apiError.name === "ConnectionError" || apiError.name === "TimeoutError") return true;
  const status = neuroonStatusOf(error);
  return status !== undefined && isRetryableStatus(status);
}

/**
 * Neuroon refused the request for its content (400 `ValidationError`, 409 `ConflictError` for
 * drift or a duplicate, 422 `UnprocessableEntityError`): sending the same batch again fails again,
 * so the engine splits it to find the offender.
 */
export function isContentError(error: unknown): boolean {
  const status = neuroonStatusOf(error);
  return status === 400 || status === 409 || status === 422;
}

/** Neuroon's 404: for a DELETE, the product is already gone. */
export function isNotFoundError(error: unknown): boolean {
  return neuroonStatusOf(error) === 404;
}

/** Neuroon's 401/403: a wrong key, origin or shop; nothing succeeds until someone fixes the config. */
export function isAuthError(error: unknown): boolean {
  const status = neuroonStatusOf(error);
  return status === 401 || status === 403;
}

/** The wait the server asked for: Neuroon's 429 or the store's, whichever raised `error`. */
export function retryAfterMsOf(error: unknown): number | undefined {
  if (!NeuroonError.isNeuroonError(error)) return undefined;
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

const MAX_REASON_CHARS = 1_000;

interface Describable {
  name?: unknown;
  message?: unknown;
  fieldErrors?: unknown;
}

/** A one-line reason for reports and dead letters, with field errors when the server gave them. */
export function describeError(error: unknown): string {
  const like: Describable = typeof error === "object" && error !== null ? error : {};
  let text = typeof like.message === "string" && like.message !== "" ? like.message : String(error);
  if (typeof like.name === "string" && like.name !== "Error" && !text.startsWith(like.name)) {
    text = `${like.name}: ${text}`;
  }
  if (Array.isArray(like.fieldErrors) && like.fieldErrors.length > 0) {
    const fields = like.fieldErrors
      .map((entry: { field?: unknown; message?: unknown }) =>
        typeof entry?.field === "string" && entry.field !== ""
          ? `${entry.field}: ${String(entry.message)}`
          : String(entry?.message),
      )
      .filter((field) => !text.includes(field));
    if (fields.length > 0) text += ` (${fields.join(", ")})`;
  }
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
}
