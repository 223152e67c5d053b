/**
 * The JSON shapes the fake serves, as WooCommerce REST v3 (`view` context) emits them. Prices are
 * strings, dates come in site-local and `_gmt` pairs without an offset, and taxonomies are
 * `{id,name,slug}` references. Only the fields a search bridge reads are modelled in full; the
 * rest carry realistic defaults so payloads look like a real store's.
 */

/** Core product types. */
export type WcProductType = "simple" | "variable" | "grouped" | "external";
/** WordPress post statuses a product can have. */
export type WcPostStatus = "publish" | "draft" | "pending" | "private" | "future" | "trash";
/** `catalog` = shop pages only; `search` = search results only. */
export type WcCatalogVisibility = "visible" | "catalog" | "search" | "hidden";
/** Stock status as WooCommerce reports it. */
export type WcStockStatus = "instock" | "outofstock" | "onbackorder";
/** `shipping` taxes only the shipping of the product. */
export type WcTaxStatus = "taxable" | "shipping" | "none";

/** `{id, name, slug}` as products embed categories, tags and brands. */
export interface WcTermRef {
  id: number;
  name: string;
  slug: string;
}

/** An image reference. */
export interface WcImage {
  id: number;
  src: string;
  name: string;
  alt: string;
}

/** A `meta_data` entry. */
export interface WcMeta {
  id: number;
  key: string;
  value: unknown;
}

/** A product attribute. */
export interface WcProductAttribute {
  /** 0 for a custom (non-taxonomy) attribute. */
  id: number;
  name: string;
  slug?: string;
  position: number;
  visible: boolean;
  variation: boolean;
  options: string[];
}

/**
 * A stored product. Computed fields (`price`, `on_sale`, `variations`, `price_html`, …) are
 * derived when the fake serialises it, the way WooCommerce's getters do.
 */
export interface FakeProduct {
  id: number;
  name: string;
  slug: string;
  type: WcProductType;
  status: WcPostStatus;
  featured: boolean;
  catalog_visibility: WcCatalogVisibility;
  description: string;
  short_description: string;
  sku: string;
  global_unique_id: string;
  regular_price: string;
  sale_price: string;
  /** GMT, `YYYY-MM-DDTHH:MM:SS`, or null. */
  date_on_sale_from_gmt: string | null;
  date_on_sale_to_gmt: string | null;
  tax_status: WcTaxStatus;
  tax_class: string;
  manage_stock: boolean;
  stock_quantity: number | null;
  stock_status: WcStockStatus;
  categories: number[];
  tags: number[];
  brands: number[];
  images: WcImage[];
  attributes: WcProductAttribute[];
  average_rating: string;
  rating_count: number;
  total_sales: number;
  menu_order: number;
  post_password: string;
  external_url: string;
  meta_data: WcMeta[];
  /** GMT. */
  date_created_gmt: string;
  date_modified_gmt: string;
}

/** A stored variation of a variable product. */
export interface FakeVariation {
  id: number;
  parent_id: number;
  /** `publish` = enabled, `private` = disabled in the admin. */
  status: "publish" | "private";
  description: string;
  sku: string;
  global_unique_id: string;
  regular_price: string;
  sale_price: string;
  date_on_sale_from_gmt: string | null;
  date_on_sale_to_gmt: string | null;
  tax_status: WcTaxStatus;
  /** `parent` inherits the parent's class. */
  tax_class: string;
  /** `"parent"` when stock is managed on the parent. */
  manage_stock: boolean | "parent";
  stock_quantity: number | null;
  stock_status: WcStockStatus;
  image: WcImage | null;
  attributes: { id: number; name: string; option: string }[];
  menu_order: number;
  meta_data: WcMeta[];
  date_created_gmt: string;
  date_modified_gmt: string;
}

/** A category, brand or tag term. */
export interface FakeTerm {
  id: number;
  name: string;
  slug: string;
  /** 0 for a root term. */
  parent: number;
  description: string;
  menu_order: number;
}

/** `GET /taxes` entry. */
export interface WcTaxRate {
  id: number;
  country: string;
  state: string;
  postcode: string;
  city: string;
  /** `"19.0000"`. */
  rate: string;
  name: string;
  priority: number;
  compound: boolean;
  shipping: boolean;
  order: number;
  /** `standard`, `reduced-rate`, `zero-rate`, … */
  class: string;
}

/** An order line. */
export interface WcOrderLineItem {
  id: number;
  name: string;
  product_id: number;
  variation_id: number;
  quantity: number;
  tax_class: string;
  subtotal: string;
  subtotal_tax: string;
  total: string;
  total_tax: string;
  sku: string;
  price: number;
  meta_data: (WcMeta & { display_key?: string; display_value?: unknown })[];
}

/** Order statuses (HPOS and posts alike). */
export type WcOrderStatus =
  | "pending"
  | "processing"
  | "on-hold"
  | "completed"
  | "cancelled"
  | "refunded"
  | "failed"
  | "checkout-draft"
  | "trash";

/** A stored order. */
export interface FakeOrder {
  id: number;
  parent_id: number;
  number: string;
  order_key: string;
  created_via: string;
  status: WcOrderStatus;
  currency: string;
  prices_include_tax: boolean;
  date_created_gmt: string;
  date_modified_gmt: string;
  date_paid_gmt: string | null;
  date_completed_gmt: string | null;
  discount_total: string;
  shipping_total: string;
  total: string;
  total_tax: string;
  customer_id: number;
  payment_method: string;
  payment_method_title: string;
  transaction_id: string;
  meta_data: WcMeta[];
  line_items: WcOrderLineItem[];
}

/** Webhook statuses; only `active` ones deliver. */
export type WebhookStatus = "active" | "paused" | "disabled";

/** A stored webhook, secret included. */
export interface FakeWebhook {
  id: number;
  name: string;
  status: WebhookStatus;
  topic: string;
  delivery_url: string;
  secret: string;
  failure_count: number;
  /** The user who created it; payloads are built as this user. */
  user_id: number;
  date_created_gmt: string;
  date_modified_gmt: string;
}

/** The store's settings the bridge reads (`/settings/general`, `/settings/tax`). */
export interface FakeSettings {
  /** `woocommerce_prices_include_tax`. */
  pricesIncludeTax: boolean;
  /** `woocommerce_tax_display_shop`. */
  taxDisplayShop: "incl" | "excl";
  /** `woocommerce_calc_taxes`. */
  calcTaxes: boolean;
  /** `woocommerce_tax_based_on`. */
  taxBasedOn: "shipping" | "billing" | "base";
  /** `woocommerce_default_country`, e.g. `DE` or `US:CA`. */
  defaultCountry: string;
  /** `woocommerce_currency`. */
  currency: string;
  /** `woocommerce_price_num_decimals`. */
  priceNumDecimals: number;
  /** `woocommerce_tax_round_at_subtotal`. */
  taxRoundAtSubtotal: boolean;
  /** `woocommerce_price_display_suffix`. */
  priceDisplaySuffix: string;
  /** Site timezone as a fixed offset from UTC in hours (WordPress `gmt_offset`). */
  gmtOffsetHours: number;
  /** The extra tax classes (`woocommerce_tax_classes`), standard excluded. */
  taxClasses: string[];
}

/** A complete store: what `generateCatalog()` returns and `startFakeWooCommerce()` serves. */
export interface FakeCatalog {
  settings: FakeSettings;
  taxRates: WcTaxRate[];
  categories: FakeTerm[];
  brands: FakeTerm[];
  tags: FakeTerm[];
  products: FakeProduct[];
  variations: FakeVariation[];
  orders: FakeOrder[];
}
