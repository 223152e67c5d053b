/**
 * The subset of Admin GraphQL (2026-10) objects this package reads. Field names follow the API;
 * Money values are decimal strings in the shop's currency, ids are GIDs.
 */

/** `ProductStatus`; `UNLISTED` (2025-10+) is reachable by URL but hidden from search. */
export type ShopifyProductStatus = "ACTIVE" | "ARCHIVED" | "DRAFT" | "UNLISTED";

/** A Standard Product Taxonomy node (`TaxonomyCategory`). */
export interface ShopifyTaxonomyCategory {
  id: string;
  name: string;
  /** `"Apparel & Accessories > Clothing > Shirts"`: root first. */
  fullName: string;
}

/** `ProductVariant`, as selected by this package's queries. */
export interface ShopifyVariantNode {
  id: string;
  title: string;
  sku?: string | null;
  barcode?: string | null;
  /** As entered by the merchant, in the shop currency. */
  price: string;
  /** Was-price; a sale when it is greater than `price`. */
  compareAtPrice?: string | null;
  inventoryQuantity?: number | null;
  availableForSale: boolean;
  selectedOptions?: readonly { name: string; value: string }[];
  inventoryItem?: { tracked: boolean } | null;
  /** Bulk output only: the GID of the product this line belongs to. */
  __parentId?: string;
}

/** `Product`, as selected by this package's queries. */
export interface ShopifyProductNode {
  id: string;
  handle: string;
  title: string;
  descriptionHtml?: string | null;
  vendor?: string | null;
  productType?: string | null;
  tags?: readonly string[];
  status: ShopifyProductStatus;
  /** `null` when the product is not published to the Online Store channel. */
  onlineStoreUrl?: string | null;
  updatedAt?: string;
  category?: ShopifyTaxonomyCategory | null;
  featuredMedia?: { preview?: { image?: { url: string } | null } | null } | null;
  /** The configured brand metafield (aliased), when one is configured. */
  brandMetafield?: { value: string } | null;
  variantsCount?: { count: number } | null;
  variants?: {
    pageInfo?: { hasNextPage: boolean; endCursor?: string | null };
    nodes: ShopifyVariantNode[];
  };
}

/** The shop settings every price depends on. */
export interface ShopSettings {
  /** ISO 4217 currency of every `price`. */
  currencyCode: string;
  /** Whether the prices as entered include tax. */
  taxesIncluded: boolean;
}

/** `extensions.cost` of an Admin GraphQL response. */
export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost?: number | null;
  throttleStatus: ThrottleStatus;
}

/** The shop's leaky bucket as Shopify last reported it. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}
