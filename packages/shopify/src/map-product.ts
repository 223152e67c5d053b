import {
  brandsFrom,
  categoriesFromPath,
  computeDisplayPrices,
  MappingError,
  type NeuroonProduct,
  pickDescription,
  toExternalId,
  variableParentPrices,
  variantExternalId,
} from "@neuroon/core";
import type {
  ShopifyProductNode,
  ShopifyTaxonomyCategory,
  ShopifyVariantNode,
  ShopSettings,
} from "./admin-types.js";
import { gidToId } from "./ids.js";

/** Options of {@link mapShopifyProduct}. */
export interface MapProductOptions {
  /** Shop currency and tax setting (`shop { currencyCode taxesIncluded }`). */
  shop: ShopSettings;
  /**
   * Where brands come from: `"vendor"` (default) or `"metafield"` (the aliased `brandMetafield`,
   * falling back to nothing, never to the title).
   */
  brandSource?: "vendor" | "metafield";
}

/** Why a product is not indexed; `undefined` means it is. */
export type NotIndexableReason = "draft" | "archived" | "unlisted" | "unpublished";

/**
 * Only ACTIVE products published to the Online Store are searchable. Draft, archived and unlisted
 * products, and products not on the Online Store channel (`onlineStoreUrl` is null), are deleted
 * from the index.
 */
export function notIndexableReason(product: ShopifyProductNode): NotIndexableReason | undefined {
  switch (product.status) {
    case "DRAFT":
      return "draft";
    case "ARCHIVED":
      return "archived";
    case "UNLISTED":
      return "unlisted";
    default:
      return product.onlineStoreUrl ? undefined : "unpublished";
  }
}

/** Parses a Money decimal string; `undefined` for null, blank or malformed values. */
export function parseMoney(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\s*-?[0-9]+(\.[0-9]+)?\s*$/.test(value)) {
    return undefined;
  }
  const amount = Number(value);
  return Number.isFinite(amount) && amount >= 0 ? amount : undefined;
}

/** Display prices of one variant: `price` is the regular price, `salePrice` set only on sale. */
export interface VariantPrices {
  price: number;
  salePrice?: number;
}

/**
 * Compare-at semantics: a variant is on sale when `compareAtPrice > price`; then the compare-at
 * price is the regular price and `price` the sale price. A compare-at price at or below the price
 * is ignored (Shopify shows no strike-through for it). Prices are sent as entered: with
 * `taxesIncluded` they are gross, otherwise net, which is what the storefront shows in both cases
 * (core's `computeDisplayPrices` with equal stored and displayed tax inclusion), rounded to the
 * currency's minor units. `undefined` when the price is missing or malformed.
 */
export function variantPrices(
  variant: Pick<ShopifyVariantNode, "price" | "compareAtPrice">,
  shop: ShopSettings = { currencyCode: "USD", taxesIncluded: false },
): VariantPrices | undefined {
  const price = parseMoney(variant.price);
  if (price === undefined) return undefined;
  const compareAt = parseMoney(variant.compareAtPrice);
  const onSale = compareAt !== undefined && compareAt > price;
  try {
    return computeDisplayPrices({
      regularAmount: onSale ? (variant.compareAtPrice as string) : variant.price,
      saleAmount: onSale ? variant.price : undefined,
      now: 0,
      amountsIncludeTax: shop.taxesIncluded,
      displayIncludingTax: shop.taxesIncluded,
      taxRatePercent: 0,
      currency: shop.currencyCode,
    });
  } catch (error) {
    if (error instanceof MappingError) return undefined;
    throw error;
  }
}

/**
 * The "from" prices of a product with several variants (core's `variableParentPrices`): the
 * lowest regular price and the lowest effective price, over the variants a shopper can buy (all
 * variants when none is available).
 */
export function parentPrices(
  variants: readonly ShopifyVariantNode[],
  shop?: ShopSettings,
): VariantPrices | undefined {
  const available = variants.filter((v) => v.availableForSale);
  const prices = (available.length > 0 ? available : variants)
    .map((v) => variantPrices(v, shop))
    .filter((p): p is VariantPrices => p !== undefined);
  return prices.length > 0 ? variableParentPrices(prices) : undefined;
}

/** Category path from a Standard Product Taxonomy node: most specific first, root last. */
export function taxonomyCategories(category: ShopifyTaxonomyCategory | null | undefined): string[] {
  if (!category) return [];
  const path = categoriesFromPath(category.fullName);
  return path.length > 0 ? path : categoriesFromPath(category.name);
}

/**
 * Brands from `vendor`, or from a configured metafield (single line text, or a JSON list of
 * text); never from anything else.
 */
