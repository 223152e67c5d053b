/**
 * How the engine reads the client's typed errors. It goes by `status` and `name` rather than
 * `instanceof` so a client bundled twice (or a test double) is classified the same way.
 */

interface ErrorLike {
  name?: unknown;
  status?: unknown;
  message?: unknown;
  retryAfterMs?: unknown;
  fieldErrors?: unknown;
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === "object" && error !== null ? (error as ErrorLike) : {};
}

function statusOf(error: unknown): number | undefined {
  const status = asErrorLike(error).status;
  return typeof status === "number" ? status : undefined;
}

const RETRYABLE_NAMES = new Set([
  "RateLimitError",
  "ServerError",
  "ConnectionError",
  "TimeoutError",
]);

/** 429, 5xx, a dropped connection or a timeout: the same request may succeed later. */
export function isRetryableError(error: unknown): boolean {
  const { name } = asErrorLike(error);
  if (typeof name === "string" && RETRYABLE_NAMES.has(name)) return true;
  const status = statusOf(error);
  return status === 408 || status === 429 || (status !== undefined && status >= 500);
}

const CONTENT_ERROR_NAMES = new Set([
  "ValidationError",
  "BadRequestError",
  "ConflictError",
  "UnprocessableEntityError",
]);

/**
 * The request itself was refused for its content (400, 409 drift/duplicate, 422 business rule):
 * sending the same batch again fails again, so the engine splits it to find the offender.
 */
export function isContentError(error: unknown): boolean {
  const { name } = asErrorLike(error);
  if (typeof name === "string" && CONTENT_ERROR_NAMES.has(name)) return true;
  const status = statusOf(error);
  return status === 400 || status === 409 || status === 422;
}

/** 404: for a DELETE, the product is already gone. */
export function isNotFoundError(error: unknown): boolean {
  return asErrorLike(error).name === "NotFoundError" || statusOf(error) === 404;
}

/** 401/403: a wrong key, origin or shop; nothing will succeed until someone fixes the config. */
export function isAuthError(error: unknown): boolean {
  const status = statusOf(error);
  return status === 401 || status === 403;
}

/** The server's hint for a 429, if the client parsed one. */
export function retryAfterMsOf(error: unknown): number | undefined {
  const value = asErrorLike(error).retryAfterMs;
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

const MAX_REASON_CHARS = 1_000;

/** A one-line reason for reports and dead letters, with field errors when the server gave them. */
export function describeError(error: unknown): string {
  const like = asErrorLike(error);
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
