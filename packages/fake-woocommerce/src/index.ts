export { type FakeApiKey, oauthBaseString, WpError } from "./auth.js";
export {
  DEFAULT_SETTINGS,
  DEFAULT_TAX_RATES,
  type GenerateCatalogOptions,
  generateCatalog,
  wcDate,
} from "./catalog.js";
export { PhpArray, parsePhpQuery, phpJsonEncode, rfc3986Encode } from "./php.js";
export {
  type FakeWooCommerce,
  type FakeWooCommerceOptions,
  type FaultInjector,
  type FaultRule,
  filterFields,
  type RecordedRequest,
  startFakeWooCommerce,
} from "./server.js";
export { escapeTermName, FakeStore, type Json } from "./store.js";
export type * from "./types.js";
export { VERSION } from "./version.js";
export { isValidTopic, type WebhookDelivery, WebhookRegistry } from "./webhooks.js";
