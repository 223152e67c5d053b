export {
  availableAdminVersions,
  buildAdminSchema,
  FAKE_API_VERSION,
  flattenBulkResult,
  MAX_PAGE_SIZE,
  MAX_QUERY_COST,
  nextAdminVersion,
  parseGid,
  requestedCost,
  type ShopifyGraphqlError,
  toShopifyValidationError,
} from "./admin-schema.js";
export {
  type CatalogOptions,
  type FakeMetafield,
  type FakeProduct,
  type FakeProductStatus,
  type FakeTaxonomyCategory,
  type FakeVariant,
  generateCatalog,
  seededRandom,
  TAXONOMY,
} from "./catalog.js";
export {
  type FakeOrderInput,
  type FakeOrderLine,
  orderPayload,
  productPayload,
  rawInt,
  signAppProxyQuery,
  toShopifyJson,
} from "./payloads.js";
export {
  type FakeDelivery,
  type FakeRequestRecord,
  type FakeShopify,
  type FakeShopifyOptions,
  type FakeShopOptions,
  startFakeShopify,
} from "./server.js";
export { VERSION } from "./version.js";
