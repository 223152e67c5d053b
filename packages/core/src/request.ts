import {
  ApiError,
  ConfigurationError,
  ConnectionError,
  type NeuroonError,
  RateLimitError,
  redactHeaders,
  TimeoutError,
} from "./errors.js";
import { randomIdempotencyKey } from "./idempotency.js";
import type { RateLimitBucket, RateLimiter, SleepFunction } from "./rate-limit.js";
import { type AttemptFailure, decideRetry } from "./retry.js";
import type { ServerClock } from "./server-clock.js";
import type { HttpMethod, Transport, TransportResponse } from "./transport.js";

/**
 * The policy layer (house style rule 12): headers, idempotency keys, per-attempt timeouts,
 * pacing, retries, error mapping and hooks. Resources describe a request; this sends it.
 */

/** Options every client method accepts. */
export interface RequestOptions {
  /** Aborts the call, including backoff sleeps and rate-limit waits; never retried. */
  signal?: AbortSignal | undefined;
  /** Per attempt; overrides the client's `timeoutMs`. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt; overrides the client's `maxRetries`. */
  maxRetries?: number | undefined;
}

/** Options of calls that change state (every non-GET). */
export interface MutationOptions extends RequestOptions {
  /** Sent as `X-Idempotency-Key` on every attempt; defaults to a key made once per call. */
  idempotencyKey?: string | undefined;
}

/** Payload of the `onRequest` hook; headers are redacted. */
export interface RequestEvent {
  /** 1 for the first attempt. */
  attempt: number;
  method: HttpMethod;
  url: string;
  path: string;
  headers: Record<string, string>;
  idempotencyKey: string | undefined;
}

/** Payload of the `onResponse` hook; headers are redacted. */
export interface ResponseEvent {
  attempt: number;
  method: HttpMethod;
  path: string;
  status: number;
  headers: Record<string, string>;
  requestId: string | undefined;
  durationMs: number;
}

/** Observability hooks. They must not throw; anything they throw is ignored. */
export interface RequestHooks {
  onRequest?: ((event: RequestEvent) => void) | undefined;
  onResponse?: ((event: ResponseEvent) => void) | undefined;
  /** Called before sleeping for a retry; `attempt` is the attempt that failed. */
  onRetry?: ((attempt: number, delayMs: number, reason: NeuroonError) => void) | undefined;
}

/** Everything the sender needs, already validated and defaulted by the client. */
export interface RequestSenderConfig {
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  timeoutMs: number;
  maxRetries: number;
  maxRetryAfterMs: number;
  transport: Transport;
  limiter: RateLimiter;
  serverClock: ServerClock;
  sleep: SleepFunction;
  random: () => number;
  now: () => number;
  hooks: RequestHooks;
}

/** One API call as a resource describes it. */
export interface ApiRequest {
  method: HttpMethod;
  /** Path with segments already encoded, e.g. `/api/plugin/shops/shop_1/products/sync`. */
  path: string;
  query?: Readonly<Record<string, string | number | undefined>>;
  /** Serialised as JSON. */
  body?: unknown;
  bucket: RateLimitBucket;
  /** Default key for this call when the caller passes none (e.g. the sync content hash). */
  defaultIdempotencyKey?: string;
}

/** Sends {@link ApiRequest}s with the client's policy. */
export class RequestSender {
  readonly #config: RequestSenderConfig;

  constructor(config: RequestSenderConfig) {
    this.#config = config;
  }

