import type { CatalogSource, NeuroonProduct } from "@neuroon/core";
import type { AdminGraphql } from "./admin-graphql.js";
import type { ShopifyProductNode, ShopifyVariantNode, ShopSettings } from "./admin-types.js";
import { assembleBulkProducts, type BulkOperationWaiter, readJsonl, runBulkQuery } from "./bulk.js";
import { productExternalId, productGidFromExternalId } from "./ids.js";
import { mapShopifyProduct } from "./map-product.js";
import {
  type BrandMetafield,
  bulkProductsQuery,
  PRODUCT_VARIANTS_QUERY,
  productNodesQuery,
  SHOP_SETTINGS_QUERY,
} from "./queries.js";

/** Options of {@link createShopifyCatalogSource}. */
export interface ShopifyCatalogSourceOptions {
  admin: AdminGraphql;
  /** Brands from `vendor` (default) or from this metafield. */
  brandMetafield?: BrandMetafield | undefined;
  /** Shares `bulk_operations/finish` deliveries with the export; without it the export polls. */
  bulkWaiter?: BulkOperationWaiter | undefined;
  /** Poll interval of the bulk export (see `runBulkQuery`). */
  bulkPollIntervalMs?: number | undefined;
  /** Downloads the JSONL; default global `fetch`. */
  fetch?: typeof fetch | undefined;
  /** Products per `nodes(ids:)` call; 8 keeps the requested cost around 700 points. */
  nodesPerRequest?: number | undefined;
  /** Records per batch yielded by `streamCatalog` (a product's records stay together). Default 250. */
  batchSize?: number | undefined;
  /** Cached shop settings lifetime. Default 10 minutes. */
  shopSettingsTtlMs?: number | undefined;
  now?: () => number;
}

/**
 * The `CatalogSource` the core sync engine drives, for one shop. `readProducts` takes parent keys
 * (a variant record's key resolves to its parent) and returns the product's current records, or
 * the key in `missing` when the product is gone or not indexable (draft, archived, unlisted,
 * unpublished); variant records that disappeared are the engine's to delete. `streamCatalog` runs
 * a bulk operation and yields the indexable catalog in batches, a product's records together.
 */
export interface ShopifyCatalogSource extends CatalogSource {
  readProducts(
    keys: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ products: NeuroonProduct[]; missing: string[] }>;
  streamCatalog(signal?: AbortSignal): AsyncIterable<NeuroonProduct[]>;
  /** Currency and tax setting (cached). */
  shopSettings(signal?: AbortSignal): Promise<ShopSettings>;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The Shopify side of the sync engine: live re-reads through `nodes(ids:)` (paging variants of
 * large products), and full exports through a bulk operation streamed from JSONL.
 */
export function createShopifyCatalogSource(
  options: ShopifyCatalogSourceOptions,
): ShopifyCatalogSource {
  const { admin } = options;
  const selection = { brandMetafield: options.brandMetafield };
  const brandSource = options.brandMetafield ? ("metafield" as const) : ("vendor" as const);
  const nodesPerRequest = options.nodesPerRequest ?? 8;
  const batchSize = options.batchSize ?? 250;
  const ttlMs = options.shopSettingsTtlMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  let settings: { value: ShopSettings; at: number } | undefined;

  const shopSettings = async (signal?: AbortSignal): Promise<ShopSettings> => {
    if (settings && now() - settings.at < ttlMs) return settings.value;
    const { shop } = await admin.request<{ shop: ShopSettings }>(SHOP_SETTINGS_QUERY, undefined, {
      signal,
      estimatedCost: 1,
    });
    settings = {
      value: { currencyCode: shop.currencyCode, taxesIncluded: shop.taxesIncluded },
      at: now(),
    };
    return settings.value;
  };

  const allVariants = async (
    product: ShopifyProductNode,
    signal?: AbortSignal,
  ): Promise<ShopifyVariantNode[]> => {
    const variants = [...(product.variants?.nodes ?? [])];
    let pageInfo = product.variants?.pageInfo;
    while (pageInfo?.hasNextPage) {
      const page = await admin.request<{
        product: { variants: NonNullable<ShopifyProductNode["variants"]> } | null;
      }>(PRODUCT_VARIANTS_QUERY, { id: product.id, after: pageInfo.endCursor ?? null }, { signal });
      if (!page.product) break;
      variants.push(...page.product.variants.nodes);
      pageInfo = page.product.variants.pageInfo;
    }
    return variants;
  };

  const mapOne = (
    product: ShopifyProductNode,
    variants: ShopifyVariantNode[],
    shop: ShopSettings,
  ): NeuroonProduct[] => mapShopifyProduct(product, variants, { shop, brandSource });

  return {
    shopSettings,

    async readProducts(keys, signal) {
      const shop = await shopSettings(signal);
      const byProduct = new Map<string, string[]>();
      const missing = new Set<string>();
      for (const key of keys) {
        let gid: string;
        try {
          gid = productGidFromExternalId(key);
        } catch {
          missing.add(key);
          continue;
        }
        byProduct.set(gid, [...(byProduct.get(gid) ?? []), key]);
      }
      const products: NeuroonProduct[] = [];
      const query = productNodesQuery(selection);
      for (const ids of chunk([...byProduct.keys()], nodesPerRequest)) {
        const { nodes } = await admin.request<{ nodes: (ShopifyProductNode | null)[] }>(
          query,
          { ids },
          { signal, estimatedCost: 85 * ids.length },
        );
        for (const [index, gid] of ids.entries()) {
          const requested = byProduct.get(gid) ?? [];
          const node = nodes[index];
          if (!node?.id) {
            for (const key of requested) missing.add(key);
            continue;
          }
          const variants = await allVariants(node, signal);
          const records = mapOne(node, variants, shop);
          if (records.length === 0) {
            // Not indexable (draft, archived, unlisted, unpublished) or unpriced: delete it. The
            // engine removes the variant records it holds under this parent.
            for (const key of requested) missing.add(key);
            missing.add(productExternalId(node.id));
            continue;
          }
          products.push(...records);
        }
      }
      return { products, missing: [...missing] };
    },

    async *streamCatalog(signal) {
      const shop = await shopSettings(signal);
      const result = await runBulkQuery(
        admin,
        bulkProductsQuery({ ...selection, search: "status:ACTIVE" }),
        {
          signal,
          waiter: options.bulkWaiter,
          ...(options.bulkPollIntervalMs !== undefined
            ? { pollIntervalMs: options.bulkPollIntervalMs }
            : {}),
        },
      );
      if (!result.url) return;
      let batch: NeuroonProduct[] = [];
      const lines = readJsonl(result.url, {
        ...(options.fetch ? { fetch: options.fetch } : {}),
        signal,
      });
      for await (const { product, variants } of assembleBulkProducts(lines)) {
        const records = mapOne(product, variants, shop);
        if (records.length === 0) continue;
        if (batch.length > 0 && batch.length + records.length > batchSize) {
          yield batch;
          batch = [];
        }
        batch.push(...records);
      }
      if (batch.length > 0) yield batch;
    },
  };
}
