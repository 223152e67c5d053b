import {
  NEUROON_PRODUCTION_BASE_URL,
  normalizeBaseUrl,
  validateApiKey,
  validateShopId,
} from "./config.js";
import { ConfigurationError } from "./errors.js";
import {
  RateLimiter,
  type RateLimitsOptions,
  type RateLimitWaitEvent,
  type SleepFunction,
} from "./rate-limit.js";
import { type RequestHooks, RequestSender, validateCallOptions } from "./request.js";
import { ConversionsResource } from "./resources/conversions.js";
import { ProductsResource } from "./resources/products.js";
import { ShopResource } from "./resources/shop.js";
import { VerificationResource } from "./resources/verification.js";
import {
  sleep as abortableSleep,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_AFTER_MS,
} from "./retry.js";
import { ServerClock } from "./server-clock.js";
import { createUndiciTransport, type Dispatcher } from "./transport.js";
import { VERSION } from "./version.js";

/** Per-attempt timeout when none is configured. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The adapter calling the client, appended to the User-Agent (e.g. `neuroon-medusa/1.2.0`). */
export type AppInfo = string | { name: string; version?: string };

/** Options of {@link NeuroonClient}. Every field except `shopId`/`apiKey` has a default. */
export interface NeuroonClientOptions extends RequestHooks {
  /** Defaults to `NEUROON_SHOP_ID`. */
  shopId?: string | undefined;
  /** Shop API Key (`sk_` + 32 hex); defaults to `NEUROON_API_KEY`. */
  apiKey?: string | undefined;
  /** Defaults to `NEUROON_API_URL`, then {@link NEUROON_PRODUCTION_BASE_URL}. */
  baseUrl?: string | undefined;
  /** Replaces the whole User-Agent header. Prefer `appInfo`. */
  userAgent?: string | undefined;
  /** Appended to the default User-Agent. */
  appInfo?: AppInfo | undefined;
  /** Per attempt, connect to last body byte; default 30 000. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt; default 2 (3 attempts). 0 disables retries. */
  maxRetries?: number | undefined;
  /** Longest `Retry-After` slept through before a 429 is thrown instead; default 60 000. */
  maxRetryAfterMs?: number | undefined;
  /** Per-bucket client-side limits, or `false` to turn pacing off. */
  rateLimits?: RateLimitsOptions | false | undefined;
  /**
   * Called when a request must wait for its bucket's rate-limit window, before the wait: lets a
   * long run say why nothing moves ("waiting 41 s for the rate-limit window"). Must not throw.
   */
  onRateLimitWait?: ((event: RateLimitWaitEvent) => void) | undefined;
  /** undici dispatcher (Agent, ProxyAgent, MockAgent); default: undici's global one. */
  dispatcher?: Dispatcher | undefined;
  /** Backoff and pacing sleep; injected by tests. */
  sleep?: SleepFunction | undefined;
  /** Jitter source in [0, 1); default `Math.random`. */
  random?: (() => number) | undefined;
  /** Clock in ms; default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * Client of the Neuroon Plugin API for one shop.
 *
 * @example
 * const client = new NeuroonClient({ shopId: "shop_123", apiKey: process.env.NEUROON_API_KEY });
 * await client.products.sync({ syncType: "INCREMENTAL", products });
 */
export class NeuroonClient {
  /** The shop every call addresses. */
  readonly shopId: string;
  /** The API origin in use, without a trailing slash. */
  readonly baseUrl: string;
  /** The User-Agent header sent with every request. */
  readonly userAgent: string;
  /** `POST /products/sync`, `GET|DELETE /products/{externalId}`, `GET /products`. */
  readonly products: ProductsResource;
  /** `GET /api/plugin/shops/me`. */
  readonly shop: ShopResource;
  /** Domain verification. */
  readonly verification: VerificationResource;
  /** Server-side conversion tracking. */
  readonly conversions: ConversionsResource;
  /** How far Neuroon's clock may be behind this process's, read from responses' `Date` headers. */
  readonly serverClock: ServerClock;

  constructor(options: NeuroonClientOptions = {}) {
    const env = process.env;
    this.shopId = validateShopId(options.shopId ?? env.NEUROON_SHOP_ID);
    const apiKey = validateApiKey(options.apiKey ?? env.NEUROON_API_KEY);
    this.baseUrl = normalizeBaseUrl(
      options.baseUrl ?? nonEmpty(env.NEUROON_API_URL) ?? NEUROON_PRODUCTION_BASE_URL,
    );
    this.userAgent = buildUserAgent(options.userAgent, options.appInfo);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    validateCallOptions(timeoutMs, maxRetries);
    if (!Number.isFinite(maxRetryAfterMs) || maxRetryAfterMs < 0) {
      throw new ConfigurationError(`maxRetryAfterMs must be >= 0, received ${maxRetryAfterMs}.`);
    }
    const sleep = options.sleep ?? abortableSleep;
    const now = options.now ?? Date.now;
    this.serverClock = new ServerClock(now);
    let limiter: RateLimiter;
    try {
      limiter = new RateLimiter(options.rateLimits, { now, sleep }, options.onRateLimitWait);
    } catch (error) {
      throw new ConfigurationError(`Invalid rateLimits option: ${(error as Error).message}`);
    }
    const sender = new RequestSender({
      baseUrl: this.baseUrl,
      apiKey,
      userAgent: this.userAgent,
      timeoutMs,
      maxRetries,
      maxRetryAfterMs,
      transport: createUndiciTransport(options.dispatcher),
      limiter,
      serverClock: this.serverClock,
      sleep,
      random: options.random ?? Math.random,
      now,
      hooks: {
        onRequest: options.onRequest,
        onResponse: options.onResponse,
        onRetry: options.onRetry,
      },
    });
    this.products = new ProductsResource(sender, this.shopId);
    this.shop = new ShopResource(sender);
    this.verification = new VerificationResource(sender, this.shopId);
    this.conversions = new ConversionsResource(sender, this.shopId);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** `@neuroon/core/<version> node/<version>` plus the adapter's app info. */
function buildUserAgent(userAgent: string | undefined, appInfo: AppInfo | undefined): string {
  const value =
    userAgent ??
    [`@neuroon/core/${VERSION}`, `node/${process.versions.node}`, formatAppInfo(appInfo)]
      .filter((part) => part !== "")
      .join(" ");
  if (/[\r\n]/.test(value) || value.trim() === "") {
    throw new ConfigurationError(
      "userAgent/appInfo must be non-empty and must not contain line breaks.",
    );
  }
  return value;
}

function formatAppInfo(appInfo: AppInfo | undefined): string {
  if (appInfo === undefined) return "";
  if (typeof appInfo === "string") return appInfo.trim();
  return appInfo.version ? `${appInfo.name}/${appInfo.version}` : appInfo.name;
}
