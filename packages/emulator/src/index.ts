export {
  type ActiveFault,
  type FaultAction,
  FaultController,
  type FaultMatch,
  type FaultRule,
} from "./faults.js";
export { formatLocalDateTime, parseIsoDateTime } from "./format-time.js";
export {
  DEFAULT_CURSOR_LIMIT,
  DEFAULT_PAGE_SIZE,
  MAX_CURSOR_LIMIT,
  MAX_PAGE_SIZE,
  SORTABLE_FIELDS,
} from "./listing.js";
export { DEFAULT_RATE_LIMITS } from "./rate-limiter.js";
export {
  DEFAULT_FULL_RUN_WINDOW_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PERSIST_INTERVAL_MS,
  DEFAULT_REQUEST_LOG_LIMIT,
  type EmulatorHandle,
  startEmulator,
} from "./server.js";
export {
  DEMO_API_KEY,
  DEMO_SHOP,
  DEMO_SHOP_ID,
  DEMO_SHOP_URL,
  generateApiKey,
  isApiKeyFormat,
  maskApiKey,
  normaliseDomain,
  parseShopSpec,
} from "./shop-spec.js";
export { DEFAULT_MAX_PRODUCTS, DEFAULT_MAX_SEARCHES_PER_MONTH } from "./shop-state.js";
export type {
  EmulatorOptions,
  EmulatorShop,
  FullSyncMode,
  IdempotencyMismatchMode,
  IndexingLatencyOption,
  OrphanVariantMode,
  ProductView,
  RateBucket,
  RateLimitRule,
  RateLimitsOption,
  RecordedConversion,
  RecordedRequest,
  ShopSpec,
  WidgetTokenVerification,
} from "./types.js";
export { MAX_BATCH_SIZE, MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from "./validation.js";
export { VERSION } from "./version.js";
export {
  signWidgetToken,
  verifyWidgetTokenWith,
  WIDGET_TOKEN_MAX_SKEW_SEC,
  WIDGET_TOKEN_TTL_SEC,
} from "./widget-token.js";
