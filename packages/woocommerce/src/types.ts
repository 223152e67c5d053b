/**
 * The WooCommerce REST v3 shapes this package reads, narrowed to the fields the mapping and the
 * conversion report use. Responses are trimmed with `_fields`, so every field is optional where a
 * plugin or an older WooCommerce may leave it out. Prices are strings; dates are offset-less
 * (`*_gmt` in UTC).
 */

/** `{id, name, slug}` as products embed categories, tags and brands. */
export interface WooTermRef {
  id: number;
  name: string;
  slug?: string;
}

/** A product or variation image; the first of `images` is the featured one. */
export interface WooImage {
  id?: number;
  src: string;
  alt?: string;
  name?: string;
}

/** A `meta_data` entry; `_`-prefixed keys are included for orders. */
export interface WooMeta {
  id?: number;
  key: string;
  value: unknown;
}

/** A product attribute; `id: 0` is a custom (non-taxonomy) attribute. */
export interface WooProductAttribute {
  id: number;
  name: string;
  visible?: boolean;
  variation?: boolean;
  options?: string[];
}

/** Price, tax and stock fields that products and variations share, with the same meaning. */
export interface WooSellable {
  sku?: string;
  global_unique_id?: string;
  price?: string;
  regular_price?: string;
  sale_price?: string;
  date_on_sale_from_gmt?: string | null;
  date_on_sale_to_gmt?: string | null;
  on_sale?: boolean;
  tax_status?: string;
  /** A variation's is resolved in the view context; `parent` in the edit context. */
  tax_class?: string;
  manage_stock?: boolean | "parent";
  stock_quantity?: number | null;
  /** `instock|outofstock|onbackorder`. */
  stock_status?: string;
}

/** `GET /wc/v3/products/{id}`. */
export interface WooProduct extends WooSellable {
  id: number;
  name: string;
  slug?: string;
  permalink?: string;
  /** `simple|variable|grouped|external`, `variation` when read via `/products/{variationId}`, or a plugin type. */
  type: string;
  /** `publish|draft|pending|private|future|trash`. */
  status: string;
  /** `visible|catalog|search|hidden`. */
  catalog_visibility?: string;
  /**
   * The password a visitor must enter to see the product; `""` for none. Only in the `edit`
   * context, so the `view` reads and webhook payloads never carry it; the catalog source adds it
   * from a separate read (`WooStoreReader.getProductPasswords`).
   */
  post_password?: string;
  description?: string;
  short_description?: string;
  categories?: WooTermRef[];
  tags?: WooTermRef[];
  /** Core Brands (WooCommerce ≥ 9.6 for every store). */
  brands?: WooTermRef[];
  images?: WooImage[];
  attributes?: WooProductAttribute[];
  /** Variation ids of a variable product. */
  variations?: number[];
  /** Child product ids of a grouped product. */
  grouped_products?: number[];
  /** Set on variations read through `/products/{id}` (webhook payloads). */
  parent_id?: number;
  average_rating?: string;
  rating_count?: number;
  meta_data?: WooMeta[];
  date_modified_gmt?: string;
}

/** `GET /wc/v3/products/{id}/variations`. */
export interface WooVariation extends WooSellable {
  id: number;
  /** Present on `/variations` (WooCommerce ≥ 10.3) and on `/products/{variationId}`. */
  parent_id?: number;
  /** `publish` (enabled) or `private` (disabled in the admin). */
  status?: string;
  description?: string;
  permalink?: string;
  image?: WooImage | null;
  attributes?: { id?: number; name: string; option: string }[];
  menu_order?: number;
  date_modified_gmt?: string;
}

/** `GET /wc/v3/products/categories` and `/products/brands` (both hierarchical). */
export interface WooTerm {
  id: number;
  name: string;
  slug?: string;
  /** 0 for a root term. */
  parent?: number;
  count?: number;
}

/** `GET /wc/v3/taxes`. */
export interface WooTaxRate {
  id: number;
  country: string;
  state: string;
  postcode?: string;
  city?: string;
  postcodes?: string[];
  cities?: string[];
  /** `"19.0000"`. */
  rate: string;
  name?: string;
  priority: number;
  compound: boolean;
  order?: number;
  /** `standard`, `reduced-rate`, … */
  class: string;
}

/** One order line (`line_items[]`). */
export interface WooOrderLineItem {
  id: number;
  name?: string;
  product_id: number;
  /** 0 for a simple product. */
  variation_id: number;
  quantity: number;
  /** Line total after discounts, excluding tax, as a decimal string. */
  total: string;
  total_tax?: string;
  sku?: string;
  meta_data?: WooMeta[];
}

/** `GET /wc/v3/orders/{id}`. */
export interface WooOrder {
  id: number;
  number?: string;
  /** `pending|processing|on-hold|completed|cancelled|refunded|failed|checkout-draft|trash`. */
  status: string;
  currency: string;
  total: string;
  total_tax?: string;
  prices_include_tax?: boolean;
  date_paid_gmt?: string | null;
  date_created_gmt?: string;
  date_modified_gmt?: string;
  meta_data?: WooMeta[];
  line_items?: WooOrderLineItem[];
}

/** One entry of `GET /wc/v3/settings/{group}`. */
export interface WooSetting {
  id: string;
  value: unknown;
}
