import { type NeuroonProduct, toPlainText } from "@neuroon/core";
import type { CategoryRecord, MedusaProductRecord, VariantRecord } from "./medusa-types";
import type { BrandSource } from "./options";

/** What the mapper needs besides the product; all of it is plain data. */
export interface MappingContext {
  storefrontUrl: string;
  productPath: string;
  /** ISO 4217, lower or upper case. */
  currencyCode: string;
  /** `true`/`false` converts every amount to that form with `taxRates`; `undefined` keeps each price as stored. */
  taxInclusive: boolean | undefined;
  /** Summed tax rate in percent (e.g. 19) per variant id, from the Tax Module for the store's country. */
  taxRates: ReadonlyMap<string, number>;
  /** Category id → name, for every ancestor named in the categories' `mpath`. */
  categoryNames: ReadonlyMap<string, string>;
  brand: BrandSource;
  /** Sellable quantity per variant id; a variant missing here is treated as in stock when it does not manage inventory. */
  availability: ReadonlyMap<string, number>;
}

const NAME_MAX_CHARS = 512;
/** Neuroon accepts 5000; ranking prefers at most 2000 (contract §2.1). */
const DESCRIPTION_MAX_CHARS = 2000;

/** Amount as the storefront shows it, following Medusa's own `calculateAmountsWithTax`. */
export function displayAmount(
  amount: number,
  isTaxInclusive: boolean,
  ratePercent: number,
  wantTaxInclusive: boolean | undefined,
): number {
  if (wantTaxInclusive === undefined || wantTaxInclusive === isTaxInclusive || ratePercent === 0) {
    return roundMoney(amount);
  }
  const factor = 1 + ratePercent / 100;
  return roundMoney(wantTaxInclusive ? amount * factor : amount / factor);
}

