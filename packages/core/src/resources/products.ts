import { defaultSyncIdempotencyKey } from "../idempotency.js";
import { isDotSegmentId } from "../mapping/ids.js";
import { PageList } from "../pagination.js";
import type { MutationOptions, RequestOptions, RequestSender } from "../request.js";
import type {
  ProductCursorPage,
  ProductPage,
  StoredProduct,
  SyncProductsRequest,
  SyncProductsResponse,
} from "../types.js";

/** Most products one sync request may carry (backend limit, contract §2.1). */
export const MAX_SYNC_BATCH_SIZE = 500;
/** Largest page `products.list()` asks for. */
export const MAX_LIST_PAGE_SIZE = 100;
/** Page size when none is given (Spring's default). */
export const DEFAULT_LIST_PAGE_SIZE = 20;

/** Parameters of `products.list()`; the per-call options apply to every page fetched. */
export interface ListProductsParams extends RequestOptions {
  /** Zero-based first page; default 0. */
  page?: number | undefined;
  /** 1..100; default 20. */
  size?: number | undefined;
  /** Spring sort expression, e.g. `"externalId"` or `"updatedAt,desc"`. */
  sort?: string | undefined;
  /** Only products changed after this instant. */
  modifiedAfter?: string | Date | undefined;
}

/** Parameters of `products.listByCursor()`; the per-call options apply to every page fetched. */
export interface ListProductsByCursorParams extends RequestOptions {
  /** Where to start; omit for the beginning. */
  cursor?: string | undefined;
  /** Products per page (a positive integer; the server may cap it). */
  limit?: number | undefined;
}

/** What `products.list()` returns: awaitable first page, async iterable products, `.pages()`. */
export type ProductList = PageList<StoredProduct, ProductPage, number>;
/** What `products.listByCursor()` returns. */
export type ProductCursorList = PageList<StoredProduct, ProductCursorPage, string>;

/** `/api/plugin/shops/{shopId}/products…` */
export class ProductsResource {
  readonly #sender: RequestSender;
  readonly #shopId: string;
  readonly #basePath: string;

  /** @internal Created by `NeuroonClient`. */
  constructor(sender: RequestSender, shopId: string) {
    this.#sender = sender;
    this.#shopId = shopId;
    this.#basePath = `/api/plugin/shops/${encodeURIComponent(shopId)}/products`;
  }

