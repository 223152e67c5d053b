// `@neuroon/woocommerce/bridge`: the WooCommerce ↔ Neuroon bridge as a library (webhook receiver,
// poller, webhook manager, delivery log, scheduler) for the deployable app and the CLI. A subpath
// of its own, so the adapter's main entry stays free of the bridge's SQLite and HTTP server.
export {
  createWooBridge,
  DEFAULT_SHUTDOWN_GRACE_MS,
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
  DEFAULT_COALESCE_MAX_WAIT_MS,
  DEFAULT_COALESCE_QUIET_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_POLL_OVERLAP_MS,
  DEFAULT_PORT,
  DEFAULT_RECONCILE_HOUR_UTC,
  DEFAULT_TAX_CHECK_INTERVAL_MS,
  DEFAULT_WEBHOOK_CHECK_INTERVAL_MS,
  DEFAULT_WEBHOOK_PATH,
  DEFAULT_WORKER_IDLE_MS,
  deliveryUrlOf,
  findConfigIssues,
  type WooBridgeConfig,
} from "./config.js";
export { loadBridgeConfig } from "./env-config.js";
export { type BridgeStatus, LAST_RECONCILE_META_KEY } from "./health.js";
export {
  type BridgeLogger,
  createJsonLineLogger,
  errorMessage,
  SILENT_LOGGER,
} from "./logger.js";
export type { SetupResult } from "./operations.js";
export {
  POLL_ORDERS_META_KEY,
  POLL_PRODUCTS_META_KEY,
  type PollResult,
  pollStoreChanges,
  type TaxSettingsCheck,
} from "./poller.js";
export { DATABASE_FILE_NAME } from "./resources.js";
export { msUntilUtcHour, type ScheduledTask, Scheduler } from "./scheduler.js";
export { installShutdownHandlers, type SignalSource } from "./shutdown.js";
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
