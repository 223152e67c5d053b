import { STATUS_CODES } from "node:http";
import { parseRetryAfterMs } from "./retry.js";

/**
 * Typed errors of the Plugin API client. Every class is built so that the Shop API Key can never
 * reach a message, `toString()`, `util.inspect`, `JSON.stringify` or a hook payload: request
 * headers are never stored, response headers and bodies pass through {@link redactSecrets}.
 */

const NEUROON_ERROR_BRAND: unique symbol = Symbol.for("@neuroon/core.NeuroonError");

/** Shop API Keys (`sk_` + 32 hex) anywhere in server-provided text, e.g. an echoed header. */
const API_KEY_PATTERN = /sk_[0-9a-fA-F]{32}/g;

/** Header names whose values are credentials. */
const SECRET_HEADER_NAMES = new Set([
  "x-shop-api-key",
  "x-widget-token",
  "authorization",
  "cookie",
]);

/** What a redacted credential is replaced with. */
export const REDACTED = "[REDACTED]";

/** Longest excerpt of a non-JSON error body kept in a message. */
const MAX_BODY_EXCERPT_CHARS = 200;

/** Replaces anything shaped like a Shop API Key in `text`. */
export function redactSecrets(text: string): string {
  return text.replace(API_KEY_PATTERN, `sk_${REDACTED}`);
}

/** A copy of `headers` with credential headers replaced by {@link REDACTED}; names lower-cased. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    redacted[lower] = SECRET_HEADER_NAMES.has(lower) ? REDACTED : redactSecrets(value);
  }
  return redacted;
}

/** Deep copy of a parsed JSON body with every string passed through {@link redactSecrets}. */
function redactBody(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactBody);
  if (value !== null && typeof value === "object") {
    const copy: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) copy[key] = redactBody(member);
    return copy;
  }
  return value;
}

/** Base class of every error this package throws on purpose. */
export class NeuroonError extends Error {
  /** Brand checked by {@link NeuroonError.isNeuroonError}; survives a package bundled twice. */
  readonly [NEUROON_ERROR_BRAND] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(redactSecrets(message), options);
    this.name = "NeuroonError";
  }

  /** True for any error from this package, even one created by another copy of it. */
  static isNeuroonError(error: unknown): error is NeuroonError {
    return (
      typeof error === "object" &&
      error !== null &&
      (error as { [NEUROON_ERROR_BRAND]?: unknown })[NEUROON_ERROR_BRAND] === true
    );
  }
}

/** The client was configured wrongly; the message says which option and how to fix it. */
export class ConfigurationError extends NeuroonError {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

const STORE_ERROR_BRAND: unique symbol = Symbol.for("@neuroon/core.StoreError");

/** What went wrong talking to the store, coarsely, so the engine and callers can branch on it. */
export type StoreErrorKind =
  /** 401/403: wrong credentials or permissions; nothing succeeds until someone fixes them. */
  | "auth"
  /** 404/410: the resource does not exist. */
  | "not-found"
  /** Another 4xx, or a query the platform refused: sending it again fails again. */
  | "invalid-request"
  /** 429 or a platform throttle: wait (for `retryAfterMs` when known) and try again. */
  | "rate-limited"
  /** ≥ 500: the store or its host failed. */
  | "server"
  /** No response: refused, reset, DNS, TLS. */
  | "connection"
  /** No response in time. */
  | "timeout"
  /** A 2xx whose body is not what the platform sends (a cache or security page). */
  | "invalid-response";

/** Constructor fields of {@link StoreError}. */
export interface StoreErrorInit {
  /** Default: from `status` ({@link StoreError.kindForStatus}), `"connection"` without one. */
  kind?: StoreErrorKind | undefined;
  /** HTTP status of the store's answer; `undefined` (or 0) when none arrived. */
  status?: number | undefined;
  /** The store's `Retry-After`, in milliseconds, when it sent one. */
  retryAfterMs?: number | undefined;
  /** Default: true for `rate-limited`, `server`, `connection` and `timeout`. */
  isRetryable?: boolean | undefined;
  cause?: unknown;
}

/**
 * The one error contract of platform adapters: every error a `CatalogSource` or a platform
 * client throws on purpose extends this (`WooCommerceError`, `ShopifyBridgeError`, …). The sync
 * engine recognises it by brand, not by shape, so a store's 429 while re-reading products keeps
 * its `Retry-After` and a store's 401 is never mistaken for Neuroon refusing the key.
 *
 * @example
 * class AcmeError extends StoreError {
 *   constructor(message: string, response: Response) {
 *     super(message, {
 *       status: response.status,
 *       retryAfterMs: parseRetryAfterMs(response.headers.get("retry-after") ?? undefined, Date.now()),
 *     });
 *     this.name = "AcmeError";
 *   }
 * }
 */
export class StoreError extends NeuroonError {
  /** Brand checked by {@link StoreError.isStoreError}; survives a package bundled twice. */
  readonly [STORE_ERROR_BRAND] = true;
  readonly kind: StoreErrorKind;
  /** HTTP status, when the store answered. */
  readonly status: number | undefined;
  /** How long the store asked us to wait before the next call, when it said. */
  readonly retryAfterMs: number | undefined;
  /** Whether the same call may succeed later (rate limit, server error, connection, timeout). */
  readonly isRetryable: boolean;

