export {
  createWooCatalogSource,
  type WooCatalogSourceOptions,
  type WooCatalogWarning,
} from "./catalog-source.js";
export {
  type ConversionFromOrderOptions,
  conversionFromOrder,
  createWooConversionResolver,
  DEFAULT_LINE_META_KEYS,
  DEFAULT_ORDER_META_KEYS,
  DEFAULT_PAID_STATUSES,
  type OrderConversion,
  type OrderReference,
  orderChange,
  parseClicks,
} from "./conversions.js";
export {
  WooCommerceError,
  type WooCommerceErrorInit,
  type WooCommerceErrorKind,
} from "./errors.js";
export {
  buildWooCategoryLookup,
  isWooProductIndexable,
  mapWooProduct,
  type WooBrandSource,
  type WooMappingContext,
  wooTaxRatePercent,
  wooText,
} from "./map-woo-product.js";
export {
  createWooStoreReader,
  type ListOrdersParams,
  type ListProductsParams,
  MAX_PER_PAGE,
  PRODUCT_FIELDS,
  toWooGmt,
  VARIATION_FIELDS,
  type WooCallOptions,
  type WooPage,
  type WooStoreReader,
  type WooStoreReaderOptions,
  type WooTaxSettings,
} from "./reader.js";
export { WORDPRESS_SHORTCODES } from "./shortcodes.js";
export type {
  WooImage,
  WooMeta,
  WooOrder,
  WooOrderLineItem,
  WooProduct,
  WooProductAttribute,
  WooSellable,
  WooTaxRate,
  WooTerm,
  WooTermRef,
  WooVariation,
} from "./types.js";
export { VERSION } from "./version.js";
export {
  type ParsedWooWebhook,
  parseWooWebhook,
  signWooWebhookForTest,
  type VerifyWooWebhookInput,
  verifyWooWebhook,
  type WebhookHeaders,
  type WooWebhookEvent,
  type WooWebhookFailureReason,
  type WooWebhookParseFailure,
  type WooWebhookPing,
  type WooWebhookVerification,
} from "./webhooks.js";
