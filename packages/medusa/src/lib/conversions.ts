import type { TrackConversionRequest } from "@neuroon/core";

/** The cart/order metadata key a storefront stores the `neuroon_clicks` cookie under. */
export const CLICKS_METADATA_KEY = "neuroon_clicks";

/**
 * Reads the `neuroon_clicks` value a storefront copied onto the cart (and Medusa onto the order):
 * the cookie's JSON object `{ "<productExternalId>": "<searchLogId>" }`, either as an object or as
 * the raw cookie string, URL-encoded or not (contract §6.2 leaves the encoding open).
 */
export function parseClicks(value: unknown): Map<string, string> {
  let parsed: unknown = value;
  if (typeof value === "string") {
    parsed = undefined;
    for (const candidate of [value, safeDecode(value)]) {
      if (candidate === undefined) continue;
      try {
        parsed = JSON.parse(candidate);
        break;
      } catch {
        // try the next encoding
      }
    }
  }
  const clicks = new Map<string, string>();
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return clicks;
  for (const [productId, searchLogId] of Object.entries(parsed)) {
    if (typeof searchLogId === "string" && searchLogId.trim() && productId)
      clicks.set(productId, searchLogId.trim());
  }
  return clicks;
}

function safeDecode(value: string): string | undefined {
  try {
    const decoded = decodeURIComponent(value);
    return decoded === value ? undefined : decoded;
  } catch {
    return undefined;
  }
}

export interface OrderRecord {
  id: string;
  currency_code: string;
  total: number | string | null;
  metadata?: Record<string, unknown> | null;
  items?: Array<{
    product_id?: string | null;
    quantity: number | string;
    total?: number | string | null;
  } | null> | null;
}

/**
 * The conversion request for an order, one line per item whose product the shopper reached from
 * a Neuroon search; `null` when no line is attributable (Neuroon rejects lines without a searchLogId).
 */
export function buildConversion(order: OrderRecord): TrackConversionRequest | null {
  const clicks = parseClicks(order.metadata?.[CLICKS_METADATA_KEY]);
  if (clicks.size === 0) return null;
  const lines = new Map<
    string,
    { productId: string; searchLogId: string; quantity: number; lineTotal: number }
  >();
  for (const item of order.items ?? []) {
    if (!item?.product_id) continue;
    const searchLogId = clicks.get(item.product_id);
    if (!searchLogId) continue;
    const line = lines.get(item.product_id) ?? {
      productId: item.product_id,
      searchLogId,
      quantity: 0,
      lineTotal: 0,
    };
    line.quantity += Number(item.quantity);
    line.lineTotal = round(line.lineTotal + Number(item.total ?? 0));
    lines.set(item.product_id, line);
  }
  if (lines.size === 0) return null;
  return {
    orderId: order.id,
    orderValue: round(Number(order.total ?? 0)),
    currency: order.currency_code.toUpperCase(),
    conversions: [...lines.values()],
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
