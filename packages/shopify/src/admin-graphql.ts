import { backoffDelayMs, sleep as coreSleep, parseRetryAfterMs, retryDelayMs } from "@neuroon/core";
import {
  GraphqlQueryError,
  HttpRequestError,
  HttpResponseError,
  HttpRetriableError,
  HttpThrottlingError,
  type Session,
  type Shopify,
} from "@shopify/shopify-api";
import type { QueryCost, ThrottleStatus } from "./admin-types.js";
import { ShopifyAdminError } from "./errors.js";
import { projectBucket, throttleWaitMs } from "./throttle.js";

/** Gives sessions with a valid offline token (see `createOfflineTokens`). */
export interface SessionProvider {
  getSession(shop: string): Promise<Session>;
  refreshAfterRejection(shop: string, staleAccessToken: string): Promise<Session>;
}

/** What happened while a request was being made, for logs and metrics. */
export type AdminRequestEvent =
  | { type: "throttled"; waitMs: number; cost: QueryCost | undefined }
  | { type: "paced"; waitMs: number }
  | { type: "retry"; attempt: number; waitMs: number; reason: string }
  | { type: "token_refreshed" };

/** Options of {@link createAdminGraphql}. */
export interface AdminGraphqlOptions {
  shopify: Shopify;
  shop: string;
  sessions: SessionProvider;
  /** Retries of HTTP 429, 5xx and network failures. Default 4. */
  maxRetries?: number;
  /** `THROTTLED` answers waited out before giving up. Default 20. */
  maxThrottleWaits?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  onEvent?: (event: AdminRequestEvent) => void;
}

/** Per-call options. */
export interface AdminRequestOptions {
  signal?: AbortSignal | undefined;
  /** Expected cost, used to pace the call before the first answer says otherwise. */
  estimatedCost?: number;
}

/** A cost-aware Admin GraphQL client for one shop. */
export interface AdminGraphql {
  readonly shop: string;
  request<T>(
    query: string,
    variables?: Record<string, unknown>,
    options?: AdminRequestOptions,
  ): Promise<T>;
  /** The bucket as last reported by Shopify, projected to now; `undefined` before the first call. */
  throttleStatus(): ThrottleStatus | undefined;
}

interface GraphqlErrorEntry {
  message?: string;
  extensions?: { code?: string };
}

function costOf(body: unknown): QueryCost | undefined {
  const cost = (body as { extensions?: { cost?: QueryCost } } | undefined)?.extensions?.cost;
  return cost?.throttleStatus ? cost : undefined;
}

/**
 * Wraps `shopify.clients.Graphql` with what it lacks: it waits out `THROTTLED` answers (HTTP 200
 * with `errors[].extensions.code = "THROTTLED"`) for `(requested − available) / restoreRate`
 * seconds, paces calls from `extensions.cost.throttleStatus` so the bucket is not overdrawn,
 * retries 429 (honouring `Retry-After` in seconds), 5xx and network errors with backoff, and on a
 * 401 refreshes the offline token once and repeats the call.
 */
