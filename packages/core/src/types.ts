/**
 * Wire shapes of the Neuroon Plugin API (`/api/plugin/shops/*`), as consolidated in the contract.
 * Field names are the API's camelCase JSON names; optional fields may be omitted on the wire.
 */

/** `INCREMENTAL` upserts the products sent; `FULL` replaces the whole catalog (never from cron). */
export type SyncType = "INCREMENTAL" | "FULL";

/** A product as the Plugin API accepts it (`PluginProductDTO`). */
export interface NeuroonProduct {
  /** Identity and upsert key; also the `productId` of conversions and the key in `neuroon_clicks`. */
  externalId: string;
  /** At most 512 characters. */
  name: string;
  /** As the shopper sees it (tax-consistent with the storefront); `>= 0`. */
  price: number;
  /** Product page URL. */
  url: string;
  sku?: string;
  /** Plain text; the API accepts 5000 characters, ranking prefers at most 2000. */
  description?: string;
  salePrice?: number;
  /** ISO 4217. Always send it: the server's default is undocumented. */
  currency?: string;
  imageUrl?: string;
  /** Full hierarchy, most specific category first, root last. */
  categories?: string[];
  /** Only from a dedicated brand field, never derived from the title. */
  brands?: string[];
  tags?: string[];
  inStock?: boolean;
  stockQuantity?: number;
  /** 0..5 */
  rating?: number;
  reviewCount?: number;
  isActive?: boolean;
  /** Set on variants: the parent must be synced earlier or earlier in the same batch. */
  parentExternalId?: string;
  attributes?: Record<string, string>;
}

/** A product as Neuroon returns it from `GET /products/{externalId}` and the list endpoint. */
export interface StoredProduct extends NeuroonProduct {
  /** ISO-8601 UTC without offset, as the backend emits dates. */
  createdAt: string;
  updatedAt: string;
}

export interface SyncProductsRequest {
  syncType: SyncType;
  /** 1..500 products. */
  products: NeuroonProduct[];
}

export interface SyncItemError {
  externalId: string;
  error: string;
}

export interface SyncProductsResponse {
  newProducts: number;
  updatedProducts: number;
  failed: number;
  errors: SyncItemError[];
  /** Plan quota: products held now. */
  productsCount: number;
  /** Plan quota: products that can still be added. */
  remainingProducts: number;
}

/** Spring-style page of `GET /products?page&size&sort&modifiedAfter`. */
export interface ProductPage {
  content: StoredProduct[];
  /** Zero-based. */
  page: number;
  size: number;
  totalElements: number;
  totalPages: number;
  first: boolean;
  last: boolean;
}

/** Cursor page of `GET /products?cursor=…` (the deletion-reconcile form in the docs). */
export interface ProductCursorPage {
  products: StoredProduct[];
  /** `null` on the last page. */
  nextCursor: string | null;
}

/** `GET /api/plugin/shops/me`. */
export interface ShopInfo {
  shopId: string;
  name: string;
  url: string;
  verified: boolean;
  maxProducts: number;
  maxSearchesPerMonth: number;
  productsCount: number;
  searchesThisMonth: number;
}

/** `POST /verify` success body (`PluginVerificationDataDTO`). */
export interface VerifyDomainResponse {
  shopId: string;
  verificationCode: string;
  domain: string;
  name: string;
}

/** `GET /verification-data` (`VerificationDataDTO`). */
export interface VerificationData {
  verificationCode: string;
  instructions: string;
  verified: boolean;
}

/** One attributable order line. */
export interface ConversionItem {
  /** The product's `externalId`. */
  productId: string;
  /** Opaque, server-signed id from the `neuroon_clicks` cookie; required. */
  searchLogId: string;
  quantity: number;
  /** Attributed revenue. */
  lineTotal: number;
}

export interface TrackConversionRequest {
  /** Dedupe key: a repeated `orderId` is ignored by Neuroon. */
  orderId: string;
  orderValue: number;
  currency: string;
  conversions: ConversionItem[];
}

/** The conversion response is undocumented; the client treats every field as optional. */
export interface TrackConversionResponse {
  orderId?: string;
  accepted?: number;
  duplicate?: boolean;
}