  constructor(message: string, init: StoreErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "StoreError";
    const status = init.status === 0 ? undefined : init.status;
    this.kind =
      init.kind ?? (status === undefined ? "connection" : StoreError.kindForStatus(status));
    this.status = init.status;
    this.retryAfterMs =
      init.retryAfterMs !== undefined &&
      Number.isFinite(init.retryAfterMs) &&
      init.retryAfterMs >= 0
        ? init.retryAfterMs
        : undefined;
    this.isRetryable =
      init.isRetryable ??
      (this.kind === "rate-limited" ||
        this.kind === "server" ||
        this.kind === "connection" ||
        this.kind === "timeout");
  }

  /** True for any store error, even one created by another copy of this package. */
  static isStoreError(error: unknown): error is StoreError {
    return (
      typeof error === "object" &&
      error !== null &&
      (error as { [STORE_ERROR_BRAND]?: unknown })[STORE_ERROR_BRAND] === true
    );
  }

  /** The kind an HTTP status means: 401/403 auth, 404/410 not found, 408, 429, ≥ 500, other 4xx. */
  static kindForStatus(status: number): StoreErrorKind {
    if (status === 401 || status === 403) return "auth";
    if (status === 404 || status === 410) return "not-found";
    if (status === 429) return "rate-limited";
    if (status === 408) return "timeout";
    if (status >= 500) return "server";
    return "invalid-request";
  }
}

/** Where a failed request was going, without host or query (neither is needed to debug it). */
export interface RequestTarget {
  method: string;
  path: string;
}

/** The request never got an HTTP response: DNS, refused or reset connection, TLS. */
export class ConnectionError extends NeuroonError {
  readonly method: string;
  readonly path: string;

  constructor(target: RequestTarget, options?: { cause?: unknown }) {
    const reason = describeCause(options?.cause);
    super(
      `Could not reach Neuroon (${target.method} ${target.path})${reason ? `: ${reason}` : ""}. ` +
        "Check the network and NEUROON_API_URL.",
      options,
    );
    this.name = "ConnectionError";
    this.method = target.method;
    this.path = target.path;
  }
}

/** One attempt took longer than `timeoutMs` (connect, headers and body together). */
export class TimeoutError extends NeuroonError {
  readonly method: string;
  readonly path: string;
  readonly timeoutMs: number;

