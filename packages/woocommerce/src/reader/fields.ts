// What the reader asks WooCommerce for: page size, `_fields` lists and the date format.

/** WooCommerce's hard maximum for `per_page` (more is a 400 `rest_invalid_param`). */
export const MAX_PER_PAGE = 100;

/** The product fields the mapping reads; `_fields` keeps responses (and the store's work) small. */
export const PRODUCT_FIELDS = [
  "id",
  "name",
  "slug",
  "permalink",
  "type",
  "status",
  "catalog_visibility",
  "description",
  "short_description",
  "sku",
  "global_unique_id",
  "price",
  "regular_price",
  "sale_price",
  "date_on_sale_from_gmt",
  "date_on_sale_to_gmt",
  "on_sale",
  "tax_status",
  "tax_class",
  "manage_stock",
  "stock_quantity",
  "stock_status",
  "categories",
  "tags",
  "brands",
  "images",
  "attributes",
  "variations",
  "grouped_products",
  "parent_id",
  "average_rating",
  "rating_count",
  "date_modified_gmt",
] as const;

/** The variation fields the mapping reads. */
export const VARIATION_FIELDS = [
  "id",
  "parent_id",
  "status",
  "description",
  "permalink",
  "sku",
  "global_unique_id",
  "price",
  "regular_price",
  "sale_price",
  "date_on_sale_from_gmt",
  "date_on_sale_to_gmt",
  "on_sale",
  "tax_status",
  "tax_class",
  "manage_stock",
  "stock_quantity",
  "stock_status",
  "image",
  "attributes",
  "menu_order",
  "date_modified_gmt",
] as const;

/** `YYYY-MM-DDTHH:MM:SS` in UTC, as `modified_after` with `dates_are_gmt=true` expects. */
export function toWooGmt(value: Date | string): string {
  const date =
    typeof value === "string"
      ? new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`)
      : value;
  if (Number.isNaN(date.getTime())) {
    throw new TypeError(
      `Expected a Date or an ISO-8601 date string; received ${JSON.stringify(value)}.`,
    );
  }
  return date.toISOString().slice(0, 19);
}