  /**
   * Upserts 1..500 products. The default idempotency key is a content hash of the batch
   * ({@link defaultSyncIdempotencyKey}), so a re-sent identical batch is recognisable.
   */
  async sync(
    request: SyncProductsRequest,
    options: MutationOptions = {},
  ): Promise<SyncProductsResponse> {
    if (request.syncType !== "INCREMENTAL" && request.syncType !== "FULL") {
      throw new TypeError(
        `syncType must be "INCREMENTAL" or "FULL", received ${JSON.stringify(request.syncType)}.`,
      );
    }
    const { products } = request;
    if (
      !Array.isArray(products) ||
      products.length === 0 ||
      products.length > MAX_SYNC_BATCH_SIZE
    ) {
      throw new RangeError(
        `A sync request carries 1..${MAX_SYNC_BATCH_SIZE} products, received ` +
          `${Array.isArray(products) ? products.length : typeof products}; split larger batches.`,
      );
    }
    const response = await this.#sender.send<SyncProductsResponse>(
      {
        method: "POST",
        path: `${this.#basePath}/sync`,
        body: { syncType: request.syncType, products },
        bucket: "sync",
        // Hashing 500 products is not free: only when the caller brings no key of its own.
        ...(options.idempotencyKey === undefined && {
          defaultIdempotencyKey: defaultSyncIdempotencyKey(
            this.#shopId,
            request.syncType,
            products,
          ),
        }),
      },
      options,
    );
    return { ...response, errors: response?.errors ?? [] };
  }

  /** One stored product; throws `NotFoundError` when Neuroon does not hold it. */
  async get(externalId: string, options: RequestOptions = {}): Promise<StoredProduct> {
    return this.#sender.send<StoredProduct>(
      { method: "GET", path: this.#productPath(externalId), bucket: "other" },
      options,
    );
  }

  /** Removes one product (204); throws `NotFoundError` when Neuroon does not hold it. */
  async delete(externalId: string, options: MutationOptions = {}): Promise<void> {
    await this.#sender.send<undefined>(
      { method: "DELETE", path: this.#productPath(externalId), bucket: "other" },
      options,
    );
  }

  /**
   * Page/size listing. Stops after the page marked `last`, at `totalPages`, or on an empty page.
   * @throws RangeError at once for a size outside 1..100 or a negative page.
   */
  list(params: ListProductsParams = {}): ProductList {
    const { page = 0, size = DEFAULT_LIST_PAGE_SIZE, sort, modifiedAfter, ...options } = params;
    if (!Number.isInteger(size) || size < 1 || size > MAX_LIST_PAGE_SIZE) {
      throw new RangeError(
        `products.list() size must be an integer from 1 to ${MAX_LIST_PAGE_SIZE}, received ${size}.`,
      );
    }
    if (!Number.isInteger(page) || page < 0) {
      throw new RangeError(`products.list() page is zero-based and >= 0, received ${page}.`);
    }
    const modifiedAfterIso = toIsoInstant(modifiedAfter);
    return new PageList<StoredProduct, ProductPage, number>(page, async (pageIndex) => {
      const fetched = await this.#sender.send<ProductPage>(
        {
          method: "GET",
          path: this.#basePath,
          query: { page: pageIndex, size, sort, modifiedAfter: modifiedAfterIso },
          bucket: "other",
        },
        options,
      );
      const content = fetched.content ?? [];
      const isLast =
        content.length === 0 ||
        fetched.last === true ||
        (Number.isInteger(fetched.totalPages) && pageIndex + 1 >= fetched.totalPages);
      return { page: fetched, items: content, next: isLast ? undefined : pageIndex + 1 };
    });
  }

  /**
   * Cursor listing: follows `nextCursor` until it is `null`. The first request sends an empty
   * `cursor=`, as the docs' reconcile example does: without the parameter the server answers with
   * a page/size page instead.
   */
  listByCursor(params: ListProductsByCursorParams = {}): ProductCursorList {
    const { cursor, limit, ...options } = params;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new RangeError(
        `products.listByCursor() limit must be a positive integer, received ${limit}.`,
      );
    }
    return new PageList<StoredProduct, ProductCursorPage, string>(cursor ?? "", async (current) => {
      const fetched = await this.#sender.send<ProductCursorPage>(
        {
          method: "GET",
          path: this.#basePath,
          query: { cursor: current, limit },
          bucket: "other",
        },
        options,
      );
      const next = fetched.nextCursor ?? null;
      // A cursor that does not move would loop forever; treat it as the end.
      const isLast = next === null || next === current;
      return { page: fetched, items: fetched.products ?? [], next: isLast ? undefined : next };
    });
  }

  #productPath(externalId: string): string {
    if (typeof externalId !== "string" || externalId === "") {
      throw new TypeError(
        `externalId must be a non-empty string, received ${JSON.stringify(externalId)}.`,
      );
    }
    if (isDotSegmentId(externalId)) {
      throw new TypeError(
        `externalId ${JSON.stringify(externalId)} is a dot segment: a URL resolves "/products/${externalId}" to another path, so the product can be neither read nor deleted by this id. Give the product another externalId.`,
      );
    }
    return `${this.#basePath}/${encodeURIComponent(externalId)}`;
  }
}

function toIsoInstant(value: string | Date | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(
      `modifiedAfter must be a Date or ISO-8601 string, received ${String(value)}.`,
    );
  }
  return date.toISOString();
}