  constructor(target: RequestTarget & { timeoutMs: number }, options?: { cause?: unknown }) {
    super(
      `Neuroon did not answer within ${target.timeoutMs} ms (${target.method} ${target.path}). ` +
        "Raise timeoutMs for large batches, or retry later.",
      options,
    );
    this.name = "TimeoutError";
    this.method = target.method;
    this.path = target.path;
    this.timeoutMs = target.timeoutMs;
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return "";
  // undici wraps socket errors; the innermost code (ECONNREFUSED, ECONNRESET) is the useful part.
  const inner = cause.cause instanceof Error ? cause.cause : undefined;
  const code =
    (inner as { code?: unknown } | undefined)?.code ?? (cause as { code?: unknown }).code;
  const message = inner?.message ?? cause.message;
  return typeof code === "string" && !message.includes(code) ? `${code} ${message}` : message;
}

/** A `field: message` pair from a 400 response. */
export interface FieldError {
  /** The field path as the server names it (`externalId`, `products[3].price`); `""` if none. */
  field: string;
  message: string;
}

/** Everything {@link ApiError.from} needs to build an error from a response. */
export interface ApiErrorInit {
  status: number;
  /** Parsed JSON, or the raw text when the body is not JSON, or `undefined` when empty. */
  body: unknown;
  /** Response headers, lower-case names. */
  headers: Readonly<Record<string, string>>;
  method: string;
  path: string;
  /** Replaces the message derived from the body (used for malformed 2xx bodies). */
  message?: string;
  /** Clock for HTTP-date `Retry-After` values; defaults to `Date.now`. */
  nowMs?: number;
}

/** The API answered with an error status. Subclasses are chosen by {@link ApiError.from}. */
export class ApiError extends NeuroonError {
  readonly status: number;
  /** `X-Request-ID`; quote it to soporte@neuroon.ai together with the timestamp. */
  readonly requestId: string | undefined;
  readonly method: string;
  readonly path: string;
  /** The parsed response body (credentials redacted). */
  readonly body: unknown;
  /** Response headers (credentials redacted). */
  readonly headers: Record<string, string>;
  /** The server's own text, without our prefix and hint. */
  readonly serverMessage: string;
  /** The machine-readable `error`/`code` member when the envelope has one. */
  readonly code: string | undefined;

  constructor(init: ApiErrorInit) {
    const body = redactBody(init.body);
    const serverMessage = extractServerMessage(init.status, body);
    const hint = hintFor(init.status, serverMessage, init.path);
    super(
      init.message ??
        `${init.status} ${serverMessage} (${init.method} ${init.path})${hint ? `. ${hint}` : ""}`,
    );
    this.name = "ApiError";
    this.status = init.status;
    this.requestId = init.headers["x-request-id"];
    this.method = init.method;
    this.path = init.path;
    this.body = body;
    this.headers = redactHeaders(init.headers);
    this.serverMessage = serverMessage;
    this.code = extractCode(body);
  }

  /** Builds the subclass that matches the status (400 → {@link ValidationError}, …). */
  static from(init: ApiErrorInit): ApiError {
    const { status } = init;
    if (status === 400) return new ValidationError(init);
    if (status === 401) return new AuthenticationError(init);
    if (status === 403) return new PermissionError(init);
    if (status === 404) return new NotFoundError(init);
    if (status === 409) return new ConflictError(init);
    if (status === 422) return new UnprocessableEntityError(init);
    if (status === 429) return new RateLimitError(init);
    if (status >= 500) return new ServerError(init);
    return new ApiError(init);
  }
}

/** 400: the request was malformed; {@link ValidationError.fieldErrors} lists what to fix. */
export class ValidationError extends ApiError {
  readonly fieldErrors: FieldError[];

  constructor(init: ApiErrorInit) {
    super(init);
    this.name = "ValidationError";
    this.fieldErrors = extractFieldErrors(this.body, this.serverMessage);
  }
}

/** 401: the key is missing, unknown, rotated or from the other environment. */
export class AuthenticationError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init);
    this.name = "AuthenticationError";
  }
}

/** 403: origin mismatch, a key of another shop, or an unverified domain. */
export class PermissionError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init);
    this.name = "PermissionError";
  }
}

/** 404: the shop or product does not exist. */
export class NotFoundError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init);
    this.name = "NotFoundError";
  }
}

/** 409: drift during sync, a duplicate `externalId` in FULL, or a domain already verified. */
export class ConflictError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init);
    this.name = "ConflictError";
  }
}

/** 422: a business rule refused the batch (unknown parent, mixed currencies). */
export class UnprocessableEntityError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init);
    this.name = "UnprocessableEntityError";
  }
}

/** 429: a rate-limit bucket is exhausted. */
export class RateLimitError extends ApiError {
  /** From `Retry-After` (seconds or HTTP date), else the body's `retryAfter` seconds. */
  readonly retryAfterMs: number | undefined;
  /** `X-RateLimit-Limit` or the body's `limit`. */
  readonly limit: number | undefined;
  /** `X-RateLimit-Remaining` or the body's `remaining`. */
  readonly remaining: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init);
    this.name = "RateLimitError";
    const body = (isRecord(this.body) ? this.body : {}) as Record<string, unknown>;
    const fromHeader = parseRetryAfterMs(init.headers["retry-after"], init.nowMs ?? Date.now());
    const bodySeconds = finiteNumber(body.retryAfter);
    this.retryAfterMs =
      fromHeader ??
      (bodySeconds !== undefined && bodySeconds >= 0 ? Math.round(bodySeconds * 1000) : undefined);
    this.limit = finiteNumber(init.headers["x-ratelimit-limit"]) ?? finiteNumber(body.limit);
    this.remaining =
      finiteNumber(init.headers["x-ratelimit-remaining"]) ?? finiteNumber(body.remaining);
  }
}

