import { ApiVersion } from "@shopify/shopify-api";

/**
 * The Admin API version this package is written and tested against: the latest stable release
 * (`2026-10`). Pin the same value in `shopifyApi({ apiVersion })` and in `shopify.app.toml`
 * (`[webhooks] api_version`) so GraphQL reads and webhook payloads agree.
 */
export const SHOPIFY_API_VERSION: ApiVersion = ApiVersion.October26;
