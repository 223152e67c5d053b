import { type ConversionItem, type TrackConversionRequest, variantExternalId } from "@neuroon/core";
import { gidToId } from "./ids.js";

/**
 * Parses a webhook body. Integers beyond 2^53 (Shopify sample fixtures use ids like
 * 788032119674292922) are kept as their exact decimal string instead of being rounded, using
 * `JSON.parse`'s source-text access (Node 22+).
 */
export function parseShopifyJson(rawBody: string): unknown {
  const reviver = (_key: string, value: unknown, context?: { source?: string }): unknown =>
    typeof value === "number" &&
    !Number.isSafeInteger(value) &&
    context?.source &&
    /^-?[0-9]+$/.test(context.source)
      ? context.source
      : value;
  return JSON.parse(rawBody, reviver as (key: string, value: unknown) => unknown);
}

/** The REST-shaped `orders/paid` payload fields this package reads. */
export interface ShopifyOrderPayload {
  id?: number | string;
  admin_graphql_api_id?: string;
  currency?: string;
  total_price?: string;
  note_attributes?: readonly { name?: string; value?: unknown }[];
  line_items?: readonly {
    product_id?: number | string | null;
    variant_id?: number | string | null;
    quantity?: number;
    price?: string;
    discount_allocations?: readonly { amount?: string }[];
    properties?: readonly { name?: string; value?: unknown }[];
  }[];
}

/** Options of {@link mapPaidOrder}. */
export interface MapOrderOptions {
  /**
   * Cart attribute (order `note_attributes`) holding the widget's clicks, a JSON object
   * `{ "<product externalId>": "<searchLogId>" }` like the `neuroon_clicks` cookie. Default
   * `_neuroon_clicks` (the underscore hides it from the storefront cart); `neuroon_clicks` is
   * read as a fallback.
   */
  clicksAttribute?: string;
  /** Line item property carrying one search log id for that line. Default `_neuroon_search_log_id`. */
  lineProperty?: string;
}

const DEFAULT_CLICKS_ATTRIBUTE = "_neuroon_clicks";
const DEFAULT_LINE_PROPERTY = "_neuroon_search_log_id";

function parseClicks(value: unknown): Map<string, string> {
  const clicks = new Map<string, string>();
  if (typeof value !== "string" || !value.trim()) return clicks;
  for (const candidate of [value, safeDecode(value)]) {
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
        for (const [key, logId] of Object.entries(parsed)) {
          if (typeof logId === "string" && logId.trim()) clicks.set(key, logId.trim());
        }
        return clicks;
      }
    } catch {
      // Try the URL-decoded form next.
    }
  }
  return clicks;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function idText(value: number | string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value);
  return /^[0-9]+$/.test(text) ? text : undefined;
}

function roundMoney(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/**
 * Builds the conversion for a paid order: one item per line whose product (or variant record) the
 * shopper reached from a search, with the search log id taken from the line's property or from
 * the clicks map in the cart attributes. `lineTotal` is the line price times quantity less the
 * line's discounts. Returns `undefined` when no line is attributable (no call should be made).
 */
export function mapPaidOrder(
  order: ShopifyOrderPayload,
  options: MapOrderOptions = {},
): TrackConversionRequest | undefined {
  const orderId = order.admin_graphql_api_id
    ? gidToId(order.admin_graphql_api_id, "Order")
    : idText(order.id);
  if (!orderId) return undefined;
  const attributeName = options.clicksAttribute ?? DEFAULT_CLICKS_ATTRIBUTE;
  const lineProperty = options.lineProperty ?? DEFAULT_LINE_PROPERTY;
  const attributes = order.note_attributes ?? [];
  const clicksValue =
    attributes.find((a) => a.name === attributeName)?.value ??
    attributes.find((a) => a.name === "neuroon_clicks")?.value;
  const clicks = parseClicks(clicksValue);

  const conversions: ConversionItem[] = [];
  for (const line of order.line_items ?? []) {
    const productId = idText(line.product_id);
    const quantity = line.quantity ?? 0;
    const unitPrice = Number(line.price);
    if (!productId || quantity <= 0 || !Number.isFinite(unitPrice)) continue;
    const variantId = idText(line.variant_id);
    const variantKey = variantId ? variantExternalId(productId, variantId) : undefined;
    const property = line.properties?.find((p) => p.name === lineProperty)?.value;
    let externalId: string | undefined;
    let searchLogId: string | undefined;
    if (typeof property === "string" && property.trim()) {
      externalId = variantKey && clicks.has(variantKey) ? variantKey : productId;
      searchLogId = property.trim();
    } else if (variantKey && clicks.has(variantKey)) {
      externalId = variantKey;
      searchLogId = clicks.get(variantKey);
    } else if (clicks.has(productId)) {
      externalId = productId;
      searchLogId = clicks.get(productId);
    }
    if (!externalId || !searchLogId) continue;
    const discounts = (line.discount_allocations ?? []).reduce(
      (sum, d) => sum + (Number(d.amount) || 0),
      0,
    );
    conversions.push({
      productId: externalId,
      searchLogId,
      quantity,
      lineTotal: Math.max(0, roundMoney(unitPrice * quantity - discounts)),
    });
  }
  if (conversions.length === 0) return undefined;
  const total = Number(order.total_price);
  return {
    orderId,
    orderValue: Number.isFinite(total)
      ? roundMoney(total)
      : roundMoney(conversions.reduce((s, c) => s + c.lineTotal, 0)),
    currency: order.currency ?? "",
    conversions,
  };
}
