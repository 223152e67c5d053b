import { NeuroonClient, type NeuroonClientOptions } from "@neuroon/core";
import {
  createWooStoreReader,
  type WooStoreReader,
  type WooStoreReaderOptions,
} from "../reader.js";
import { VERSION } from "../version.js";
import type { WooBridgeConfig } from "./config.js";

/** The WooCommerce REST reader the bridge's configuration describes; `overrides` win (tests). */
export function createBridgeReader(
  config: WooBridgeConfig,
  overrides: Partial<WooStoreReaderOptions> = {},
): WooStoreReader {
  const woo = config.woocommerce;
  return createWooStoreReader({
    url: woo.url,
    consumerKey: woo.consumerKey,
    consumerSecret: woo.consumerSecret,
    ...(woo.queryStringAuth !== undefined ? { queryStringAuth: woo.queryStringAuth } : {}),
    ...(woo.timeoutMs !== undefined ? { timeoutMs: woo.timeoutMs } : {}),
    ...overrides,
  });
}

/** The Neuroon client the bridge's configuration describes; `overrides` win (tests, the CLI). */
export function createBridgeClient(
  config: WooBridgeConfig,
  overrides: Partial<NeuroonClientOptions> = {},
): NeuroonClient {
  return new NeuroonClient({
    shopId: config.neuroon.shopId,
    apiKey: config.neuroon.apiKey,
    ...(config.neuroon.apiUrl !== undefined ? { baseUrl: config.neuroon.apiUrl } : {}),
    appInfo: { name: "neuroon-woocommerce-bridge", version: VERSION },
    ...overrides,
  });
}