  /** Sends `request`, retrying per policy; resolves with the parsed JSON body (or `undefined`). */
  async send<T>(request: ApiRequest, options: MutationOptions = {}): Promise<T> {
    const config = this.#config;
    const timeoutMs = options.timeoutMs ?? config.timeoutMs;
    const maxRetries = options.maxRetries ?? config.maxRetries;
    validateCallOptions(timeoutMs, maxRetries);
    const userSignal = options.signal;
    userSignal?.throwIfAborted();

    const url = buildUrl(config.baseUrl, request.path, request.query);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const idempotencyKey =
      request.method === "GET"
        ? undefined
        : (options.idempotencyKey ?? request.defaultIdempotencyKey ?? randomIdempotencyKey());
    // Built once, before the first attempt, so every retry carries the same idempotency key.
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": config.userAgent,
      "x-shop-api-key": config.apiKey,
    };
    if (body !== undefined) headers["content-type"] = "application/json; charset=utf-8";
    if (idempotencyKey !== undefined) headers["x-idempotency-key"] = idempotencyKey;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#attempt<T>(request, {
        attempt,
        url,
        headers,
        body,
        idempotencyKey,
        timeoutMs,
        userSignal,
      });
      if (outcome.done) return outcome.value;
      const decision = decideRetry(outcome.failure, {
        retryNumber: attempt,
        maxRetries,
        maxRetryAfterMs: config.maxRetryAfterMs,
        random: config.random,
      });
      if (!decision.retry) throw outcome.error;
      callHook(() => config.hooks.onRetry?.(attempt, decision.delayMs, outcome.error));
      try {
        await config.sleep(decision.delayMs, userSignal);
      } catch (sleepError) {
        if (userSignal?.aborted) throw userSignal.reason;
        throw sleepError;
      }
    }
  }

  /** One attempt: waits for a rate-limit slot, sends, and classifies the result. */
  async #attempt<T>(request: ApiRequest, attempt: AttemptInput): Promise<AttemptOutcome<T>> {
    const config = this.#config;
    const { userSignal, timeoutMs } = attempt;
    const target = { method: request.method, path: request.path };
    const ticket = await config.limiter.acquire(request.bucket, userSignal);
    const timeoutSignal = AbortSignal.timeout(timeoutMs);
    const signal = userSignal ? AbortSignal.any([userSignal, timeoutSignal]) : timeoutSignal;
    callHook(() =>
      config.hooks.onRequest?.({
        attempt: attempt.attempt,
        method: request.method,
        url: attempt.url,
        path: request.path,
        headers: redactHeaders(attempt.headers),
        idempotencyKey: attempt.idempotencyKey,
      }),
    );
    const startedMs = config.now();

    let response: TransportResponse;
    try {
      response = await config.transport({
        method: request.method,
        url: attempt.url,
        headers: attempt.headers,
        body: attempt.body,
        signal,
      });
    } catch (cause) {
      if (userSignal?.aborted) throw userSignal.reason;
      if (timeoutSignal.aborted) {
        return {
          done: false,
          error: new TimeoutError({ ...target, timeoutMs }, { cause }),
          failure: { kind: "timeout" },
        };
      }
      return {
        done: false,
        error: new ConnectionError(target, { cause }),
        failure: { kind: "connection" },
      };
    }

    config.limiter.observe(request.bucket, ticket, response.headers);
    config.serverClock.observe(response.headers.date);
    callHook(() =>
      config.hooks.onResponse?.({
        attempt: attempt.attempt,
        method: request.method,
        path: request.path,
        status: response.status,
        headers: redactHeaders(response.headers),
        requestId: response.headers["x-request-id"],
        durationMs: config.now() - startedMs,
      }),
    );
    if (response.status >= 200 && response.status < 300) {
      return { done: true, value: parseSuccess<T>(response, target) };
    }
    const error = ApiError.from({
      status: response.status,
      body: parseBody(response.body),
      headers: response.headers,
      ...target,
      nowMs: config.now(),
    });
    return {
      done: false,
      error,
      failure: {
        kind: "status",
        status: error.status,
        retryAfterMs: error instanceof RateLimitError ? error.retryAfterMs : undefined,
      },
    };
  }
}

interface AttemptInput {
  attempt: number;
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string | undefined;
  idempotencyKey: string | undefined;
  timeoutMs: number;
  userSignal: AbortSignal | undefined;
}

type AttemptOutcome<T> =
  | { done: true; value: T }
  | { done: false; error: NeuroonError; failure: AttemptFailure };

/**
 * Refuses a timeout or retry count that is not a positive number of ms or a whole number >= 0;
 * the client's options and each call's overrides are checked alike.
 */
export function validateCallOptions(timeoutMs: number, maxRetries: number): void {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigurationError(
      `timeoutMs must be a positive number of ms, received ${timeoutMs}.`,
    );
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new ConfigurationError(
      `maxRetries must be an integer >= 0 (retries after the first attempt), received ${maxRetries}.`,
    );
  }
}

function buildUrl(
  baseUrl: string,
  path: string,
  query: Readonly<Record<string, string | number | undefined>> | undefined,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.append(name, String(value));
  }
  const search = params.toString();
  return `${baseUrl}${path}${search ? `?${search}` : ""}`;
}

/** JSON when it parses, the raw text otherwise, `undefined` when empty. */
function parseBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseSuccess<T>(response: TransportResponse, target: { method: string; path: string }): T {
  if (response.status === 204 || response.body.trim() === "") return undefined as T;
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new ApiError({
      status: response.status,
      body: response.body,
      headers: response.headers,
      ...target,
      message:
        `${response.status} response is not JSON (${target.method} ${target.path}): ` +
        "check that NEUROON_API_URL points at the Neuroon API and not at a proxy or web page.",
    });
  }
}

function callHook(invoke: () => void): void {
  try {
    invoke();
  } catch {
    // Observability must never change the outcome of a request.
  }
}
