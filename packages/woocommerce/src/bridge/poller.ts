import { createHash } from "node:crypto";
import type { ChangeInput, ChangeQueue, SyncStateStore } from "@neuroon/core";
import { orderChange } from "../conversions.js";
import { toWooGmt, type WooStoreReader } from "../reader.js";
import type { BridgeStore } from "./bridge-store.js";

/** State-store meta key of the products high-water mark (GMT, `YYYY-MM-DDTHH:MM:SS`). */
export const POLL_PRODUCTS_META_KEY = "woocommerce:poll:products-modified-after";
/** State-store meta key of the orders high-water mark. */
export const POLL_ORDERS_META_KEY = "woocommerce:poll:orders-modified-after";
/** State-store meta key of the digest of the tax settings and rates the catalog was priced with. */
export const TAX_SETTINGS_META_KEY = "woocommerce:tax-settings-digest";

const PER_PAGE = 100;
// Enqueue in chunks so one poll over a big import is a few transactions, not one per product.
const ENQUEUE_CHUNK = 500;

export interface PollOptions {
  reader: WooStoreReader;
  queue: ChangeQueue;
  state: SyncStateStore;
  store: BridgeStore;
  /** Re-read this far before the high-water mark. */
  overlapMs: number;
  paidStatuses: readonly string[];
  now?: () => number;
  signal?: AbortSignal;
}

/** What one poll found. */
export interface PollResult {
  /** Products (parents) enqueued: modified products and parents of modified variations. */
  products: number;
  /** Paid orders enqueued for a conversion report. */
  orders: number;
  /** The marks the next poll starts from (before the overlap). */
  productsSince: string;
  ordersSince: string;
  /** True when this was the first poll: the marks were set and nothing was read. */
  initialized: boolean;
}

interface Stamped {
  id: number;
  parent_id?: number;
  date_modified_gmt?: string | null;
}

/** The later of two GMT stamps (`YYYY-MM-DDTHH:MM:SS`, which sort as text). */
function later(a: string, b: string | null | undefined): string {
  return b && b > a ? b.slice(0, 19) : a;
}

/** What one tax-settings check found. */
export interface TaxSettingsCheck {
  /** True when the settings differ from the last check's: every product was re-queued. */
  changed: boolean;
  /** Products re-queued for re-pricing. */
  products: number;
}

/**
 * Re-prices the catalog when the store's tax settings change. WooCommerce sends no webhook for
 * them (issue 14), so they are read again (bypassing the reader's cache) and compared, by digest,
 * with the last ones seen; on a change every product is queued, and the engine re-reads and
 * re-sends those whose shown price moved. The first check only records the digest.
 */
export async function checkTaxSettings(options: {
  reader: WooStoreReader;
  queue: ChangeQueue;
  state: SyncStateStore;
  /** Only record the current settings (before a full sync, which prices everything anyway). */
  recordOnly?: boolean;
  signal?: AbortSignal;
}): Promise<TaxSettingsCheck> {
  const { reader, queue, state, signal } = options;
  const callOptions = signal ? { signal } : {};
  const settings = await reader.getTaxSettings({ ...callOptions, refresh: true });
  const digest = createHash("sha256").update(JSON.stringify(settings)).digest("hex");
  const previous = await state.getMeta<string>(TAX_SETTINGS_META_KEY);
  if (previous === digest) return { changed: false, products: 0 };
  let products = 0;
  if (previous !== undefined && !options.recordOnly) {
    for await (const ids of reader.productIdPages(callOptions)) {
      await queue.enqueue(
        ids.map((id) => ({ kind: "product", key: String(id), origin: "tax-settings" })),
      );
      products += ids.length;
    }
  }
  // Recorded only after every product was queued: a crash in between re-queues, never skips.
  await state.setMeta(TAX_SETTINGS_META_KEY, digest);
  return { changed: previous !== undefined && !options.recordOnly, products };
}

async function* pages<T>(
  reader: WooStoreReader,
  endpoint: string,
  params: Record<string, string | number | boolean>,
  signal: AbortSignal | undefined,
): AsyncGenerator<T[]> {
  for (let page = 1; ; page += 1) {
    const response = await reader.request<T[]>(
      "get",
      endpoint,
      { ...params, per_page: PER_PAGE, page },
      undefined,
      signal ? { signal } : {},
    );
    const items = Array.isArray(response.data) ? response.data : [];
    if (items.length > 0) yield items;
    const totalPages = Number(response.headers["x-wp-totalpages"] ?? 0);
    if (items.length < PER_PAGE || (totalPages > 0 && page >= totalPages)) return;
  }
}