export function createAdminGraphql(options: AdminGraphqlOptions): AdminGraphql {
  const { shopify, shop, sessions } = options;
  const maxRetries = options.maxRetries ?? 4;
  const maxThrottleWaits = options.maxThrottleWaits ?? 20;
  const sleep = options.sleep ?? coreSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => undefined);
  let bucket: { status: ThrottleStatus; at: number } | undefined;
  const lastCost = new Map<string, number>();

  const observe = (cost: QueryCost | undefined, query: string): void => {
    if (!cost) return;
    bucket = { status: cost.throttleStatus, at: now() };
    lastCost.set(query, cost.requestedQueryCost);
  };
  const current = (): ThrottleStatus | undefined =>
    bucket ? projectBucket(bucket.status, now() - bucket.at) : undefined;

  return {
    shop,
    throttleStatus: current,
    async request<T>(
      query: string,
      variables?: Record<string, unknown>,
      callOptions: AdminRequestOptions = {},
    ): Promise<T> {
      const { signal } = callOptions;
      let retries = 0;
      let throttleWaits = 0;
      let refreshed = false;
      let session = await sessions.getSession(shop);
      for (;;) {
        signal?.throwIfAborted();
        const expected = lastCost.get(query) ?? callOptions.estimatedCost;
        const status = current();
        if (status && expected !== undefined) {
          const waitMs = throttleWaitMs(status, expected);
          if (waitMs > 0) {
            emit({ type: "paced", waitMs });
            await sleep(waitMs, signal);
          }
        }
        try {
          const client = new shopify.clients.Graphql({ session });
          const response = await client.request(query, {
            ...(variables ? { variables } : {}),
            retries: 0,
            ...(signal ? { signal } : {}),
          });
          observe(costOf(response), query);
          return response.data as T;
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          if (error instanceof GraphqlQueryError) {
            const cost = costOf(error.body);
            observe(cost, query);
            const entries = ((
              error.body as { errors?: { graphQLErrors?: GraphqlErrorEntry[] } } | undefined
            )?.errors?.graphQLErrors ?? []) as GraphqlErrorEntry[];
            const code = entries.find((e) => e.extensions?.code)?.extensions?.code;
            if (code === "THROTTLED" && throttleWaits < maxThrottleWaits) {
              throttleWaits += 1;
              const requested = cost?.requestedQueryCost ?? expected ?? 100;
              const waitMs = cost
                ? throttleWaitMs(cost.throttleStatus, requested, 250)
                : backoffDelayMs(throttleWaits + 1, { random });
              emit({ type: "throttled", waitMs, cost });
              await sleep(waitMs, signal);
              continue;
            }
            throw new ShopifyAdminError(
              `Admin GraphQL error on ${shop}: ${entries.map((e) => e.message).join("; ") || error.message}`,
              {
                status: 200,
                code,
                cause: error,
              },
            );
          }
          const status = error instanceof HttpResponseError ? error.response.code : undefined;
          if (status === 401 && !refreshed) {
            refreshed = true;
            session = await sessions.refreshAfterRejection(shop, session.accessToken ?? "");
            emit({ type: "token_refreshed" });
            continue;
          }
          const retriable =
            error instanceof HttpThrottlingError ||
            error instanceof HttpRetriableError ||
            error instanceof HttpRequestError;
          if (retriable && retries < maxRetries) {
            const retryAfterMs =
              error instanceof HttpThrottlingError ? retryAfterMsOf(error, now()) : undefined;
            const waitMs = retryDelayMs(retries + 1, retryAfterMs, random);
            retries += 1;
            emit({
              type: "retry",
              attempt: retries,
              waitMs,
              reason: status ? `HTTP ${status}` : "network error",
            });
            await sleep(waitMs, signal);
            continue;
          }
          throw new ShopifyAdminError(
            `Admin GraphQL request to ${shop} failed${status ? ` with HTTP ${status}` : ""}: ${(error as Error).message}`,
            {
              status,
              cause: error,
            },
          );
        }
      }
    },
  };
}

/**
 * The 429's `Retry-After` in ms: the raw header through core's parser (seconds or an HTTP date;
 * shopify-api's own `retryAfter` is `parseFloat`, which loses dates), else that number of seconds.
 */
function retryAfterMsOf(error: HttpThrottlingError, nowMs: number): number | undefined {
  const headers = error.response.headers ?? {};
  const name = Object.keys(headers).find((key) => key.toLowerCase() === "retry-after");
  const raw = name === undefined ? undefined : headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const parsed = parseRetryAfterMs(typeof value === "string" ? value : undefined, nowMs);
  if (parsed !== undefined) return parsed;
  const seconds = error.response.retryAfter;
  return seconds !== undefined && Number.isFinite(seconds) ? Math.ceil(seconds * 1000) : undefined;
}