function roundMoney(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/** Variants in id order: Query returns them in no fixed order, and the document must be stable. */
function sortedVariants(product: MedusaProductRecord): VariantRecord[] {
  return [...(product.variants ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface VariantPrice {
  variantId: string;
  /** What the shopper pays now. */
  price: number;
  /** The price before a sale/price list, when higher than `price`. */
  originalPrice: number;
}

/** The display prices of every priced variant in the context's currency. */
export function variantPrices(product: MedusaProductRecord, ctx: MappingContext): VariantPrice[] {
  const currency = ctx.currencyCode.toLowerCase();
  const out: VariantPrice[] = [];
  for (const variant of sortedVariants(product)) {
    const cp = variant.calculated_price;
    if (!cp || cp.calculated_amount === null || cp.calculated_amount === undefined) continue;
    if (cp.currency_code && cp.currency_code.toLowerCase() !== currency) continue;
    const rate = ctx.taxRates.get(variant.id) ?? 0;
    const price = displayAmount(
      Number(cp.calculated_amount),
      cp.is_calculated_price_tax_inclusive === true,
      rate,
      ctx.taxInclusive,
    );
    const originalRaw = cp.original_amount ?? cp.calculated_amount;
    const original = displayAmount(
      Number(originalRaw),
      cp.is_original_price_tax_inclusive === true,
      rate,
      ctx.taxInclusive,
    );
    out.push({ variantId: variant.id, price, originalPrice: Math.max(original, price) });
  }
  return out;
}

/**
 * Category breadcrumbs, most specific first and root last, one string per leaf category
 * ("Root > Child > Leaf" style is left to Neuroon: we send the chain as separate entries).
 * Internal and inactive categories are left out, like the Store API does.
 */
export function categoryPaths(
  categories: readonly CategoryRecord[] | null | undefined,
  names: ReadonlyMap<string, string>,
): string[] {
  const visible = (categories ?? []).filter((c) => c.is_internal !== true && c.is_active !== false);
  const seen = new Set<string>();
  const out: string[] = [];
  // Deepest categories first: they carry the whole chain.
  const byDepth = [...visible].sort((a, b) => depth(b) - depth(a) || a.name.localeCompare(b.name));
  for (const category of byDepth) {
    const chainIds = (category.mpath ?? category.id).split(".").filter(Boolean);
    if (chainIds[chainIds.length - 1] !== category.id) chainIds.push(category.id);
    const chain = chainIds
      .map((id) => (id === category.id ? category.name : names.get(id)))
      .filter((n): n is string => !!n);
    for (const name of chain.reverse()) {
      if (!seen.has(name)) {
        seen.add(name);
        out.push(name);
      }
    }
  }
  return out;
}

function depth(c: CategoryRecord): number {
  return (c.mpath ?? "").split(".").filter(Boolean).length;
}

/** All ancestor ids named in the categories' `mpath`, so their names can be fetched in one query. */
export function ancestorCategoryIds(products: readonly MedusaProductRecord[]): string[] {
  const ids = new Set<string>();
  for (const p of products) {
    for (const c of p.categories ?? []) {
      for (const id of (c.mpath ?? "").split(".")) if (id && id !== c.id) ids.add(id);
    }
  }
  return [...ids];
}

function readPath(record: unknown, path: string): unknown {
  let current: unknown = record;
  for (const key of path.split(".")) {
    if (Array.isArray(current)) current = current[0];
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function brandsOf(product: MedusaProductRecord, source: BrandSource): string[] {
  let value: unknown;
  switch (source.source) {
    case "metadata":
      value = product.metadata?.[source.key];
      break;
    case "link":
      value = readPath(product, source.field);
      break;
    case "type":
      value = product.type?.value;
      break;
    case "collection":
      value = product.collection?.title;
      break;
    case "none":
      return [];
  }
  const list = Array.isArray(value) ? value : [value];
  return [
    ...new Set(
      list
        .filter((v): v is string => typeof v === "string")
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

export function productUrl(
  product: Pick<MedusaProductRecord, "id" | "handle">,
  ctx: Pick<MappingContext, "storefrontUrl" | "productPath">,
): string {
  const path = ctx.productPath
    .replaceAll("{handle}", encodeURIComponent(product.handle))
    .replaceAll("{id}", encodeURIComponent(product.id));
  return `${ctx.storefrontUrl}${path.startsWith("/") ? "" : "/"}${path}`;
}

function isVariantInStock(
  variant: VariantRecord,
  availability: ReadonlyMap<string, number>,
): boolean {
  if (variant.manage_inventory === false || variant.allow_backorder === true) return true;
  return (availability.get(variant.id) ?? 0) > 0;
}

const NATURAL = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

function optionAttributes(variants: readonly VariantRecord[]): Record<string, string> {
  const values = new Map<string, string[]>();
  for (const v of variants) {
    for (const o of v.options ?? []) {
      const title = o.option?.title;
      if (!title || !o.value) continue;
      const list = values.get(title) ?? [];
      if (!list.includes(o.value)) list.push(o.value);
      values.set(title, list);
    }
  }
  // Query returns variants in no fixed order; sort so the document (and its hash) is stable.
  return Object.fromEntries(
    [...values]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, v.sort(NATURAL.compare).join(", ")]),
  );
}

/** Why a product is not sent: the caller deletes it from Neuroon instead. */
export type SkipReason = "not-published" | "no-price";

export type MappingResult =
  | { ok: true; product: NeuroonProduct }
  | { ok: false; reason: SkipReason };

/**
 * Maps one Medusa product to the Neuroon product the storefront would show: only published
 * products, the cheapest variant's display price (with its pre-sale price as `price` and the sale
 * as `salePrice`), the category chain, brand, tags, stock and option values.
 */
export function mapProduct(product: MedusaProductRecord, ctx: MappingContext): MappingResult {
  if (product.status !== "published") return { ok: false, reason: "not-published" };
  const prices = variantPrices(product, ctx);
  if (prices.length === 0) return { ok: false, reason: "no-price" };
  const cheapest = prices.reduce((best, p) => (p.price < best.price ? p : best));

  const variants = sortedVariants(product);
  const out: NeuroonProduct = {
    externalId: product.id,
    name: truncate(product.title.trim(), NAME_MAX_CHARS),
    price: cheapest.originalPrice,
    currency: ctx.currencyCode.toUpperCase(),
    url: productUrl(product, ctx),
    isActive: true,
  };
  if (cheapest.originalPrice > cheapest.price) out.salePrice = cheapest.price;

  const description = toPlainText(product.description || product.subtitle || "", {
    maxLength: DESCRIPTION_MAX_CHARS,
  });
  if (description) out.description = description;
  const image =
    product.thumbnail ||
    [...(product.images ?? [])].sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0))[0]?.url;
  if (image) out.imageUrl = image;
  if (variants.length === 1 && variants[0]?.sku) out.sku = variants[0].sku;

  const categories = categoryPaths(product.categories, ctx.categoryNames);
  if (categories.length) out.categories = categories;
  const brands = brandsOf(product, ctx.brand);
  if (brands.length) out.brands = brands;
  const tags = [...new Set((product.tags ?? []).map((t) => t.value).filter(Boolean))].sort(
    NATURAL.compare,
  );
  if (tags.length) out.tags = tags;

  const sellable = variants.filter((v) => prices.some((p) => p.variantId === v.id));
  out.inStock = sellable.some((v) => isVariantInStock(v, ctx.availability));
  const managed = sellable.filter((v) => v.manage_inventory !== false);
  if (managed.length > 0 && managed.length === sellable.length) {
    out.stockQuantity = managed.reduce(
      (sum, v) => sum + Math.max(0, ctx.availability.get(v.id) ?? 0),
      0,
    );
  }

  const attributes = optionAttributes(variants);
  if (Object.keys(attributes).length) out.attributes = attributes;
  return { ok: true, product: out };
}
