import { createHmac } from "node:crypto";
import type { FakeProduct } from "./catalog.js";

const BIG_INT_MARK = "\u0000int:";

/** Marks a numeric id so {@link toShopifyJson} writes it as a bare JSON number, digits intact. */
export function rawInt(id: string): string {
  return `${BIG_INT_MARK}${id}`;
}

/**
 * Serializes like Shopify's REST payloads: ids are JSON numbers even beyond 2^53 (as in Shopify's
 * sample fixtures), which `JSON.stringify` cannot produce from JS numbers without rounding.
 */
export function toShopifyJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000int:([0-9]+)"/g, "$1");
}

/** `products/create` and `products/update` payload (REST shape, 2026-10). */
export function productPayload(product: FakeProduct, shopDomain: string): Record<string, unknown> {
  void shopDomain;
  return {
    id: rawInt(product.id),
    admin_graphql_api_id: `gid://shopify/Product/${product.id}`,
    title: product.title,
    body_html: product.descriptionHtml,
    vendor: product.vendor,
    product_type: product.productType,
    handle: product.handle,
    status: product.status.toLowerCase(),
    tags: product.tags.join(", "),
    published_at: product.publishedToOnlineStore ? product.updatedAt : null,
    published_scope: "global",
    template_suffix: null,
    created_at: product.createdAt,
    updated_at: product.updatedAt,
    variants: product.variants.map((v, position) => ({
      id: rawInt(v.id),
      product_id: rawInt(product.id),
      title: v.title,
      price: v.price,
      compare_at_price: v.compareAtPrice,
      sku: v.sku,
      barcode: v.barcode,
      position: position + 1,
      option1: v.options[0]?.value ?? null,
      option2: v.options[1]?.value ?? null,
      option3: v.options[2]?.value ?? null,
      inventory_policy: v.inventoryPolicy.toLowerCase(),
      inventory_item_id: rawInt(v.inventoryItemId),
      inventory_quantity: v.inventoryQuantity,
      admin_graphql_api_id: `gid://shopify/ProductVariant/${v.id}`,
      created_at: product.createdAt,
      updated_at: product.updatedAt,
    })),
    variant_gids: product.variants.map((v) => ({
      admin_graphql_api_id: `gid://shopify/ProductVariant/${v.id}`,
      updated_at: product.updatedAt,
    })),
    images: product.imageUrl ? [{ src: product.imageUrl, alt: product.title }] : [],
    category: product.category
      ? {
          admin_graphql_api_id: product.category.id,
          name: product.category.name,
          full_name: product.category.fullName,
        }
      : null,
  };
}

/** A paid order's line, before serialization. */
export interface FakeOrderLine {
  productId: string;
  variantId: string;
  quantity: number;
  price: string;
  title?: string;
  discount?: string;
  properties?: { name: string; value: string }[];
}

/** Input of {@link orderPayload}. */
export interface FakeOrderInput {
  id: string;
  name?: string;
  currency: string;
  lines: FakeOrderLine[];
  noteAttributes?: { name: string; value: string }[];
  totalPrice?: string;
  createdAt?: string;
}

/** `orders/paid` payload (REST shape), without customer PII beyond what the topic always has. */
export function orderPayload(order: FakeOrderInput): Record<string, unknown> {
  const subtotal = order.lines.reduce(
    (sum, l) => sum + Number(l.price) * l.quantity - Number(l.discount ?? 0),
    0,
  );
  const created = order.createdAt ?? new Date().toISOString();
  return {
    id: rawInt(order.id),
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: order.name ?? `#${order.id.slice(-4)}`,
    financial_status: "paid",
    currency: order.currency,
    presentment_currency: order.currency,
    total_price: order.totalPrice ?? subtotal.toFixed(2),
    subtotal_price: subtotal.toFixed(2),
    taxes_included: true,
    note_attributes: order.noteAttributes ?? [],
    created_at: created,
    updated_at: created,
    test: false,
    line_items: order.lines.map((line, index) => ({
      id: rawInt(`${order.id}${index + 1}`),
      product_id: rawInt(line.productId),
      variant_id: rawInt(line.variantId),
      title: line.title ?? "Item",
      quantity: line.quantity,
      price: line.price,
      total_discount: line.discount ?? "0.00",
      discount_allocations: line.discount ? [{ amount: line.discount }] : [],
      properties: line.properties ?? [],
    })),
    customer: {
      id: rawInt("115310627314723954"),
      email: "shopper@example.com",
      first_name: "Ada",
      last_name: "Lovelace",
    },
  };
}

/**
 * Signs an app proxy query like Shopify: hex HMAC-SHA256 over the parameters sorted by name, each
 * `name=value` (repeated values joined with `,`), concatenated without separator.
 */
export function signAppProxyQuery(
  params: Record<string, string | string[]>,
  secret: string,
): URLSearchParams {
  // Sorted with localeCompare, as @shopify/shopify-api's `validateHmac(…, { signator: "appProxy" })`.
  const message = Object.keys(params)
    .filter((k) => k !== "signature")
    .sort((a, b) => a.localeCompare(b))
    .map((k) => {
      const value = params[k] as string | string[];
      return `${k}=${Array.isArray(value) ? value.join(",") : value}`;
    })
    .join("");
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    for (const item of Array.isArray(v) ? v : [v]) query.append(k, item);
  query.set("signature", createHmac("sha256", secret).update(message).digest("hex"));
  return query;
}
