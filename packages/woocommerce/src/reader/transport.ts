import { createRequire } from "node:module";
import { sleep as defaultSleep, parseRetryAfterMs, retryDelayMs } from "@neuroon/core";
import type WooRestApiModule from "@woocommerce/woocommerce-rest-api";
import { kindForStatus, WooCommerceError } from "../errors.js";
import type { WooCallOptions, WooPage, WooStoreReaderOptions } from "../reader.js";
import { MAX_PER_PAGE } from "./fields.js";

type WooRestApiClass = typeof WooRestApiModule.default;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 3;

/** Query parameters of a REST call: flat values, lists comma-joined on the way out. */
export type WooParams = Record<string, string | number | boolean | readonly (string | number)[]>;

/** A REST answer: the parsed body, the headers (lower-cased) and the status. */
export interface WooResponse<T> {
  data: T;
  headers: Record<string, string>;
  status: number;
}

/**
 * The reader's HTTP layer over `@woocommerce/woocommerce-rest-api`: signed calls with retries of
 * GETs, store errors as {@link WooCommerceError} (credentials never in them), and paging.
 */
export interface WooTransport {
  /** The store URL, trimmed. */
  readonly url: string;
  /** One call; GETs are retried on 429, ≥ 500, connection failures and timeouts, writes are not. */
  request<T>(
    method: "get" | "post" | "put" | "delete",
    endpoint: string,
    params?: WooParams,
    data?: unknown,
    callOptions?: WooCallOptions,
  ): Promise<WooResponse<T>>;
  /** One page of a collection, with totals from `X-WP-*` (guessed when a proxy stripped them). */
  page<T>(
    endpoint: string,
    params: WooParams,
    pageNumber: number,
    callOptions: WooCallOptions,
  ): Promise<WooPage<T>>;
  /** Every non-empty page from `firstPage` on. */
  pages<T>(
    endpoint: string,
    params: WooParams,
    callOptions: WooCallOptions,
    firstPage?: number,
  ): AsyncGenerator<WooPage<T>>;
  /** Every item of a collection. */
  all<T>(endpoint: string, params: WooParams, callOptions: WooCallOptions): Promise<T[]>;
  /** One resource, `undefined` on 404. */
  getOrNotFound<T>(
    endpoint: string,
    params: Record<string, string>,
    callOptions: WooCallOptions,
  ): Promise<T | undefined>;
}

const nodeRequire = createRequire(import.meta.url);
let restApiClass: WooRestApiClass | undefined;

// The package is CommonJS with `exports.default`; `import X from` yields the namespace under
// Node ESM but the class under bundlers, so require it and take `.default` (notes §1.1, #66).
function loadRestApi(): WooRestApiClass {
  restApiClass ??= (
    nodeRequire("@woocommerce/woocommerce-rest-api") as { default: WooRestApiClass }
  ).default;
  return restApiClass;
}

function requireOption(value: unknown, name: string, envVar: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(
      `createWooStoreReader() needs ${name}; received ${JSON.stringify(value)}. Set ${envVar}.`,
    );
  }
  return value.trim();
}

interface AxiosLikeError {
  isAxiosError?: boolean;
  code?: string;
  message?: string;
  response?: { status: number; data: unknown; headers: Record<string, unknown> };
}

function lowerHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof headers === "object") {
    const source =
      typeof (headers as { toJSON?: unknown }).toJSON === "function"
        ? ((headers as { toJSON: () => Record<string, unknown> }).toJSON() as Record<
            string,
            unknown
          >)
        : (headers as Record<string, unknown>);
    for (const [key, value] of Object.entries(source)) {
      if (value !== undefined && value !== null) out[key.toLowerCase()] = String(value);
    }
  }
  return out;
}

/**
 * The transport error without its request config: axios errors carry the URL (OAuth parameters)
 * and, over https, the Basic auth credentials, which must never reach a log.
 */
function redactedCause(error: unknown): Error {
  const source = error as { name?: unknown; message?: unknown; code?: unknown };
  const cause = new Error(typeof source?.message === "string" ? source.message : String(error));
  cause.name = typeof source?.name === "string" ? source.name : "Error";
  if (typeof source?.code === "string") Object.assign(cause, { code: source.code });
  return cause;
}

function describeRequest(method: string, endpoint: string): string {
  return `${method.toUpperCase()} ${endpoint}`;
}

/** What the store's answer (or the missing answer) to `request` means, as a {@link WooCommerceError}. */
function toWooError(error: unknown, request: string, now: number): WooCommerceError {
  const axiosError = error as AxiosLikeError;
  const response = axiosError?.response;
  if (response) {
    const body = response.data as
      | { code?: unknown; message?: unknown; data?: { params?: unknown } }
      | string
      | undefined;
    const code =
      body && typeof body === "object" && typeof body.code === "string"
        ? body.code
        : `http_${response.status}`;
    let storeMessage =
      body && typeof body === "object" && typeof body.message === "string"
        ? body.message
        : typeof body === "string"
          ? body
              .replace(/<[^>]*>/g, " ")
              .replace(/\s+/g, " ")
              .trim()
              .slice(0, 200) || undefined
          : undefined;
    // rest_invalid_param names the parameter in `message` and says why in `data.params`.
    const params = body && typeof body === "object" ? body.data?.params : undefined;
    if (params && typeof params === "object") {
      const reasons = Object.values(params).filter((v): v is string => typeof v === "string");
      if (reasons.length > 0) storeMessage = `${storeMessage ?? ""} (${reasons.join("; ")})`.trim();
    }
    return new WooCommerceError({
      kind: kindForStatus(response.status),
      status: response.status,
      code,
      storeMessage,
      request,
      retryAfterMs: parseRetryAfterMs(lowerHeaders(response.headers)["retry-after"], now),
      cause: redactedCause(error),
    });
  }
  const code = axiosError?.code ?? "connection_error";
  const isTimeout = code === "ECONNABORTED" || code === "ETIMEDOUT";
  return new WooCommerceError({
    kind: isTimeout ? "timeout" : "connection",
    status: 0,
    code,
    storeMessage: axiosError?.message,
    request,
    cause: redactedCause(error),
  });
}