/**
 * One incremental poll (imports, ERP and bulk edits send no webhook, and WooCommerce never retries
 * a failed delivery): products and variations modified after the high-water mark minus the overlap
 * (`modified_after` with `dates_are_gmt=true`), enqueued as `product` changes keyed by the parent;
 * paid orders modified since, enqueued as conversions unless already reported. The marks advance
 * to the newest `date_modified_gmt` seen (the store's clock, so the bridge's own clock does not
 * matter) and are kept in the state store's meta only after the changes were enqueued.
 */
export async function pollStoreChanges(options: PollOptions): Promise<PollResult> {
  const { reader, queue, state, store, signal } = options;
  const now = options.now ?? Date.now;
  const productsMark = await state.getMeta<string>(POLL_PRODUCTS_META_KEY);
  const ordersMark = await state.getMeta<string>(POLL_ORDERS_META_KEY);
  if (productsMark === undefined || ordersMark === undefined) {
    // First run: start from now. `syncAll()` covers everything before.
    const start = toWooGmt(new Date(now()));
    if (productsMark === undefined) await state.setMeta(POLL_PRODUCTS_META_KEY, start);
    if (ordersMark === undefined) await state.setMeta(POLL_ORDERS_META_KEY, start);
    return {
      products: 0,
      orders: 0,
      productsSince: productsMark ?? start,
      ordersSince: ordersMark ?? start,
      initialized: true,
    };
  }
  const sinceOf = (mark: string) =>
    toWooGmt(new Date(new Date(`${mark}Z`).getTime() - options.overlapMs));
  const dateParams = (mark: string) => ({
    modified_after: sinceOf(mark),
    dates_are_gmt: true,
    orderby: "id",
    order: "asc",
  });

  const parents = new Set<number>();
  let nextProducts = productsMark;
  for await (const items of pages<Stamped>(
    reader,
    "products",
    { ...dateParams(productsMark), _fields: "id,date_modified_gmt" },
    signal,
  )) {
    for (const item of items) {
      parents.add(item.id);
      nextProducts = later(nextProducts, item.date_modified_gmt);
    }
  }
  // `status=any` leaves the trash out; a trashed product whose product.deleted was lost shows here.
  // Only those Neuroon may still hold (in the sync state) are queued: the overlap lists the same
  // trash again on every poll, and a product already deleted needs no second DELETE (issue 14).
  for await (const items of pages<Stamped>(
    reader,
    "products",
    { ...dateParams(productsMark), status: "trash", _fields: "id,date_modified_gmt" },
    signal,
  )) {
    const synced = await state.get(items.map((item) => String(item.id)));
    for (const item of items) {
      if (synced.has(String(item.id))) parents.add(item.id);
      nextProducts = later(nextProducts, item.date_modified_gmt);
    }
  }
  // Variation edits may not touch the parent's date_modified (WooCommerce #9531): ask for them
  // too. WooCommerce < 10.3 has no store-wide /variations; the reader asks once and remembers.
  for await (const items of reader.globalVariationPages(
    { ...dateParams(productsMark), _fields: "id,parent_id,date_modified_gmt" },
    signal ? { signal } : {},
  )) {
    for (const item of items) {
      if (item.parent_id) parents.add(item.parent_id);
      nextProducts = later(nextProducts, item.date_modified_gmt ?? null);
    }
  }
  const productChanges: ChangeInput[] = [...parents].map((id) => ({
    kind: "product",
    key: String(id),
    origin: "poll",
  }));
  for (let i = 0; i < productChanges.length; i += ENQUEUE_CHUNK) {
    await queue.enqueue(productChanges.slice(i, i + ENQUEUE_CHUNK));
  }
  await state.setMeta(POLL_PRODUCTS_META_KEY, nextProducts);

  const orderIds: number[] = [];
  let nextOrders = ordersMark;
  for await (const items of pages<Stamped>(
    reader,
    "orders",
    {
      ...dateParams(ordersMark),
      status: options.paidStatuses.join(","),
      _fields: "id,date_modified_gmt",
    },
    signal,
  )) {
    for (const item of items) {
      nextOrders = later(nextOrders, item.date_modified_gmt);
      if (!store.isOrderReported(String(item.id))) orderIds.push(item.id);
    }
  }
  if (orderIds.length > 0) await queue.enqueue(orderIds.map((id) => orderChange(id, "poll")));
  await state.setMeta(POLL_ORDERS_META_KEY, nextOrders);
  return {
    products: parents.size,
    orders: orderIds.length,
    productsSince: nextProducts,
    ordersSince: nextOrders,
    initialized: false,
  };
}
