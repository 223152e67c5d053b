import { createRequire } from "node:module";
import { sleep as defaultSleep, parseRetryAfterMs, retryDelayMs } from "@neuroon/core";
import type WooRestApiModule from "@woocommerce/woocommerce-rest-api";
import { kindForStatus, WooCommerceError } from "./errors.js";
import type {
  WooOrder,
  WooProduct,
  WooSetting,
  WooTaxRate,
  WooTerm,
  WooVariation,
} from "./types.js";

type WooRestApiClass = typeof WooRestApiModule.default;

/** WooCommerce's hard maximum for `per_page` (more is a 400 `rest_invalid_param`). */
export const MAX_PER_PAGE = 100;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_CACHE_TTL_MS = 10 * 60_000;

/** The product fields the mapping reads; `_fields` keeps responses (and the store's work) small. */
export const PRODUCT_FIELDS = [
  "id",
  "name",
  "slug",
  "permalink",
  "type",
  "status",
  "catalog_visibility",
  "description",
  "short_description",
  "sku",
  "global_unique_id",
  "price",
  "regular_price",
  "sale_price",
  "date_on_sale_from_gmt",
  "date_on_sale_to_gmt",
  "on_sale",
  "tax_status",
  "tax_class",
  "manage_stock",
  "stock_quantity",
  "stock_status",
  "categories",
  "tags",
  "brands",
  "images",
  "attributes",
  "variations",
  "grouped_products",
  "parent_id",
  "average_rating",
  "rating_count",
  "date_modified_gmt",
] as const;

/** The variation fields the mapping reads. */
export const VARIATION_FIELDS = [
  "id",
  "parent_id",
  "status",
  "description",
  "permalink",
  "sku",
  "global_unique_id",
  "price",
  "regular_price",
  "sale_price",
  "date_on_sale_from_gmt",
  "date_on_sale_to_gmt",
  "on_sale",
  "tax_status",
  "tax_class",
  "manage_stock",
  "stock_quantity",
  "stock_status",
  "image",
  "attributes",
  "menu_order",
  "date_modified_gmt",
] as const;

