export {
  type AdminGraphql,
  type AdminGraphqlOptions,
  type AdminRequestEvent,
  type AdminRequestOptions,
  createAdminGraphql,
  type SessionProvider,
} from "./admin-graphql.js";
export type {
  QueryCost,
  ShopifyProductNode,
  ShopifyProductStatus,
  ShopifyTaxonomyCategory,
  ShopifyVariantNode,
  ShopSettings,
  ThrottleStatus,
} from "./admin-types.js";
export { SHOPIFY_API_VERSION } from "./api-version.js";
export { createShopifyBridge, type ShopifyBridge, type ShopifyBridgeOptions } from "./bridge.js";
export {
  type AssembledProduct,
  assembleBulkProducts,
  type BulkOperationWaiter,
  type BulkResult,
  createBulkOperationWaiter,
  type RunBulkQueryOptions,
  readJsonl,
  runBulkQuery,
} from "./bulk.js";
export {
  createShopifyCatalogSource,
  type ShopifyCatalogSource,
  type ShopifyCatalogSourceOptions,
} from "./catalog-source.js";
export {
  createMemoryDeliveryLog,
  type MemoryDeliveryLogOptions,
  type WebhookDeliveryLog,
} from "./delivery-log.js";
export {
  BulkOperationError,
  ShopifyAdminError,
  ShopifyBridgeError,
  ShopNotConnectedError,
} from "./errors.js";
export {
  gidToId,
  productExternalId,
  productGidFromExternalId,
  toGid,
} from "./ids.js";
export {
  type MapOrderOptions,
  mapPaidOrder,
  parseShopifyJson,
  type ShopifyOrderPayload,
} from "./map-order.js";
export {
  hasRealVariants,
  type MapProductOptions,
  mapShopifyProduct,
  type NotIndexableReason,
  notIndexableReason,
  parentPrices,
  parseMoney,
  productBrands,
  taxonomyCategories,
  type VariantPrices,
  variantPrices,
} from "./map-product.js";
export {
  createFileOfflineTokenStore,
  createMemoryOfflineTokenStore,
  createOfflineTokens,
  type FileOfflineTokenStoreOptions,
  type OfflineTokenStore,
  type OfflineTokens,
  type OfflineTokensOptions,
  type StoredOfflineToken,
} from "./offline-tokens.js";
export {
  openPostgresShopifyStore,
  type PostgresShopifyStore,
  type PostgresShopifyStoreOptions,
} from "./postgres-store.js";
export { type BrandMetafield, bulkProductsQuery, type ProductSelectionOptions } from "./queries.js";
export {
  APP_PROXY_TOLERANCE_SEC,
  type AppProxyVerification,
  type HeaderBag,
  type SignatureFailure,
  type VerifiedAppProxy,
  type VerifiedWebhook,
  verifyAppProxyQuery,
  verifyShopifyWebhook,
  type WebhookVerification,
} from "./signatures.js";
export {
  openSqliteShopifyStore,
  type SqliteShopifyStore,
  type SqliteShopifyStoreOptions,
} from "./sqlite-store.js";
export { projectBucket, throttleWaitMs } from "./throttle.js";
export { VERSION } from "./version.js";
export {
  type ChangeSink,
  createWebhookHandler,
  DEFAULT_MAX_WEBHOOK_BODY_BYTES,
  type WebhookChange,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookLifecycleHooks,
  type WebhookOutcome,
  type WebhookResult,
} from "./webhook-handler.js";