/** The transport {@link createWooStoreReader} reads through; checks the URL and credentials. */
export function createWooTransport(options: WooStoreReaderOptions): WooTransport {
  const url = requireOption(options.url, "url", "WOOCOMMERCE_URL");
  if (!/^https?:\/\//i.test(url)) {
    throw new TypeError(
      `WOOCOMMERCE_URL must start with http:// or https://; received ${JSON.stringify(url)}.`,
    );
  }
  const consumerKey = requireOption(options.consumerKey, "consumerKey", "WOOCOMMERCE_CONSUMER_KEY");
  const consumerSecret = requireOption(
    options.consumerSecret,
    "consumerSecret",
    "WOOCOMMERCE_CONSUMER_SECRET",
  );
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  async function request<T>(
    method: "get" | "post" | "put" | "delete",
    endpoint: string,
    params: WooParams = {},
    data?: unknown,
    callOptions: WooCallOptions = {},
  ): Promise<WooResponse<T>> {
    const RestApi = loadRestApi();
    // Lists go out comma-joined: WordPress accepts `include=1,2` for array parameters, and the
    // library's `include[0]…include[10]` form signs in an order WooCommerce does not rebuild
    // (it sorts only top-level keys), so 11+ ids would fail with "Invalid signature".
    const flat: Record<string, string> = {};
    for (const [key, value] of Object.entries(params)) {
      flat[key] = Array.isArray(value) ? value.join(",") : String(value);
    }
    const signal = callOptions.signal;
    const retries = method === "get" ? maxRetries : 0;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const client = new RestApi({
        url,
        consumerKey,
        consumerSecret,
        version: "wc/v3",
        queryStringAuth: options.queryStringAuth ?? false,
        timeout: timeoutMs,
        axiosConfig: { ...(options.transport ?? {}), ...(signal ? { signal } : {}) },
      });
      try {
        const response =
          method === "get"
            ? await client.get(endpoint, flat)
            : method === "delete"
              ? await client.delete(endpoint, flat)
              : await client[method](endpoint, data ?? {}, flat);
        const headers = lowerHeaders(response.headers);
        if (typeof response.data === "string") {
          throw new WooCommerceError({
            kind: "invalid-response",
            status: response.status,
            code: "invalid_json",
            storeMessage: `expected JSON, received ${headers["content-type"] ?? "no content type"}: ${response.data.slice(0, 120)}`,
            request: describeRequest(method, endpoint),
          });
        }
        return { data: response.data as T, headers, status: response.status };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const wooError = WooCommerceError.isWooCommerceError(error)
          ? error
          : toWooError(error, describeRequest(method, endpoint), now());
        if (!wooError.isRetryable || attempt >= retries) throw wooError;
        await sleep(retryDelayMs(attempt + 1, wooError.retryAfterMs, random), signal);
      }
    }
  }

  async function page<T>(
    endpoint: string,
    params: WooParams,
    pageNumber: number,
    callOptions: WooCallOptions,
  ): Promise<WooPage<T>> {
    const { data, headers } = await request<T[]>(
      "get",
      endpoint,
      { ...params, page: pageNumber },
      undefined,
      callOptions,
    );
    const items = Array.isArray(data) ? data : [];
    // Some caches and proxies strip X-WP-*; then a full page means "maybe more".
    const requested = Number(params.per_page ?? 10);
    const guessedPages =
      items.length >= requested ? pageNumber + 1 : items.length > 0 ? pageNumber : 0;
    const total = Number(headers["x-wp-total"] ?? (pageNumber - 1) * requested + items.length);
    const totalPages = Number(headers["x-wp-totalpages"] ?? guessedPages);
    return { items, page: pageNumber, total, totalPages };
  }

  async function* pages<T>(
    endpoint: string,
    params: WooParams,
    callOptions: WooCallOptions,
    firstPage = 1,
  ): AsyncGenerator<WooPage<T>> {
    for (let n = firstPage; ; n++) {
      const current = await page<T>(endpoint, params, n, callOptions);
      if (current.items.length > 0) yield current;
      // Stop on the advertised last page, or on an empty page if the headers were stripped.
      if (current.items.length === 0 || n >= current.totalPages) return;
    }
  }

  async function all<T>(
    endpoint: string,
    params: WooParams,
    callOptions: WooCallOptions,
  ): Promise<T[]> {
    const items: T[] = [];
    for await (const current of pages<T>(endpoint, params, callOptions))
      items.push(...current.items);
    return items;
  }

  async function getOrNotFound<T>(
    endpoint: string,
    params: Record<string, string>,
    callOptions: WooCallOptions,
  ): Promise<T | undefined> {
    try {
      return (await request<T>("get", endpoint, params, undefined, callOptions)).data;
    } catch (error) {
      if (WooCommerceError.isWooCommerceError(error) && error.kind === "not-found")
        return undefined;
      throw error;
    }
  }

  return { url, request, page, pages, all, getOrNotFound };
}

/** `perPage` checked against WooCommerce's limit, {@link MAX_PER_PAGE} by default. */
export function perPageOf(value: number | undefined): number {
  const n = value ?? MAX_PER_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PER_PAGE) {
    throw new RangeError(`perPage must be an integer from 1 to ${MAX_PER_PAGE}; received ${n}.`);
  }
  return n;
}
