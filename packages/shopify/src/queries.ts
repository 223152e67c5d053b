/**
 * Admin GraphQL documents. Product selections are built from one list of fields so the live
 * re-read (`nodes(ids:)`) and the bulk export read exactly the same data.
 */

/** Where a brand lives when `vendor` is not the brand. */
export interface BrandMetafield {
  namespace: string;
  key: string;
}

/** Options that change the product selection. */
export interface ProductSelectionOptions {
  brandMetafield?: BrandMetafield | undefined;
}

const VARIANT_FIELDS = `id title sku barcode price compareAtPrice inventoryQuantity availableForSale
      selectedOptions { name value } inventoryItem { tracked }`;

function productScalarFields(options: ProductSelectionOptions): string {
  const brand = options.brandMetafield
    ? `brandMetafield: metafield(namespace: ${JSON.stringify(options.brandMetafield.namespace)}, key: ${JSON.stringify(options.brandMetafield.key)}) { value }`
    : "";
  return `id handle title descriptionHtml vendor productType tags status onlineStoreUrl updatedAt
    category { id name fullName }
    featuredMedia { preview { image { url } } }
    variantsCount { count }
    ${brand}`;
}

/**
 * Variant page in a multi-product read. A variant costs 3 points (itself, `selectedOptions`,
 * `inventoryItem`), so a product with its first 25 variants requests about 85 points and 8
 * products stay under ~700 of the 1,000-point single-query limit.
 */
export const NODES_VARIANTS_PAGE_SIZE = 25;
/** Variant page size when paging one product's further variants: about 300 points. */
export const VARIANTS_PAGE_SIZE = 100;

/** `nodes(ids:)` re-read of products with their first variant page. */
export function productNodesQuery(options: ProductSelectionOptions): string {
  return `query NeuroonProductNodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Product {
      ${productScalarFields(options)}
      variants(first: ${NODES_VARIANTS_PAGE_SIZE}) { pageInfo { hasNextPage endCursor } nodes { ${VARIANT_FIELDS} } }
    }
  }
}`;
}

/** The next variant pages of one product (products can have up to 2,048 variants). */
export const PRODUCT_VARIANTS_QUERY = `query NeuroonProductVariants($id: ID!, $after: String) {
  product(id: $id) {
    variants(first: ${VARIANTS_PAGE_SIZE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${VARIANT_FIELDS} } }
  }
}`;

/** Shop-wide price settings. */
export const SHOP_SETTINGS_QUERY = `query NeuroonShopSettings { shop { currencyCode taxesIncluded } }`;

/** Variants read per page when resolving an inventory item: 2 + 100 × 2 ≈ 200 points. */
export const INVENTORY_ITEM_VARIANTS_PAGE_SIZE = 100;

/**
 * Resolves an inventory item (from `inventory_levels/update`) to the products of every variant it
 * stocks. `InventoryItem.variants` is a list since 2026-01 (the singular `variant` is deprecated):
 * one item can stock several variants of several products.
 */
export const INVENTORY_ITEM_PRODUCTS_QUERY = `query NeuroonInventoryItemProducts($id: ID!, $after: String) {
  inventoryItem(id: $id) {
    id
    variants(first: ${INVENTORY_ITEM_VARIANTS_PAGE_SIZE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { id product { id } } }
  }
}`;

/**
 * The bulk export of the catalog. Bulk queries take no `first:` arguments; connections are read
 * as `edges { node }` and every variant becomes its own JSONL line with `__parentId`.
 */
export function bulkProductsQuery(options: ProductSelectionOptions & { search?: string }): string {
  const args = options.search ? `(query: ${JSON.stringify(options.search)})` : "";
  return `{
  products${args} {
    edges { node {
      ${productScalarFields(options)}
      variants { edges { node { ${VARIANT_FIELDS} } } }
    } }
  }
}`;
}

/** Starts a bulk query; `groupObjects: false` is the 2026-01+ default, stated for clarity. */
export const BULK_RUN_MUTATION = `mutation NeuroonBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

/** Reads one bulk operation by id. */
export const BULK_OPERATION_QUERY = `query NeuroonBulkOperation($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount url partialDataUrl }
  }
}`;
