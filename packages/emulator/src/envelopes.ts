import { formatInstant, formatLocalDateTime } from "./format-time.js";

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The HTTP reason phrase the backend puts in `error` (Spring's `HttpStatus.getReasonPhrase()`). */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Error";
}

/** A response the router writes: status, extra headers and a JSON body (none for 204). */
export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** E1, the `GlobalExceptionHandler` envelope `{timestamp, status, error, message, path}`. */
export function standardError(
  status: number,
  message: string,
  path: string,
  nowMs: number,
): ApiResponse {
  return {
    status,
    headers: {},
    body: {
      timestamp: formatLocalDateTime(nowMs),
      status,
      error: reasonPhrase(status),
      message,
      path,
    },
  };
}

/** E2, Spring's default body for 405/409/415: no `message`. */
export function springDefaultError(status: number, path: string, nowMs: number): ApiResponse {
  return {
    status,
    headers: {},
    body: { timestamp: formatLocalDateTime(nowMs), status, error: reasonPhrase(status), path },
  };
}

/** The `ApiKeyAuthenticationFilter` body `{error, status}` used for 401/403 before routing. */
export function authFilterError(status: 401 | 403, error: string): ApiResponse {
  return { status, headers: {}, body: { error, status } };
}

/** E3, the flat 429 body of the rate-limit filters, with `Retry-After` and the limit headers. */
export function rateLimitError(retryAfterSec: number, limit: number, nowMs: number): ApiResponse {
  return {
    status: 429,
    headers: {
      "retry-after": String(retryAfterSec),
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": "0",
    },
    body: {
      error: "rate_limit_exceeded",
      message: "Too many requests. Please try again later.",
      retryAfter: retryAfterSec,
      limit,
      remaining: 0,
      timestamp: formatInstant(nowMs),
    },
  };
}
