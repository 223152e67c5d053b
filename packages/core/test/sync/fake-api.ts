import { ApiError } from "../../src/errors.js";
import type { SyncApi, SyncPageList } from "../../src/sync/types.js";
import type {
  NeuroonProduct,
  ProductCursorPage,
  ProductPage,
  StoredProduct,
  SyncProductsRequest,
  SyncProductsResponse,
  TrackConversionRequest,
} from "../../src/types.js";

/**
 * The client's own typed error for `status` (ServerError, ValidationError, NotFoundError, …),
 * built by `ApiError.from` as a real response would be: the engine decides by its brand.
 */
export function apiError(status: number, serverMessage: string, path = "/fake"): ApiError {
  return ApiError.from({
    status,
    body: { message: serverMessage },
    headers: {},
    method: "POST",
    path,
  });
}

function pageList<TItem, TPage>(
  fetchPage: (index: number) => Promise<{ page: TPage; items: TItem[]; more: boolean }>,
): SyncPageList<TItem, TPage> {
  const pages = async function* () {
    for (let index = 0; ; index += 1) {
      const { page, more } = await fetchPage(index);
      yield page;
      if (!more) return;
    }
  };
  return {
    // biome-ignore lint/suspicious/noThenProperty: awaitable page list, like the real client's
    then(onFulfilled, onRejected) {
      return fetchPage(0)
        .then((r) => r.page)
        .then(onFulfilled, onRejected);
    },
    async *[Symbol.asyncIterator]() {
      for (let index = 0; ; index += 1) {
        const { items, more } = await fetchPage(index);
        yield* items;
        if (!more) return;
      }
    },
    pages,
  };
}

/**
 * A small in-process Neuroon for unit tests of engine logic: upsert, delete, list with
 * `modifiedAfter`, cursor list, conversions, and scripted failures. The integration tests use
 * the real client against the emulator instead.
 */
export class FakeNeuroon implements SyncApi {
  readonly catalog = new Map<string, StoredProduct>();
  readonly calls: { method: string; syncType?: string; size?: number; ids?: string[] }[] = [];
  readonly conversionsTracked: TrackConversionRequest[] = [];
  /** Failures to throw on the next calls, in order; `null` lets that call through. */
  readonly failNext: (Error | null)[] = [];
  /** Products the server refuses with a 400 whenever they are in a batch. */
  readonly invalid = new Set<string>();
  cursorSupported = true;
  #clock = Date.parse("2026-01-01T00:00:00Z");

  /** The fake server's clock, epoch ms; every write advances it by a second. */
  get nowMs(): number {
    return this.#clock;
  }

  tick(): string {
    this.#clock += 1_000;
    return new Date(this.#clock).toISOString().replace("Z", "");
  }

  /** A dashboard edit: changes fields and bumps `updatedAt`. */
  edit(externalId: string, patch: Partial<NeuroonProduct>): void {
    const product = this.catalog.get(externalId);
    if (!product) throw new Error(`no ${externalId}`);
    this.catalog.set(externalId, { ...product, ...patch, updatedAt: this.tick() });
  }

  #maybeFail(): void {
    const failure = this.failNext.shift();
    if (failure) throw failure;
  }

  products: SyncApi["products"] = {
    sync: async (request: SyncProductsRequest): Promise<SyncProductsResponse> => {
      this.calls.push({
        method: "sync",
        syncType: request.syncType,
        size: request.products.length,
        ids: request.products.map((p) => p.externalId),
      });
      this.#maybeFail();
      const bad = request.products.filter((p) => this.invalid.has(p.externalId));
      if (bad.length > 0) {
        throw apiError(400, `products[0].price: must be >= 0 (${bad[0]?.externalId})`);
      }
      if (request.syncType === "FULL" && !this.#inFullRun) this.catalog.clear();
      this.#inFullRun = request.syncType === "FULL";
      let created = 0;
      let updated = 0;
      const errors: { externalId: string; error: string }[] = [];
      const batchIds = new Set<string>();
      for (const product of request.products) {
        if (
          product.parentExternalId &&
          !this.catalog.has(product.parentExternalId) &&
          !batchIds.has(product.parentExternalId)
        ) {
          errors.push({ externalId: product.externalId, error: "parent product not found" });
          continue;
        }
        batchIds.add(product.externalId);
        const now = this.tick();
        const existing = this.catalog.get(product.externalId);
        if (existing) updated += 1;
        else created += 1;
        this.catalog.set(product.externalId, {
          ...product,
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        });
      }
      return {
        newProducts: created,
        updatedProducts: updated,
        failed: errors.length,
        errors,
        productsCount: this.catalog.size,
        remainingProducts: 1e6,
      };
    },
    delete: async (externalId: string) => {
      this.calls.push({ method: "delete", ids: [externalId] });
      this.#maybeFail();
      if (!this.catalog.delete(externalId))
        throw apiError(404, "not found", `/products/${externalId}`);
      return undefined;
    },
    list: (params = {}) => {
      const size = params.size ?? 20;
      const after =
        params.modifiedAfter === undefined ? undefined : Date.parse(String(params.modifiedAfter));
      return pageList<StoredProduct, ProductPage>(async (index) => {
        this.calls.push({ method: "list" });
        this.#maybeFail();
        const all = [...this.catalog.values()].filter(
          (p) => after === undefined || Date.parse(`${p.updatedAt}Z`) > after,
        );
        const content = all.slice(index * size, (index + 1) * size);
        const totalPages = Math.ceil(all.length / size);
        return {
          page: {
            content,
            page: index,
            size,
            totalElements: all.length,
            totalPages,
            first: index === 0,
            last: index + 1 >= totalPages,
          },
          items: content,
          more: index + 1 < totalPages,
        };
      });
    },
    listByCursor: (params = {}) => {
      const limit = params.limit ?? 100;
      return pageList<StoredProduct, ProductCursorPage>(async (index) => {
        this.calls.push({ method: "listByCursor" });
        if (!this.cursorSupported) throw apiError(400, "unknown parameter cursor");
        const all = [...this.catalog.values()];
        const products = all.slice(index * limit, (index + 1) * limit);
        const more = (index + 1) * limit < all.length;
        return {
          page: { products, nextCursor: more ? String(index + 1) : null },
          items: products,
          more,
        };
      });
    },
  };

  #inFullRun = false;

  conversions: SyncApi["conversions"] = {
    track: async (request: TrackConversionRequest) => {
      this.calls.push({ method: "track" });
      this.#maybeFail();
      this.conversionsTracked.push(request);
      return { orderId: request.orderId, accepted: request.conversions.length, duplicate: false };
    },
  };

  count(method: string, syncType?: string): number {
    return this.calls.filter(
      (c) => c.method === method && (syncType === undefined || c.syncType === syncType),
    ).length;
  }
}
