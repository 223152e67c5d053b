/**
 * The slices of Medusa records the plugin reads through `query.graph`. Declared here rather than
 * taken from `@medusajs/framework/types` so the mapping stays a pure function of plain data that
 * unit tests can build by hand.
 */

export interface CalculatedPriceRecord {
  calculated_amount: number | null;
  original_amount: number | null;
  currency_code: string | null;
  is_calculated_price_tax_inclusive?: boolean | null;
  is_original_price_tax_inclusive?: boolean | null;
}

export interface VariantRecord {
  id: string;
  sku?: string | null;
  title?: string | null;
  manage_inventory?: boolean | null;
  allow_backorder?: boolean | null;
  calculated_price?: CalculatedPriceRecord | null;
  options?: Array<{ value: string; option?: { title: string } | null }> | null;
}

export interface CategoryRecord {
  id: string;
  name: string;
  mpath?: string | null;
  is_internal?: boolean | null;
  is_active?: boolean | null;
}

export interface MedusaProductRecord {
  id: string;
  title: string;
  subtitle?: string | null;
  description?: string | null;
  handle: string;
  status: string;
  thumbnail?: string | null;
  metadata?: Record<string, unknown> | null;
  type?: { id: string; value: string } | null;
  collection?: { id: string; title: string } | null;
  tags?: Array<{ value: string }> | null;
  images?: Array<{ url: string; rank?: number | null }> | null;
  categories?: CategoryRecord[] | null;
  variants?: VariantRecord[] | null;
  sales_channels?: Array<{ id: string }> | null;
  [linked: string]: unknown;
}
