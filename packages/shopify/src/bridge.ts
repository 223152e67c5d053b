import type { Shopify } from "@shopify/shopify-api";
import { type AdminGraphql, type AdminRequestEvent, createAdminGraphql } from "./admin-graphql.js";
import { type BulkOperationWaiter, createBulkOperationWaiter } from "./bulk.js";
import { createShopifyCatalogSource, type ShopifyCatalogSource } from "./catalog-source.js";
import { createMemoryDeliveryLog, type WebhookDeliveryLog } from "./delivery-log.js";
import type { MapOrderOptions } from "./map-order.js";
import {
  createOfflineTokens,
  type OfflineTokenStore,
  type OfflineTokens,
} from "./offline-tokens.js";
import { type BrandMetafield, INVENTORY_ITEM_PRODUCTS_QUERY } from "./queries.js";
import { type AppProxyVerification, verifyAppProxyQuery } from "./signatures.js";
import {
  type ChangeSink,
  createWebhookHandler,
  type WebhookHandler,
  type WebhookLifecycleHooks,
} from "./webhook-handler.js";

/** The answer of `INVENTORY_ITEM_PRODUCTS_QUERY`. */
interface InventoryItemProductsData {
  inventoryItem: {
    variants: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: { id: string; product: { id: string } }[];
    };
  } | null;
}

/** Options of {@link createShopifyBridge}. */
export interface ShopifyBridgeOptions extends WebhookLifecycleHooks {
  /** The app's `shopifyApi({...})` instance, with `apiVersion: SHOPIFY_API_VERSION`. */
  shopify: Shopify;
  /** Where offline tokens are persisted (atomic writes, cross-process refresh lock). */
  tokenStore: OfflineTokenStore;
  /** The durable queue of a connected shop; `undefined` for unknown shops. */
  queueFor(shop: string): ChangeSink | undefined | Promise<ChangeSink | undefined>;
  /** Webhook dedupe log. Default: in memory, 48 h. Use a shared store with several processes. */
  deliveries?: WebhookDeliveryLog;
  /** Secrets accepted on webhooks and app proxy requests. Default: the app's `apiSecretKey`. */
  secrets?: readonly string[];
  /** Brands from this metafield instead of `vendor`. */
  brandMetafield?: BrandMetafield;
  orders?: MapOrderOptions;
  /** Refresh offline tokens this long before they expire. Default 5 minutes. */
  refreshMarginMs?: number;
  /** Bulk export poll interval (see `runBulkQuery`). */
  bulkPollIntervalMs?: number;
  /** Downloads bulk results; default global `fetch`. */
  fetch?: typeof fetch;
  onAdminEvent?: (shop: string, event: AdminRequestEvent) => void;
}

/** Everything an app needs from this package, wired together. */
export interface ShopifyBridge {
  tokens: OfflineTokens;
  bulkWaiter: BulkOperationWaiter;
  webhooks: WebhookHandler;
  /** Cost-aware Admin GraphQL client of a shop (one per shop, sharing its bucket). */
  admin(shop: string): AdminGraphql;
  /** The sync engine's `CatalogSource` for a shop. */
  catalogSource(shop: string): ShopifyCatalogSource;
  /** Verifies an app proxy request (`/apps/<subpath>/…`) before trusting its `shop`. */
  verifyAppProxy(query: URLSearchParams | string, nowSec?: number): AppProxyVerification;
  /** Stops using a shop and forgets its token (done automatically on `app/uninstalled`). */
  disconnect(shop: string): Promise<void>;
}

/**
 * Creates the Shopify bridge: expiring offline tokens, per-shop cost-aware Admin clients, the
 * catalog source for the sync engine, and the webhook endpoint. Nothing here depends on a web
 * framework; mount `webhooks.handleRequest` (Fetch) or `webhooks.handle` (raw body + headers).
 */
export function createShopifyBridge(options: ShopifyBridgeOptions): ShopifyBridge {
  const { shopify } = options;
  const secrets = options.secrets ?? [shopify.config.apiSecretKey];
  const tokens = createOfflineTokens({
    shopify,
    store: options.tokenStore,
    ...(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
  });
  const bulkWaiter = createBulkOperationWaiter();
  const admins = new Map<string, AdminGraphql>();
  const sources = new Map<string, ShopifyCatalogSource>();

  const admin = (shop: string): AdminGraphql => {
    let client = admins.get(shop);
    if (!client) {
      const onEvent = options.onAdminEvent;
      client = createAdminGraphql({
        shopify,
        shop,
        sessions: tokens,
        ...(onEvent ? { onEvent: (event: AdminRequestEvent) => onEvent(shop, event) } : {}),
      });
      admins.set(shop, client);
    }
    return client;
  };

  const catalogSource = (shop: string): ShopifyCatalogSource => {
    let source = sources.get(shop);
    if (!source) {
      source = createShopifyCatalogSource({
        admin: admin(shop),
        brandMetafield: options.brandMetafield,
        bulkWaiter,
        bulkPollIntervalMs: options.bulkPollIntervalMs,
        fetch: options.fetch,
      });
      sources.set(shop, source);
    }
    return source;
  };

  const disconnect = async (shop: string): Promise<void> => {
    admins.delete(shop);
    sources.delete(shop);
    await tokens.remove(shop);
  };

  const webhooks = createWebhookHandler({
    secrets,
    deliveries: options.deliveries ?? createMemoryDeliveryLog(),
    queueFor: options.queueFor,
    bulkWaiter,
    ...(options.orders ? { orders: options.orders } : {}),
    resolveInventoryItem: async (shop, inventoryItemGid, signal) => {
      const products = new Set<string>();
      let after: string | null = null;
      do {
        const data: InventoryItemProductsData = await admin(
          shop,
        ).request<InventoryItemProductsData>(
          INVENTORY_ITEM_PRODUCTS_QUERY,
          { id: inventoryItemGid, after },
          { signal },
        );
        const variants = data.inventoryItem?.variants;
        for (const variant of variants?.nodes ?? []) products.add(variant.product.id);
        after = variants?.pageInfo.hasNextPage ? variants.pageInfo.endCursor : null;
      } while (after);
      return [...products];
    },
    onUninstalled: async (shop) => {
      await disconnect(shop);
      await options.onUninstalled?.(shop);
    },
    ...(options.onShopRedact ? { onShopRedact: options.onShopRedact } : {}),
    ...(options.onCustomersRedact ? { onCustomersRedact: options.onCustomersRedact } : {}),
    ...(options.onCustomersDataRequest
      ? { onCustomersDataRequest: options.onCustomersDataRequest }
      : {}),
  });

  return {
    tokens,
    bulkWaiter,
    webhooks,
    admin,
    catalogSource,
    verifyAppProxy: (query, nowSec = Math.floor(Date.now() / 1000)) =>
      verifyAppProxyQuery({ query, secrets, nowSec }),
    disconnect,
  };
}