/** ≥500: Neuroon failed (503 = circuit breaker open); retried with backoff. */
export class ServerError extends ApiError {
  constructor(init: ApiErrorInit) {
    super(init);
    this.name = "ServerError";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function finiteNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * The human text of any documented envelope: E1 `{…,message,…}`, E3 429 `{error,message,…}`,
 * E4 `{code,message,details}`, E5 `{error:{message}}`, the auth filter's `{error,status}`, E2
 * Spring default `{error}` (reason phrase only), a non-JSON body, or nothing.
 */
function extractServerMessage(status: number, body: unknown): string {
  if (isRecord(body)) {
    const message = nonEmptyString(body.message);
    if (message) return message;
    if (isRecord(body.error)) {
      const nested = nonEmptyString(body.error.message);
      if (nested) return nested;
    }
    const error = nonEmptyString(body.error);
    if (error) return error;
  }
  if (typeof body === "string") {
    const excerpt = body.replace(/\s+/g, " ").trim();
    if (excerpt !== "") {
      return excerpt.length > MAX_BODY_EXCERPT_CHARS
        ? `${excerpt.slice(0, MAX_BODY_EXCERPT_CHARS)}…`
        : excerpt;
    }
  }
  return STATUS_CODES[status] ?? "Unknown status";
}

function extractCode(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (isRecord(body.error)) return nonEmptyString(body.error.code);
  return nonEmptyString(body.code) ?? nonEmptyString(body.error);
}

/** Splits before each `name: ` so a message containing ", " inside one reason stays whole. */
const FIELD_SEPARATOR = /,\s+(?=[\w.[\]]+:\s)/;
const FIELD_PAIR = /^([\w.[\]]+):\s+([\s\S]*)$/;

function parseFieldError(text: string): FieldError {
  const match = FIELD_PAIR.exec(text.trim());
  return match ? { field: match[1] ?? "", message: match[2] ?? "" } : { field: "", message: text };
}

/** Field errors from the legacy `details[]` (strings or objects) or the comma-joined message. */
function extractFieldErrors(body: unknown, message: string): FieldError[] {
  if (isRecord(body) && Array.isArray(body.details) && body.details.length > 0) {
    return body.details.map((detail): FieldError => {
      if (typeof detail === "string") return parseFieldError(detail);
      if (isRecord(detail)) {
        return {
          field: nonEmptyString(detail.field) ?? "",
          message:
            nonEmptyString(detail.message) ??
            nonEmptyString(detail.defaultMessage) ??
            JSON.stringify(detail),
        };
      }
      return { field: "", message: String(detail) };
    });
  }
  if (!FIELD_PAIR.test(message)) return [];
  return message.split(FIELD_SEPARATOR).map(parseFieldError);
}

/** What to do next, for the statuses integrators hit while setting up. */
function hintFor(status: number, serverMessage: string, path: string): string | undefined {
  if (status === 401) {
    return (
      "Check that NEUROON_API_KEY is the current key of this shop and of this environment " +
      "(Development keys do not work in Production) and that it was not rotated"
    );
  }
  if (status === 403) {
    if (/origin/i.test(serverMessage)) {
      return (
        "Do not send an Origin or Referer header from server code: the key is accepted only " +
        "without them or from the shop's registered domain"
      );
    }
    return "Check that NEUROON_SHOP_ID is the shop this key belongs to and that its domain is verified";
  }
  if (status === 404 && !/\/products\/(?!sync$)[^/]+$/.test(path)) {
    return "Check NEUROON_SHOP_ID and that NEUROON_API_URL points at the environment the shop lives in";
  }
  if (status === 429) {
    return (
      "Neuroon's rate limit for this endpoint is exhausted; wait for Retry-After before sending " +
      "again, and keep the client's rateLimits enabled so requests are paced"
    );
  }
  return undefined;
}
