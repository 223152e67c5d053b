import type { ListProductsParams, WooStoreReader } from "../reader.js";
import type { WooProduct } from "../types.js";
import { MAX_PER_PAGE, PRODUCT_FIELDS, toWooGmt } from "./fields.js";
import { perPageOf, type WooParams, type WooTransport } from "./transport.js";

/** The query of a `/products` listing. */
export function productQuery(params: ListProductsParams): WooParams {
  const out: WooParams = {
    per_page: perPageOf(params.perPage),
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
    if (params.modifiedBefore !== undefined) out.modified_before = toWooGmt(params.modifiedBefore);
  }
  return out;
}

/** `ids` without repeats, in slices of at most {@link MAX_PER_PAGE} (one `include` request each). */
function includeBatches(ids: readonly number[]): number[][] {
  const unique = [...new Set(ids)];
  const batches: number[][] = [];
  for (let start = 0; start < unique.length; start += MAX_PER_PAGE) {
    batches.push(unique.slice(start, start + MAX_PER_PAGE));
  }
  return batches;
}

/** The reader's product calls: listings, pages, lookups by id and the password check. */
export function createProductReader(
  transport: WooTransport,
): Pick<
  WooStoreReader,
  | "listProducts"
  | "productPages"
  | "getProductsByIds"
  | "getProduct"
  | "getProductPasswords"
  | "productIdPages"
> {
  return {
    listProducts: async (params = {}, callOptions = {}) =>
      transport.page<WooProduct>("products", productQuery(params), params.page ?? 1, callOptions),
    async *productPages(params = {}, callOptions = {}) {
      yield* transport.pages<WooProduct>(
        "products",
        productQuery(params),
        callOptions,
        params.page ?? 1,
      );
    },
    async getProductsByIds(ids, callOptions = {}) {
      const products: WooProduct[] = [];
      for (const batch of includeBatches(ids)) {
        const result = await transport.page<WooProduct>(
          "products",
          productQuery({
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
      transport.getOrNotFound<WooProduct>(
        `products/${id}`,
        { _fields: PRODUCT_FIELDS.join(",") },
        callOptions,
      ),
    async getProductPasswords(ids, callOptions = {}) {
      const passwords = new Map<number, string>();
      // A separate, trimmed read rather than the main pages in the `edit` context: `edit` returns
      // the stored values without WooCommerce's `view` filters (price plugins' `get_price`,
      // translated names, `wpautop`/shortcodes in descriptions), so the mapping would change.
      // With `_fields`, WooCommerce computes only these two fields: a cheap request.
      for (const batch of includeBatches(ids)) {
        const result = await transport.page<Pick<WooProduct, "id" | "post_password">>(
          "products",
          { include: batch, per_page: MAX_PER_PAGE, context: "edit", _fields: "id,post_password" },
          1,
          callOptions,
        );
        for (const item of result.items) {
          if (typeof item.post_password === "string") passwords.set(item.id, item.post_password);
        }
      }
      return passwords;
    },
    async *productIdPages(callOptions = {}) {
      for await (const current of transport.pages<{ id: number }>(
        "products",
        { per_page: MAX_PER_PAGE, orderby: "id", order: "asc", _fields: "id" },
        callOptions,
      )) {
        yield current.items.map((item) => item.id);
      }
    },
  };
}
