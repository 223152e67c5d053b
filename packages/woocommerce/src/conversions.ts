import {
  type CatalogSource,
  type ChangeInput,
  type ConversionItem,
  type ConversionResolution,
  currencyMinorUnits,
  type TrackConversionRequest,
  toExternalId,
  variantExternalId,
} from "@neuroon/core";
import type { WooCallOptions, WooStoreReader } from "./reader.js";
import type { WooMeta, WooOrder } from "./types.js";

/** Order meta keys the store-side snippet writes the `neuroon_clicks` cookie to (README). */
export const DEFAULT_ORDER_META_KEYS = ["neuroon_clicks", "_neuroon_clicks"] as const;
/** Line-item meta keys holding one search log id for that line. */
export const DEFAULT_LINE_META_KEYS = ["neuroon_search_log_id", "_neuroon_search_log_id"] as const;
/** `wc_get_is_paid_statuses()`. */
export const DEFAULT_PAID_STATUSES = ["processing", "completed"] as const;

/** Options of {@link conversionFromOrder}. */
export interface ConversionFromOrderOptions {
  /** Order meta keys holding the clicks (JSON `{externalId: searchLogId}`, raw or URL-encoded). Tried in order. */
  metaKeys?: readonly string[];
  /** Line-item meta keys holding a search log id for the line. Tried in order, before the order-level clicks. */
  lineMetaKeys?: readonly string[];
  /** Statuses that mean "paid". Default processing and completed. */
  paidStatuses?: readonly string[];
  /** Attribute tax-inclusive line totals (what the shopper paid, like `total`). Default true. */
  lineTotalIncludesTax?: boolean;
}

/** A conversion to report, or why the order is skipped. */
export type OrderConversion =
  | { ok: true; conversion: TrackConversionRequest }
  | { ok: false; reason: "not-paid" | "no-search-clicks" | "no-attributed-lines"; message: string };

/**
 * Decodes a clicks value: an object, or JSON text, raw or URL-encoded (the cookie encoding is
 * not specified, and PHP's `$_COOKIE` has already decoded it once, or not).
 */
export function parseClicks(value: unknown): Map<string, string> {
  const clicks = new Map<string, string>();
  let parsed: unknown = value;
  if (typeof value === "string") {
    const candidates = [value.trim()];
    try {
      candidates.push(decodeURIComponent(value.trim()));
    } catch {
      // Not URL-encoded; the raw form is the only candidate.
    }
    parsed = undefined;
    for (const candidate of candidates) {
      try {
        parsed = JSON.parse(candidate);
        break;
      } catch {
        // Try the next decoding.
      }
    }
  }
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
    for (const [key, logId] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof logId === "string" && logId.trim() !== "" && key.trim() !== "") {
        clicks.set(key.trim(), logId.trim());
      }
    }
  }
  return clicks;
}

