import { toWooGmt } from "./reader/fields.js";
import { createProductReader } from "./reader/products.js";
import { cachedFor, readBrands, readCategories, readTaxSettings } from "./reader/store-settings.js";
import { createWooTransport, perPageOf, type WooParams } from "./reader/transport.js";
import { createVariationReader } from "./reader/variations.js";
import type { WooOrder, WooProduct, WooTaxRate, WooTerm, WooVariation } from "./types.js";

export { MAX_PER_PAGE, PRODUCT_FIELDS, toWooGmt, VARIATION_FIELDS } from "./reader/fields.js";

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

const DEFAULT_CACHE_TTL_MS = 10 * 60_000;

/**
 * Creates a reader over `@woocommerce/woocommerce-rest-api` (OAuth 1.0a over http, Basic over
 * https): the transport (signed calls, retries, paging; `reader/transport.ts`), products
 * (`reader/products.ts`), variations (`reader/variations.ts`), the cached store settings
 * (`reader/store-settings.ts`) and orders.
 */
export function createWooStoreReader(options: WooStoreReaderOptions): WooStoreReader {
  const transport = createWooTransport(options);
  const cached = <T>(load: (callOptions: WooCallOptions) => Promise<T>) =>
    cachedFor(options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS, options.now ?? Date.now, load);
  return {
    url: transport.url,
    ...createProductReader(transport),
    ...createVariationReader(transport),
    listCategories: cached((callOptions) => readCategories(transport, callOptions)),
    listBrands: cached((callOptions) => readBrands(transport, callOptions)),
    getTaxSettings: cached((callOptions) => readTaxSettings(transport, callOptions)),
    getOrder: (id, callOptions = {}) =>
      transport.getOrNotFound<WooOrder>(`orders/${id}`, {}, callOptions),
    async listOrders(params = {}, callOptions = {}) {
      const query: WooParams = {
        per_page: perPageOf(params.perPage),
        orderby: "id",
        order: "asc",
      };
      if (params.status) query.status = params.status;
      if (params.include) query.include = params.include;
      if (params.modifiedAfter !== undefined) {
        query.dates_are_gmt = true;
        query.modified_after = toWooGmt(params.modifiedAfter);
      }
      return transport.page<WooOrder>("orders", query, params.page ?? 1, callOptions);
    },
    request: transport.request,
  };
}
