import {
  ApiError,
  NeuroonClient,
  type NeuroonProduct,
  NotFoundError,
  type SyncProductsResponse,
  type TrackConversionRequest,
  type TrackConversionResponse,
} from "@neuroon/core";

/**
 * The Plugin API calls the sync logic makes, over `@neuroon/core`'s `NeuroonClient`. Kept as an
 * interface so the sync logic depends on four calls, not on the client's whole surface.
 */
export interface NeuroonApi {
  syncProducts(
    products: NeuroonProduct[],
    options?: { signal?: AbortSignal; idempotencyKey?: string },
  ): Promise<SyncProductsResponse>;
  /** Resolves `false` when Neuroon did not hold the product: the outcome we want anyway. */
  deleteProduct(externalId: string, signal?: AbortSignal): Promise<boolean>;
  /** Every externalId Neuroon holds for the shop, page by page. */
  listExternalIds(signal?: AbortSignal): AsyncIterable<string>;
  trackConversion(
    request: TrackConversionRequest,
    signal?: AbortSignal,
  ): Promise<TrackConversionResponse>;
}

export interface CoreNeuroonApiOptions {
  apiUrl: string;
  shopId: string;
  apiKey: string;
  appInfo: { name: string; version: string };
  /** In-call retries (the durable retry state takes over after them). */
  maxRetries: number;
}

const LIST_PAGE_SIZE = 100;

export function createCoreNeuroonApi(options: CoreNeuroonApiOptions): NeuroonApi {
  const client = new NeuroonClient({
    shopId: options.shopId,
    apiKey: options.apiKey,
    baseUrl: options.apiUrl,
    appInfo: options.appInfo,
    maxRetries: options.maxRetries,
  });
  return {
    syncProducts(products, { signal, idempotencyKey } = {}) {
      return client.products.sync(
        { syncType: "INCREMENTAL", products },
        { signal, idempotencyKey },
      );
    },
    async deleteProduct(externalId, signal) {
      try {
        await client.products.delete(externalId, { signal });
        return true;
      } catch (error) {
        if (error instanceof NotFoundError) return false;
        throw error;
      }
    },
    async *listExternalIds(signal) {
      for await (const product of client.products.list({ size: LIST_PAGE_SIZE, signal })) {
        yield product.externalId;
      }
    },
    trackConversion(request, signal) {
      return client.conversions.track(request, { signal });
    },
  };
}

/** Whether a failed call may succeed later unchanged: connection errors, timeouts, 408, 429, 5xx. */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof ApiError)
    return error.status === 408 || error.status === 429 || error.status >= 500;
  return true;
}
