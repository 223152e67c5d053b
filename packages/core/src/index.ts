export {
  type AppInfo,
  DEFAULT_TIMEOUT_MS,
  NeuroonClient,
  type NeuroonClientOptions,
} from "./client.js";
export {
  describeApiKeyProblem,
  NEUROON_DEVELOPMENT_BASE_URL,
  NEUROON_PRODUCTION_BASE_URL,
  normalizeBaseUrl,
  validateApiKey,
  validateShopId,
} from "./config.js";
export {
  ApiError,
  type ApiErrorInit,
  AuthenticationError,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  type FieldError,
  NeuroonError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  StoreError,
  type StoreErrorInit,
  type StoreErrorKind,
  TimeoutError,
  UnprocessableEntityError,
  ValidationError,
} from "./errors.js";
export { defaultSyncIdempotencyKey, IDEMPOTENCY_KEY_PREFIX } from "./idempotency.js";
export {
  type AmountInput,
  type BrandFieldValue,
  brandsFrom,
  buildCategoryLookup,
  type CategoryId,
  type CategoryLookup,
  type CategoryNode,
  type CategoryPathOptions,
  type CategoryWarning,
  categoriesFromPath,
  categoryPaths,
  computeDisplayPrices,
  currencyMinorUnits,
  type DateInput,
  type DisplayPriceInput,
  type DisplayPrices,
  type InlineMarkup,
  MAX_DESCRIPTION_LENGTH_CHARS,
  MAX_EXTERNAL_ID_LENGTH_CHARS,
  MAX_NAME_LENGTH_CHARS,
  MAX_RATING,
  MappingError,
  type MappingErrorCode,
  type NamedValue,
  NEUROON_PRODUCT_FIELDS,
  type NeuroonProductInput,
  normalizeCurrencyCode,
  normalizeProduct,
  type PlainTextOptions,
  type PreparedBatch,
  type ProductValidationResult,
  pickDescription,
  prepareBatch,
  RECOMMENDED_DESCRIPTION_LENGTH_CHARS,
  type RejectedProduct,
  type StoreId,
  toExternalId,
  toPlainText,
  truncateAtWord,
  type ValidationIssue,
  validateProduct,
  variableParentPrices,
  variantExternalId,
} from "./mapping/index.js";
export { PageList } from "./pagination.js";
export type { SqliteOpenOptions, SqliteSynchronous } from "./queue/sqlite-connection.js";
export {
  DEFAULT_DEAD_LETTER_LIMIT,
  LEASE_EXPIRED_ERROR,
  openSqliteQueue,
  SqliteChangeQueue,
  type SqliteQueueOptions,
} from "./queue/sqlite-queue.js";
export type {
  ChangeInput,
  ChangeKind,
  ChangeQueue,
  ClaimOptions,
  DeadLetter,
  QueuedChange,
  QueueStats,
} from "./queue/types.js";
export {
  ARRIVAL_GUARD_MS,
  DEFAULT_RATE_LIMITS,
  type RateLimitBucket,
  type RateLimitRule,
  type RateLimitsOptions,
  type RateLimitWaitEvent,
  type SleepFunction,
} from "./rate-limit.js";
export type {
  MutationOptions,
  RequestEvent,
  RequestHooks,
  RequestOptions,
  ResponseEvent,
} from "./request.js";
export { ConversionsResource } from "./resources/conversions.js";
export {
  DEFAULT_LIST_PAGE_SIZE,
  type ListProductsByCursorParams,
  type ListProductsParams,
  MAX_LIST_PAGE_SIZE,
  type ProductCursorList,
  type ProductList,
  ProductsResource,
} from "./resources/products.js";
export { ShopResource } from "./resources/shop.js";
export { VerificationResource } from "./resources/verification.js";
export {
  type AttemptFailure,
  type BackoffOptions,
  backoffDelayMs,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_AFTER_MS,
  decideRetry,
  INITIAL_RETRY_DELAY_MS,
  isRetryableStatus,
  MAX_RETRY_DELAY_MS,
  parseRetryAfterMs,
  type RetryContext,
  type RetryDecision,
  retryDelayMs,
  sleep,
} from "./retry.js";
export type { ServerClock } from "./server-clock.js";
export { MemorySyncStateStore } from "./state/memory-state-store.js";
export {
  openSqliteStateStore,
  type SqliteStateStoreOptions,
  SqliteSyncStateStore,
} from "./state/sqlite-state-store.js";
export type {
  DriftSnapshot,
  IterateIdsOptions,
  SyncStateRecord,
  SyncStateStore,
  SyncStatus,
} from "./state/types.js";
export {
  type CoalesceOptions,
  type CoalesceReason,
  type CoalesceResult,
  type CoalesceWaitOptions,
  DEFAULT_COALESCE_MAX_WAIT_MS,
  DEFAULT_COALESCE_QUIET_MS,
  resolveCoalesceOptions,
  waitForCoalescedBatch,
} from "./sync/coalesce.js";
export { DRIFT_FIELDS, type DriftField, diffDrift } from "./sync/drift.js";
export {
  ResetConfirmationError,
  type SafetyValveDetails,
  SafetyValveError,
  SyncIncompleteError,
} from "./sync/errors.js";
export { planBatches } from "./sync/plan-batches.js";
export { contentHash, stableStringify } from "./sync/stable-hash.js";
export { emptySummary } from "./sync/summary.js";
export { SyncEngine } from "./sync/sync-engine.js";
export type {
  CatalogSource,
  ConversionResolution,
  ConversionToResolve,
  DriftPolicy,
  PreparedProducts,
  SyncApi,
  SyncCallOptions,
  SyncEngineOptions,
  SyncEvent,
  SyncPageList,
  SyncPhase,
  SyncSummary,
} from "./sync/types.js";
export {
  DEFAULT_WORKER_IDLE_MS,
  DEFAULT_WORKER_MAX_BACKOFF_MS,
  type DrainRequest,
  drainCoalesced,
  runWorkerLoop,
  type WorkerLoopOptions,
  type WorkerTurnOptions,
} from "./sync/worker-loop.js";
export type { Dispatcher } from "./transport.js";
export type {
  ConversionItem,
  NeuroonProduct,
  ProductCursorPage,
  ProductPage,
  ShopInfo,
  StoredProduct,
  SyncItemError,
  SyncProductsRequest,
  SyncProductsResponse,
  SyncType,
  TrackConversionRequest,
  TrackConversionResponse,
  VerificationData,
  VerifyDomainResponse,
} from "./types.js";
export { VERSION } from "./version.js";
export {
  type CachedWidgetToken,
  type SignWidgetTokenInput,
  signWidgetToken,
  WIDGET_TOKEN_REFRESH_MARGIN_SEC,
  WIDGET_TOKEN_TTL_SEC,
  WidgetTokenCache,
  type WidgetTokenCacheOptions,
} from "./widget-token.js";