export function productBrands(
  product: ShopifyProductNode,
  source: "vendor" | "metafield" = "vendor",
): string[] {
  if (source === "vendor") return brandsFrom(product.vendor) ?? [];
  const raw = product.brandMetafield?.value?.trim();
  if (!raw) return [];
  if (raw.startsWith("[")) {
    try {
      const list: unknown = JSON.parse(raw);
      if (Array.isArray(list)) {
        return brandsFrom(list.filter((v): v is string => typeof v === "string")) ?? [];
      }
    } catch {
      // Not JSON: treat it as one brand name below.
    }
  }
  return brandsFrom(raw) ?? [];
}

function stockOf(
  variants: readonly ShopifyVariantNode[],
): Pick<NeuroonProduct, "inStock" | "stockQuantity"> {
  const inStock = variants.some((v) => v.availableForSale);
  const tracked =
    variants.length > 0 &&
    variants.every((v) => v.inventoryItem?.tracked && typeof v.inventoryQuantity === "number");
  if (!tracked) return { inStock };
  const quantity = variants.reduce((sum, v) => sum + Math.max(0, v.inventoryQuantity ?? 0), 0);
  return { inStock, stockQuantity: quantity };
}

/** A product has real variants unless its only variant is Shopify's implicit "Default Title". */
export function hasRealVariants(variants: readonly ShopifyVariantNode[]): boolean {
  if (variants.length !== 1) return variants.length > 1;
  const options = variants[0]?.selectedOptions ?? [];
  return !(options.length === 0 || (options.length === 1 && options[0]?.value === "Default Title"));
}

function variantAttributes(variant: ShopifyVariantNode): Record<string, string> | undefined {
  const options = (variant.selectedOptions ?? []).filter((o) => o.value !== "Default Title");
  if (options.length === 0) return undefined;
  return Object.fromEntries(options.map((o) => [o.name, o.value]));
}

function variantUrl(productUrl: string, variantGid: string): string {
  const url = new URL(productUrl);
  url.searchParams.set("variant", gidToId(variantGid, "ProductVariant"));
  return url.toString();
}

/**
 * Maps one Admin GraphQL product and all its variants to Neuroon records. A product without real
 * variants is one record carrying its variant's price, SKU and stock. A product with variants is a
 * parent record with the "from" price plus one record per variant (`parentExternalId`, option
 * values as `attributes`, `?variant=` URL). Returns `[]` when the product is not indexable (see
 * {@link notIndexableReason}) or has no valid price.
 */
export function mapShopifyProduct(
  product: ShopifyProductNode,
  variants: readonly ShopifyVariantNode[],
  options: MapProductOptions,
): NeuroonProduct[] {
  if (notIndexableReason(product) !== undefined) return [];
  const url = product.onlineStoreUrl as string;
  const externalId = toExternalId(product.id);
  const currency = options.shop.currencyCode;
  const categories = taxonomyCategories(product.category);
  const brands = productBrands(product, options.brandSource);
  const tags = [...new Set((product.tags ?? []).map((t) => t.trim()).filter((t) => t.length > 0))];
  const description = pickDescription({ long: product.descriptionHtml });
  const imageUrl = product.featuredMedia?.preview?.image?.url;
  const name = product.title.trim();

  const common: Omit<NeuroonProduct, "externalId" | "name" | "price" | "url"> = {
    currency,
    isActive: true,
    ...(description ? { description } : {}),
    ...(imageUrl ? { imageUrl } : {}),
    ...(categories.length > 0 ? { categories } : {}),
    ...(brands.length > 0 ? { brands } : {}),
    ...(tags.length > 0 ? { tags } : {}),
  };

  if (!hasRealVariants(variants)) {
    const only = variants[0];
    const prices = only ? variantPrices(only, options.shop) : undefined;
    if (!only || !prices) return [];
    const sku = only.sku?.trim();
    return [
      {
        externalId,
        name,
        url,
        ...prices,
        ...common,
        ...(sku ? { sku } : {}),
        ...stockOf([only]),
      },
    ];
  }

  const fromPrices = parentPrices(variants, options.shop);
  if (!fromPrices) return [];
  const records: NeuroonProduct[] = [
    { externalId, name, url, ...fromPrices, ...common, ...stockOf(variants) },
  ];
  for (const variant of variants) {
    const prices = variantPrices(variant, options.shop);
    if (!prices) continue;
    const sku = variant.sku?.trim();
    const attributes = variantAttributes(variant);
    records.push({
      externalId: variantExternalId(product.id, variant.id),
      parentExternalId: externalId,
      name:
        variant.title && variant.title !== "Default Title" ? `${name} - ${variant.title}` : name,
      url: variantUrl(url, variant.id),
      ...prices,
      ...common,
      ...(sku ? { sku } : {}),
      ...(attributes ? { attributes } : {}),
      ...stockOf([variant]),
    });
  }
  return records;
}