/** Options of {@link createWooStoreReader}. */
export interface WooStoreReaderOptions {
  /** The store's home URL (`WOOCOMMERCE_URL`), exactly as WordPress knows it: scheme, host, port, subdirectory. */
  url: string;
  /** `WOOCOMMERCE_CONSUMER_KEY` (`ck_…`); a Read key is enough for reading. */
  consumerKey: string;
  /** `WOOCOMMERCE_CONSUMER_SECRET` (`cs_…`). */
  consumerSecret: string;
  /** Over https, send the key as `consumer_key`/`consumer_secret` query parameters instead of Basic auth (hosts that strip `Authorization`). Ignored over http, which always signs with OAuth 1.0a. */
  queryStringAuth?: boolean;
  /** Per-attempt timeout. Default 30 000. */
  timeoutMs?: number;
  /** Retries of a GET on 429, ≥ 500, connection failures and timeouts. Default 3. */
  maxRetries?: number;
  /** How long categories, brands and tax settings are cached. Default 600 000 (10 min). */
  cacheTtlMs?: number;
  /** Extra axios options; only transport ones are allowed (`params`/`headers` would break the OAuth signature). */
  transport?: { httpAgent?: unknown; httpsAgent?: unknown; maxContentLength?: number };
  /** Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** Per-call options. */
export interface WooCallOptions {
  signal?: AbortSignal;
}

/** One page of a WooCommerce collection with its paging headers. */
export interface WooPage<T> {
  items: T[];
  page: number;
  /** `X-WP-Total`. */
  total: number;
  /** `X-WP-TotalPages`. */
  totalPages: number;
}

/** Filters of {@link WooStoreReader.listProducts}. */
export interface ListProductsParams {
  page?: number;
  /** 1..100; default 100. */
  perPage?: number;
  /** Only products modified strictly after this moment (compared in GMT, `dates_are_gmt=true`). */
  modifiedAfter?: Date | string;
  modifiedBefore?: Date | string;
  /** Default `any` (everything but the trash). */
  status?: string;
  /** `simple`, `variable`, … */
  type?: string;
  /** At most 100 ids. */
  include?: readonly number[];
  /** Fields to return; default {@link PRODUCT_FIELDS}; `"all"` for the full object. */
  fields?: readonly string[] | "all";
  /** Default `id` ascending: stable pages while products are added mid-scan. */
  orderby?: "id" | "date" | "modified" | "title" | "include";
  order?: "asc" | "desc";
}

/** Filters of {@link WooStoreReader.listOrders}. */
export interface ListOrdersParams {
  page?: number;
  perPage?: number;
  status?: readonly string[];
  modifiedAfter?: Date | string;
  include?: readonly number[];
}

/** The tax configuration that decides displayed prices, read from `/settings/*` and `/taxes`. */
export interface WooTaxSettings {
  /** `woocommerce_calc_taxes = yes`. */
  calcTaxes: boolean;
  /** `woocommerce_prices_include_tax = yes`: prices are entered gross. */
  pricesIncludeTax: boolean;
  /** `woocommerce_tax_display_shop = incl`. */
  displayIncludingTax: boolean;
  /** `woocommerce_currency`, e.g. `EUR`. */
  currency: string;
  /** `woocommerce_price_num_decimals`. */
  priceDecimals: number;
  /** From `woocommerce_default_country` (`DE`, or `US:CA`). */
  baseCountry: string;
  baseState: string;
  basePostcode: string;
  baseCity: string;
  /** Every tax rate of the store. */
  rates: WooTaxRate[];
}

/** A typed, retrying, paging reader over a WooCommerce store's REST API v3. */
export interface WooStoreReader {
  /** The store URL the reader signs against. */
  readonly url: string;
  /** One page of `/products` (`orderby=id&order=asc`, 100 per page by default). */
  listProducts(params?: ListProductsParams, options?: WooCallOptions): Promise<WooPage<WooProduct>>;
  /** Every page of `/products`, fetched one at a time (bounded memory), until `X-WP-TotalPages`. */
  productPages(
    params?: ListProductsParams,
    options?: WooCallOptions,
  ): AsyncIterable<WooPage<WooProduct>>;
  /** Products by id, any status but trashed, in `include` batches of 100; unknown ids are simply absent. */
  getProductsByIds(
    ids: readonly number[],
    options?: WooCallOptions & { fields?: readonly string[] | "all" },
  ): Promise<WooProduct[]>;
  /** `/products/{id}` (a variation id gives `type: "variation"`); undefined on 404. */
  getProduct(id: number, options?: WooCallOptions): Promise<WooProduct | undefined>;
  /**
   * Each product's `post_password` (`""` when it has none), read in the `edit` context, the only
   * one that returns it: one `include` request per 100 ids with `_fields=id,post_password`.
   * Trashed and unknown ids are absent, as are products answered without the field. A store
   * that refuses the `edit` context answers 401/403, thrown as a `WooCommerceError` of kind
   * `auth`; other failures are retried like every GET.
   */
  getProductPasswords(
    ids: readonly number[],
    options?: WooCallOptions,
  ): Promise<Map<number, string>>;
  /** Every variation of a variable product; empty when the product is gone. */
  listVariations(parentId: number, options?: WooCallOptions): Promise<WooVariation[]>;
  /**
   * The variations of many products at once, keyed by parent id: through the store-wide
   * `/variations?parent=…` (WooCommerce ≥ 10.3) in pages of 100, falling back to one
   * `/products/{id}/variations` listing per parent (`concurrency` at a time) on older stores.
   */
  listVariationsOf(
    parentIds: readonly number[],
    options?: WooCallOptions & { concurrency?: number },
  ): Promise<Map<number, WooVariation[]>>;
  /**
   * Pages of the store-wide `/variations` with the given filters (e.g. `modified_after`), for
   * polling variation-only edits. WooCommerce before 10.3 has no such route: the first 404 is
   * remembered by this reader, which then yields nothing without asking again.
   */
  globalVariationPages(
    params: Record<string, string | number | boolean>,
    options?: WooCallOptions,
  ): AsyncIterable<WooVariation[]>;
  /** Every product id (any status but trash) page by page, via `_fields=id`: for reconciliation. */
  productIdPages(options?: WooCallOptions): AsyncIterable<number[]>;
  /** All product categories (cached for `cacheTtlMs`; concurrent callers share one load). */
  listCategories(options?: WooCallOptions & { refresh?: boolean }): Promise<WooTerm[]>;
  /** All brands of core Brands; empty when the store has no brands endpoint (WooCommerce < 9.6). */
  listBrands(options?: WooCallOptions & { refresh?: boolean }): Promise<WooTerm[]>;
  /** Tax settings and rates (cached). */
  getTaxSettings(options?: WooCallOptions & { refresh?: boolean }): Promise<WooTaxSettings>;
  /** `/orders/{id}`; undefined on 404. */
  getOrder(id: number, options?: WooCallOptions): Promise<WooOrder | undefined>;
  listOrders(params?: ListOrdersParams, options?: WooCallOptions): Promise<WooPage<WooOrder>>;
  /**
   * A raw call for endpoints without a helper (`webhooks`, `system_status`). GETs are retried;
   * writes are not. Params must be flat strings/numbers/booleans (lists comma-joined).
   */
  request<T>(
    method: "get" | "post" | "put" | "delete",
    endpoint: string,
    params?: Record<string, string | number | boolean | readonly (string | number)[]>,
    data?: unknown,
    options?: WooCallOptions,
  ): Promise<{ data: T; headers: Record<string, string>; status: number }>;
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

/** `YYYY-MM-DDTHH:MM:SS` in UTC, as `modified_after` with `dates_are_gmt=true` expects. */
export function toWooGmt(value: Date | string): string {
  const date =
    typeof value === "string"
      ? new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`)
      : value;
  if (Number.isNaN(date.getTime())) {
    throw new TypeError(
      `Expected a Date or an ISO-8601 date string; received ${JSON.stringify(value)}.`,
    );
  }
  return date.toISOString().slice(0, 19);
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

class UnsupportedGlobalVariations extends Error {}

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

/** Creates a reader over `@woocommerce/woocommerce-rest-api` (OAuth 1.0a over http, Basic over https). */
export function createWooStoreReader(options: WooStoreReaderOptions): WooStoreReader {
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
  const cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  function describe(method: string, endpoint: string): string {
    return `${method.toUpperCase()} ${endpoint}`;
  }

  function toError(error: unknown, method: string, endpoint: string): WooCommerceError {
    const request = describe(method, endpoint);
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
        if (reasons.length > 0)
          storeMessage = `${storeMessage ?? ""} (${reasons.join("; ")})`.trim();
      }
      return new WooCommerceError({
        kind: kindForStatus(response.status),
        status: response.status,
        code,
        storeMessage,
        request,
        retryAfterMs: parseRetryAfterMs(lowerHeaders(response.headers)["retry-after"], now()),
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

  async function request<T>(
    method: "get" | "post" | "put" | "delete",
    endpoint: string,
    params: Record<string, string | number | boolean | readonly (string | number)[]> = {},
    data?: unknown,
    callOptions: WooCallOptions = {},
  ): Promise<{ data: T; headers: Record<string, string>; status: number }> {
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
            request: describe(method, endpoint),
          });
        }
        return { data: response.data as T, headers, status: response.status };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const wooError = WooCommerceError.isWooCommerceError(error)
          ? error
          : toError(error, method, endpoint);
        if (!wooError.isRetryable || attempt >= retries) throw wooError;
        await sleep(retryDelayMs(attempt + 1, wooError.retryAfterMs, random), signal);
      }
    }
  }

  function perPage(value: number | undefined): number {
    const n = value ?? MAX_PER_PAGE;
    if (!Number.isInteger(n) || n < 1 || n > MAX_PER_PAGE) {
      throw new RangeError(`perPage must be an integer from 1 to ${MAX_PER_PAGE}; received ${n}.`);
    }
    return n;
  }

  async function page<T>(
    endpoint: string,
    params: Record<string, string | number | boolean | readonly (string | number)[]>,
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
    params: Record<string, string | number | boolean | readonly (string | number)[]>,
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
    params: Record<string, string | number | boolean | readonly (string | number)[]>,
    callOptions: WooCallOptions,
  ): Promise<T[]> {
    const items: T[] = [];
    for await (const current of pages<T>(endpoint, params, callOptions))
      items.push(...current.items);
    return items;
  }

  function productParams(params: ListProductsParams) {
    const out: Record<string, string | number | boolean | readonly (string | number)[]> = {
      per_page: perPage(params.perPage),
      orderby: params.orderby ?? "id",
      order: params.order ?? "asc",
    };
    const fields = params.fields ?? PRODUCT_FIELDS;
    if (fields !== "all") out._fields = fields.join(",");
    if (params.status) out.status = params.status;
    if (params.type) out.type = params.type;
    if (params.include) {
      if (params.include.length > MAX_PER_PAGE) {
        throw new RangeError(
          `include takes at most ${MAX_PER_PAGE} ids; received ${params.include.length}.`,
        );
      }
      out.include = params.include;
    }
    if (params.modifiedAfter !== undefined || params.modifiedBefore !== undefined) {
      // Without dates_are_gmt WooCommerce compares the site-local post_modified column.
      out.dates_are_gmt = true;
      if (params.modifiedAfter !== undefined) out.modified_after = toWooGmt(params.modifiedAfter);
      if (params.modifiedBefore !== undefined)
        out.modified_before = toWooGmt(params.modifiedBefore);
    }
    return out;
  }

  function cached<T>(load: (options: WooCallOptions) => Promise<T>) {
    let entry: { value: Promise<T>; at: number } | undefined;
    return (callOptions: WooCallOptions & { refresh?: boolean } = {}): Promise<T> => {
      if (!entry || callOptions.refresh || now() - entry.at > cacheTtlMs) {
        const value = load(callOptions);
        const current = { value, at: now() };
        entry = current;
        // A failed load must not be cached.
        value.catch(() => {
          if (entry === current) entry = undefined;
        });
      }
      return entry.value;
    };
  }

  const listCategories = cached((callOptions) =>
    all<WooTerm>(
      "products/categories",
      { per_page: MAX_PER_PAGE, _fields: "id,name,slug,parent" },
      callOptions,
    ),
  );

  const listBrands = cached(async (callOptions) => {
    try {
      return await all<WooTerm>(
        "products/brands",
        { per_page: MAX_PER_PAGE, _fields: "id,name,slug,parent" },
        callOptions,
      );
    } catch (error) {
      // Before core Brands (WooCommerce < 9.6, or the feature off) the route does not exist.
      if (WooCommerceError.isWooCommerceError(error) && error.status === 404) return [];
      throw error;
    }
  });

  const getTaxSettings = cached(async (callOptions): Promise<WooTaxSettings> => {
    const [general, tax, rates] = await Promise.all([
      request<WooSetting[]>(
        "get",
        "settings/general",
        { _fields: "id,value" },
        undefined,
        callOptions,
      ),
      request<WooSetting[]>("get", "settings/tax", { _fields: "id,value" }, undefined, callOptions),
      all<WooTaxRate>("taxes", { per_page: MAX_PER_PAGE }, callOptions),
    ]);
    const value = (list: WooSetting[], id: string) =>
      list.find((setting) => setting.id === id)?.value;
    const country = String(value(general.data, "woocommerce_default_country") ?? "");
    const [baseCountry = "", baseState = ""] = country.split(":");
    const decimals = Number(value(general.data, "woocommerce_price_num_decimals") ?? 2);
    return {
      calcTaxes: value(general.data, "woocommerce_calc_taxes") === "yes",
      pricesIncludeTax: value(tax.data, "woocommerce_prices_include_tax") === "yes",
      displayIncludingTax: value(tax.data, "woocommerce_tax_display_shop") === "incl",
      currency: String(value(general.data, "woocommerce_currency") ?? "USD"),
      priceDecimals: Number.isInteger(decimals) && decimals >= 0 ? decimals : 2,
      baseCountry,
      baseState,
      basePostcode: String(value(general.data, "woocommerce_store_postcode") ?? ""),
      baseCity: String(value(general.data, "woocommerce_store_city") ?? ""),
      rates,
    };
  });

  async function listVariations(
    parentId: number,
    callOptions: WooCallOptions = {},
  ): Promise<WooVariation[]> {
    try {
      return await all<WooVariation>(
        `products/${parentId}/variations`,
        {
          per_page: MAX_PER_PAGE,
          orderby: "id",
          order: "asc",
          _fields: VARIATION_FIELDS.join(","),
        },
        callOptions,
      );
    } catch (error) {
      if (WooCommerceError.isWooCommerceError(error) && error.kind === "not-found") return [];
      throw error;
    }
  }

  // Whether the store has `GET /variations` (WooCommerce ≥ 10.3); learnt on first use.
  let globalVariations: boolean | undefined;

  async function getOrNotFound<T>(
    endpoint: string,
    params: Record<string, string>,
    callOptions: WooCallOptions,
  ) {
    try {
      return (await request<T>("get", endpoint, params, undefined, callOptions)).data;
    } catch (error) {
      if (WooCommerceError.isWooCommerceError(error) && error.kind === "not-found")
        return undefined;
      throw error;
    }
  }

  return {
    url,
    listProducts: async (params = {}, callOptions = {}) =>
      page<WooProduct>("products", productParams(params), params.page ?? 1, callOptions),
    async *productPages(params = {}, callOptions = {}) {
      yield* pages<WooProduct>("products", productParams(params), callOptions, params.page ?? 1);
    },
    async getProductsByIds(ids, callOptions = {}) {
      const unique = [...new Set(ids)];
      const products: WooProduct[] = [];
      for (let start = 0; start < unique.length; start += MAX_PER_PAGE) {
        const batch = unique.slice(start, start + MAX_PER_PAGE);
        const result = await page<WooProduct>(
          "products",
          productParams({
            include: batch,
            perPage: MAX_PER_PAGE,
            orderby: "include",
            ...(callOptions.fields ? { fields: callOptions.fields } : {}),
          }),
          1,
          callOptions.signal ? { signal: callOptions.signal } : {},
        );
        products.push(...result.items);
      }
      return products;
    },
    getProduct: (id, callOptions = {}) =>
      getOrNotFound<WooProduct>(
        `products/${id}`,
        { _fields: PRODUCT_FIELDS.join(",") },
        callOptions,
      ),
    async getProductPasswords(ids, callOptions = {}) {
      const unique = [...new Set(ids)];
      const passwords = new Map<number, string>();
      // A separate, trimmed read rather than the main pages in the `edit` context: `edit` returns
      // the stored values without WooCommerce's `view` filters (price plugins' `get_price`,
      // translated names, `wpautop`/shortcodes in descriptions), so the mapping would change.
      // With `_fields`, WooCommerce computes only these two fields: a cheap request.
      for (let start = 0; start < unique.length; start += MAX_PER_PAGE) {
        const batch = unique.slice(start, start + MAX_PER_PAGE);
        const result = await page<Pick<WooProduct, "id" | "post_password">>(
          "products",
          {
            include: batch,
            per_page: MAX_PER_PAGE,
            context: "edit",
            _fields: "id,post_password",
          },
          1,
          callOptions,
        );
        for (const item of result.items) {
          if (typeof item.post_password === "string") passwords.set(item.id, item.post_password);
        }
      }
      return passwords;
    },
    listVariations,
    async *globalVariationPages(params, callOptions = {}) {
      if (globalVariations === false) return;
      const iterator = pages<WooVariation>(
        "variations",
        { per_page: MAX_PER_PAGE, ...params },
        callOptions,
      )[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<WooPage<WooVariation>>;
        try {
          next = await iterator.next();
        } catch (error) {
          if (
            WooCommerceError.isWooCommerceError(error) &&
            (error.status === 404 || error.status === 400)
          ) {
            globalVariations = false;
            return;
          }
          throw error;
        }
        if (next.done) return;
        globalVariations = true;
        yield next.value.items;
      }
    },
    async listVariationsOf(parentIds, callOptions = {}) {
      const unique = [...new Set(parentIds)];
      const result = new Map<number, WooVariation[]>(unique.map((id) => [id, []]));
      if (unique.length === 0) return result;
      const signalOnly = callOptions.signal ? { signal: callOptions.signal } : {};
      if (globalVariations !== false) {
        try {
          for (let start = 0; start < unique.length; start += MAX_PER_PAGE) {
            const batch = unique.slice(start, start + MAX_PER_PAGE);
            const wanted = new Set(batch);
            const items = await all<WooVariation>(
              "variations",
              {
                parent: batch,
                per_page: MAX_PER_PAGE,
                orderby: "id",
                order: "asc",
                _fields: VARIATION_FIELDS.join(","),
              },
              signalOnly,
            );
            // A store that ignores `parent` would hand us every variation: don't trust it.
            if (items.some((v) => v.parent_id === undefined || !wanted.has(v.parent_id))) {
              throw new UnsupportedGlobalVariations();
            }
            for (const variation of items)
              result.get(variation.parent_id as number)?.push(variation);
          }
          globalVariations = true;
          return result;
        } catch (error) {
          const unsupported =
            error instanceof UnsupportedGlobalVariations ||
            (WooCommerceError.isWooCommerceError(error) &&
              (error.status === 404 || error.status === 400));
          if (!unsupported) throw error;
          globalVariations = false;
          for (const id of unique) result.set(id, []);
        }
      }
      const concurrency = Math.max(1, callOptions.concurrency ?? 4);
      let next = 0;
      const workers = Array.from({ length: Math.min(concurrency, unique.length) }, async () => {
        while (next < unique.length) {
          const id = unique[next++] as number;
          result.set(id, await listVariations(id, signalOnly));
        }
      });
      await Promise.all(workers);
      return result;
    },
    async *productIdPages(callOptions = {}) {
      for await (const current of pages<{ id: number }>(
        "products",
        { per_page: MAX_PER_PAGE, orderby: "id", order: "asc", _fields: "id" },
        callOptions,
      )) {
        yield current.items.map((item) => item.id);
      }
    },
    listCategories,
    listBrands,
    getTaxSettings,
    getOrder: (id, callOptions = {}) => getOrNotFound<WooOrder>(`orders/${id}`, {}, callOptions),
    async listOrders(params = {}, callOptions = {}) {
      const query: Record<string, string | number | boolean | readonly (string | number)[]> = {
        per_page: perPage(params.perPage),
        orderby: "id",
        order: "asc",
      };
      if (params.status) query.status = params.status;
      if (params.include) query.include = params.include;
      if (params.modifiedAfter !== undefined) {
        query.dates_are_gmt = true;
        query.modified_after = toWooGmt(params.modifiedAfter);
      }
      return page<WooOrder>("orders", query, params.page ?? 1, callOptions);
    },
    request,
  };
}
