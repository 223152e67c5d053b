// The store client's error class, so callers can tell refused credentials from outages.
export { WooCommerceError } from "@neuroon/woocommerce";
export {
  type BridgeStatus,
  createWooBridge,
  DATABASE_FILE_NAME,
  DEFAULT_SHUTDOWN_GRACE_MS,
  LAST_RECONCILE_META_KEY,
  type SetupResult,
  type WooBridge,
  type WooBridgeOptions,
} from "./bridge.js";
export { BridgeStore } from "./bridge-store.js";
export {
  BRIDGE_WEBHOOK_TOPICS,
  BridgeConfigError,
  type ConfigIssue,
  type ConfigPurpose,
  configWarnings,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_POLL_OVERLAP_MS,
  DEFAULT_PORT,
  DEFAULT_RECONCILE_HOUR_UTC,
  DEFAULT_WEBHOOK_CHECK_INTERVAL_MS,
  DEFAULT_WEBHOOK_PATH,
  deliveryUrlOf,
  findConfigIssues,
  loadBridgeConfig,
  type WooBridgeConfig,
} from "./config.js";
export {
  type BridgeLogger,
  createJsonLineLogger,
  errorMessage,
  SILENT_LOGGER,
} from "./logger.js";
export { type OrderReference, OrderResolvingQueue, orderChange } from "./order-conversions.js";
export {
  POLL_ORDERS_META_KEY,
  POLL_PRODUCTS_META_KEY,
  type PollResult,
  pollStoreChanges,
} from "./poller.js";
export { msUntilUtcHour, type ScheduledTask, Scheduler } from "./scheduler.js";
export { installShutdownHandlers } from "./shutdown.js";
export { VERSION } from "./version.js";
export {
  ensureWebhooks,
  listStoreWebhooks,
  type WebhookAction,
  type WooWebhookRecord,
} from "./webhook-manager.js";
export {
  changesForEvent,
  createWebhookHandler,
  type WebhookOutcome,
  type WebhookReceiverOptions,
} from "./webhook-receiver.js";