function metaValue(meta: readonly WooMeta[] | undefined, keys: readonly string[]): unknown {
  for (const key of keys) {
    const entry = meta?.find((m) => m.key === key);
    if (entry !== undefined && entry.value !== "" && entry.value !== null) return entry.value;
  }
  return undefined;
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/**
 * The conversion report for a WooCommerce order (`order.created`/`order.updated` payload or
 * `GET /orders/{id}`): only for paid orders (status processing/completed with `date_paid` set),
 * with one entry per line that has a search log id, found in the line's meta or in the order's
 * `neuroon_clicks` meta under the line's product: the variant's externalId (`"12:34"`), the
 * variation id, or the parent's id. `orderId` is the order id, which Neuroon dedupes on.
 */
export function conversionFromOrder(
  order: WooOrder,
  options: ConversionFromOrderOptions = {},
): OrderConversion {
  const paidStatuses = options.paidStatuses ?? DEFAULT_PAID_STATUSES;
  if (!paidStatuses.includes(order.status) || !order.date_paid_gmt) {
    return {
      ok: false,
      reason: "not-paid",
      message: `Order ${order.id} is not paid (status ${order.status}, date_paid ${order.date_paid_gmt ?? "unset"}).`,
    };
  }
  const clicks = parseClicks(
    metaValue(order.meta_data, options.metaKeys ?? DEFAULT_ORDER_META_KEYS),
  );
  const lineKeys = options.lineMetaKeys ?? DEFAULT_LINE_META_KEYS;
  const includeTax = options.lineTotalIncludesTax ?? true;
  const decimals = currencyMinorUnits(order.currency);
  const conversions: ConversionItem[] = [];
  let anyLineMeta = false;
  for (const line of order.line_items ?? []) {
    const candidates =
      line.variation_id > 0
        ? [
            variantExternalId(line.product_id, line.variation_id),
            toExternalId(line.variation_id),
            toExternalId(line.product_id),
          ]
        : [toExternalId(line.product_id)];
    let productId = candidates[0] as string;
    let searchLogId: string | undefined;
    const fromLine = metaValue(line.meta_data, lineKeys);
    if (typeof fromLine === "string" && fromLine.trim() !== "") {
      anyLineMeta = true;
      searchLogId = fromLine.trim();
    } else {
      for (const candidate of candidates) {
        const logId = clicks.get(candidate);
        if (logId !== undefined) {
          searchLogId = logId;
          productId = candidate;
          break;
        }
      }
    }
    if (searchLogId === undefined) continue;
    const total = Number(line.total) + (includeTax ? Number(line.total_tax ?? 0) : 0);
    conversions.push({
      productId,
      searchLogId,
      quantity: line.quantity,
      lineTotal: round(Number.isFinite(total) ? total : 0, decimals),
    });
  }
  if (conversions.length === 0) {
    return clicks.size === 0 && !anyLineMeta
      ? {
          ok: false,
          reason: "no-search-clicks",
          message: `Order ${order.id} carries no search clicks (no ${[...(options.metaKeys ?? DEFAULT_ORDER_META_KEYS)].join("/")} meta); is the store-side snippet installed?`,
        }
      : {
          ok: false,
          reason: "no-attributed-lines",
          message: `Order ${order.id} has search clicks but none for its products.`,
        };
  }
  return {
    ok: true,
    conversion: {
      orderId: String(order.id),
      orderValue: round(Number(order.total), decimals),
      currency: order.currency.toUpperCase(),
      conversions,
    },
  };
}

/**
 * The payload of a `conversion` change the bridge's webhook receiver and poller enqueue: only the
 * order id. The order is read from the store when the engine processes the change (see
 * {@link createWooConversionResolver}), so what is reported is the order as it is then, never a
 * stale or forged webhook body.
 */
export interface OrderReference {
  wooOrderId: number;
}

/** A `conversion` change for a WooCommerce order, keyed by the order id (one report per order). */
export function orderChange(orderId: number, origin: string): ChangeInput {
  return {
    kind: "conversion",
    key: String(orderId),
    payload: { wooOrderId: orderId } satisfies OrderReference,
    origin,
  };
}

const ORDER_ID_RE = /^[1-9]\d*$/;

/** The order a change names: its {@link OrderReference} payload, else its key. */
function orderIdOf(key: string, payload: unknown): number | undefined {
  if (typeof payload === "object" && payload !== null) {
    const id = (payload as Partial<OrderReference>).wooOrderId;
    if (typeof id === "number" && Number.isSafeInteger(id) && id > 0) return id;
  }
  return ORDER_ID_RE.test(key) && Number.isSafeInteger(Number(key)) ? Number(key) : undefined;
}

/**
 * The `resolveConversion` of the WooCommerce catalog source (core's `CatalogSource`): reads the
 * order a queued `conversion` change names (`GET /orders/{id}`) when the engine processes it and
 * reports it with {@link conversionFromOrder}. A deleted order, an unpaid one or one without
 * search clicks is skipped (a later `order.updated` enqueues it again); a store that cannot be
 * read throws its `WooCommerceError`, so the engine retries with backoff and honours
 * `Retry-After`.
 *
 * @example
 * const source = createWooCatalogSource(reader, { conversions: { paidStatuses: ["completed"] } });
 * // …or on its own, in front of another source:
 * const resolveConversion = createWooConversionResolver(reader, { metaKeys: ["neuroon_clicks"] });
 */
export function createWooConversionResolver(
  reader: Pick<WooStoreReader, "getOrder">,
  options: ConversionFromOrderOptions = {},
): NonNullable<CatalogSource["resolveConversion"]> {
  return async ({ key, payload }, signal): Promise<ConversionResolution> => {
    const orderId = orderIdOf(key, payload);
    if (orderId === undefined) {
      throw new TypeError(
        `A WooCommerce conversion change names an order by its id (key "42" or payload { wooOrderId: 42 }); received key ${JSON.stringify(key)}.`,
      );
    }
    const callOptions: WooCallOptions = signal ? { signal } : {};
    const order = await reader.getOrder(orderId, callOptions);
    if (order === undefined) return { status: "skip", reason: "not-found" };
    const result = conversionFromOrder(order, options);
    return result.ok
      ? { status: "report", request: result.conversion }
      : { status: "skip", reason: result.reason };
  };
}
