import {
  brandsFrom,
  buildCategoryLookup,
  type CategoryLookup,
  type CategoryWarning,
  categoryPaths,
  computeDisplayPrices,
  type DisplayPrices,
  type NeuroonProduct,
  pickDescription,
  toExternalId,
  toPlainText,
  variableParentPrices,
  variantExternalId,
} from "@neuroon/core";
import type { WooTaxSettings } from "./reader.js";
import { WORDPRESS_SHORTCODES } from "./shortcodes.js";
import type { WooProduct, WooTaxRate, WooTerm, WooVariation } from "./types.js";

/**
 * Where brands come from: core Brands (`brands[]`, WooCommerce ≥ 9.6), a product attribute
 * (`{ attribute: "pa_brand" }` or its label `"Brand"`), a meta key (`{ meta: "_brand" }`; the
 * reader must then fetch `meta_data`), or nowhere.
 */
export type WooBrandSource = "core" | { attribute: string } | { meta: string } | "none";

/** What {@link mapWooProduct} needs besides the product: store-wide settings and the clock. */
export interface WooMappingContext {
  /** From `reader.getTaxSettings()`. */
  tax: WooTaxSettings;
  /** From {@link buildWooCategoryLookup}`(await reader.listCategories())`. */
  categories: CategoryLookup;
  /** The moment sale schedules are evaluated at. */
  now: Date | number;
  /** Default `"core"`. */
  brandSource?: WooBrandSource;
  /** Told about categories missing from the lookup (a stale cache) and broken parent chains. */
  onCategoryWarning?: (warning: CategoryWarning) => void;
}

// WordPress text: shortcodes are WordPress' markup, removed here rather than by core for everyone.
const WORDPRESS_TEXT = { inlineMarkup: WORDPRESS_SHORTCODES } as const;
// `catalog` is "shop pages only, hidden from search results"; `hidden` is neither.
const SEARCHABLE_VISIBILITIES = new Set(["visible", "search"]);
// WooCommerce's default category; it says nothing about the product.
const UNCATEGORIZED_SLUG = "uncategorized";

/**
 * A term name, attribute label or value as shoppers see it. WordPress stores term names escaped
 * (`T-Shirts & Tops` comes back from the REST API as `T-Shirts &amp; Tops`; measured on
 * WooCommerce 10.0.2, issue 14), and so are names typed in wp-admin without `unfiltered_html`.
 */
export function wooText(value: string): string {
  return toPlainText(value, WORDPRESS_TEXT);
}

/** Category terms (from `/products/categories`) as the lookup `categoryPaths` walks. */
export function buildWooCategoryLookup(terms: readonly WooTerm[]): CategoryLookup {
  return buildCategoryLookup(
    terms.map((term) => ({ id: term.id, name: wooText(term.name), parentId: term.parent ?? 0 })),
  );
}

/**
 * Whether the store shows this product in search: published (not draft, pending, private,
 * scheduled or trashed), with catalog visibility `visible` or `search`, and not
 * password-protected (`post_password`, known only when it was read in the `edit` context).
 * Variations are judged with their parent.
 */
export function isWooProductIndexable(
  product: Pick<WooProduct, "status" | "catalog_visibility" | "type" | "post_password">,
): boolean {
  if (product.type === "variation") return false;
  return (
    product.status === "publish" &&
    SEARCHABLE_VISIBILITIES.has(product.catalog_visibility ?? "visible") &&
    // WordPress hides a protected post's content until the password is entered.
    !product.post_password
  );
}

function matchesLocation(
  pattern: string,
  values: readonly string[] | undefined,
  actual: string,
): boolean {
  const list = values && values.length > 0 ? values : pattern ? pattern.split(";") : [];
  if (list.length === 0) return true;
  const target = actual.trim().toUpperCase();
  return list.some((raw) => {
    const item = raw.trim().toUpperCase();
    if (item === "" || item === "*") return true;
    if (item.endsWith("*")) return target.startsWith(item.slice(0, -1));
    const range = /^(\d+)\.\.\.(\d+)$/.exec(item);
    if (range) {
      const n = Number(target);
      return Number.isFinite(n) && n >= Number(range[1]) && n <= Number(range[2]);
    }
    return item === target;
  });
}

/**
 * The tax rate, in percent, that WooCommerce applies to a product for a guest at the store's base
 * location (`WC_Tax::find_rates`): rates of the product's class (`""` = standard) matching the
 * base country, state, postcode and city (empty = wildcard); the first rate per priority; regular
 * rates add up and compound rates apply on top, folded into one effective rate. 0 when taxes are
 * off or the product is not `taxable`.
 */
export function wooTaxRatePercent(
  tax: Pick<
    WooTaxSettings,
    "calcTaxes" | "baseCountry" | "baseState" | "basePostcode" | "baseCity" | "rates"
  >,
  taxStatus: string | undefined,
  taxClass: string | undefined,
): number {
  if (!tax.calcTaxes || (taxStatus ?? "taxable") !== "taxable") return 0;
  const cls = !taxClass || taxClass === "standard" ? "standard" : taxClass;
  const candidates = tax.rates
    .filter(
      (rate: WooTaxRate) =>
        (rate.class || "standard") === cls &&
        (rate.country === "" || rate.country.toUpperCase() === tax.baseCountry.toUpperCase()) &&
        (rate.state === "" || rate.state.toUpperCase() === tax.baseState.toUpperCase()) &&
        matchesLocation(rate.postcode ?? "", rate.postcodes, tax.basePostcode) &&
        matchesLocation(rate.city ?? "", rate.cities, tax.baseCity),
    )
    .sort((a, b) => a.priority - b.priority || (a.order ?? 0) - (b.order ?? 0));
  const perPriority = new Map<number, WooTaxRate>();
  for (const rate of candidates)
    if (!perPriority.has(rate.priority)) perPriority.set(rate.priority, rate);
  let regular = 0;
  let factor = 1;
  for (const rate of perPriority.values()) {
    if (rate.compound) factor *= 1 + Number(rate.rate) / 100;
    else regular += Number(rate.rate);
  }
  const effective = ((1 + regular / 100) * factor - 1) * 100;
  // Fold float noise (1.19 × 1.05) back to the rate's 4 stored decimals and a bit more.
  return Number(effective.toFixed(6));
}

interface Priced {
  regular_price?: string | undefined;
  sale_price?: string | undefined;
  date_on_sale_from_gmt?: string | null | undefined;
  date_on_sale_to_gmt?: string | null | undefined;
  tax_status?: string | undefined;
}

function displayPrices(
  item: Priced,
  taxClass: string | undefined,
  context: WooMappingContext,
): DisplayPrices | undefined {
  if (item.regular_price === undefined || item.regular_price.trim() === "") return undefined;
  const { tax } = context;
  return computeDisplayPrices({
    regularAmount: item.regular_price,
    saleAmount: item.sale_price ?? null,
    saleStartsAt: item.date_on_sale_from_gmt ?? null,
    saleEndsAt: item.date_on_sale_to_gmt ?? null,
    now: context.now,
    amountsIncludeTax: tax.pricesIncludeTax,
    displayIncludingTax: tax.displayIncludingTax,
    taxRatePercent: wooTaxRatePercent(tax, item.tax_status, taxClass),
    currency: tax.currency,
    minorUnits: tax.priceDecimals,
  });
}

function stockFields(
  stockStatus: string | undefined,
  manageStock: boolean | "parent" | undefined,
  quantity: number | null | undefined,
): Pick<NeuroonProduct, "inStock" | "stockQuantity"> {
  const out: Pick<NeuroonProduct, "inStock" | "stockQuantity"> = {};
  // Backorders can still be bought; only `outofstock` is out of stock.
  if (stockStatus !== undefined) out.inStock = stockStatus !== "outofstock";
  if (manageStock && typeof quantity === "number" && Number.isFinite(quantity)) {
    out.stockQuantity = Math.max(0, Math.trunc(quantity));
  }
  return out;
}

function brandsOf(
  product: WooProduct & { meta_data?: { key: string; value: unknown }[] },
  source: WooBrandSource,
): string[] | undefined {
  if (source === "none") return undefined;
  if (source === "core") {
    return brandsFrom(
      product.brands?.map((brand) => ({ ...brand, name: wooText(brand.name) })) ?? null,
    );
  }
  if ("attribute" in source) {
    const wanted = source.attribute.toLowerCase();
    const bare = wanted.replace(/^pa_/, "");
    const attribute = product.attributes?.find((a) => {
      const name = a.name.toLowerCase();
      return name === wanted || name === bare;
    });
    return brandsFrom(attribute?.options?.map(wooText) ?? null);
  }
  const meta = product.meta_data?.find((m) => m.key === source.meta);
  const value = meta?.value;
  if (typeof value === "string") return brandsFrom(wooText(value));
  if (Array.isArray(value))
    return brandsFrom(value.filter((v): v is string => typeof v === "string").map(wooText));
  return undefined;
}

function visibleAttributes(product: WooProduct): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const attribute of product.attributes ?? []) {
    if (attribute.visible === false || !attribute.options || attribute.options.length === 0)
      continue;
    out[wooText(attribute.name)] = attribute.options.map(wooText).join(", ");
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function names(refs: readonly { name: string }[] | undefined): string[] | undefined {
  const list = (refs ?? []).map((ref) => wooText(ref.name)).filter((name) => name !== "");
  return list.length > 0 ? list : undefined;
}

function withPrices(target: NeuroonProduct, prices: DisplayPrices): void {
  target.price = prices.price;
  if (prices.salePrice !== undefined) target.salePrice = prices.salePrice;
}

/**
 * Maps a WooCommerce product (and, for a variable product, its variations) to Neuroon products,
 * parent first:
 *
 * - nothing (`[]`) for products the store does not show in search ({@link isWooProductIndexable}),
 *   for products without a regular price, for variable products without an enabled, priced
 *   variation, and for grouped products without a published, priced child;
 * - a grouped product (a searchable catalog page of its own) priced from its lowest child, as the
 *   storefront shows it ("from" the lowest current price, no sale price): `groupedChildren` are the
 *   products of its `grouped_products`;
 * - prices as the shop displays them to a guest at the base location (tax settings and rate),
 *   the sale price only while its schedule is running;
 * - a variable parent priced from its lowest variation, each enabled variation as a child with
 *   `parentExternalId` and its attributes;
 * - categories from the `parent` chain (most specific first), brands per `brandSource`, the short
 *   description else the long one as plain text (≤ 2000 characters), the permalink and first image.
 *
 * Pure: no I/O, no clock but `context.now`. Throws core's `MappingError` for garbage prices.
 */
export function mapWooProduct(
  product: WooProduct,
  variations: readonly WooVariation[],
  context: WooMappingContext,
  groupedChildren: readonly WooProduct[] = [],
): NeuroonProduct[] {
  if (!isWooProductIndexable(product)) return [];
  const externalId = toExternalId(product.id);
  const categoryIds = (product.categories ?? [])
    .filter((c) => c.slug !== UNCATEGORIZED_SLUG)
    .map((c) => c.id);
  const categories = categoryPaths(categoryIds, context.categories, {
    onWarning: context.onCategoryWarning,
  });
  const brands = brandsOf(product, context.brandSource ?? "core");
  const tags = names(product.tags);
  const description = pickDescription(
    { short: product.short_description ?? null, long: product.description ?? null },
    WORDPRESS_TEXT,
  );
  const imageUrl = product.images?.[0]?.src;
  const base: NeuroonProduct = {
    externalId,
    name: toPlainText(product.name, { ...WORDPRESS_TEXT, maxLength: 512 }) || product.name,
    price: 0,
    url: product.permalink ?? "",
    currency: context.tax.currency,
    isActive: true,
  };
  if (product.sku) base.sku = product.sku;
  if (description !== undefined) base.description = description;
  if (imageUrl) base.imageUrl = imageUrl;
  if (categories.length > 0) base.categories = categories;
  if (brands) base.brands = brands;
  if (tags) base.tags = tags;
  if ((product.rating_count ?? 0) > 0) {
    const rating = Number(product.average_rating);
    if (Number.isFinite(rating)) {
      base.rating = rating;
      base.reviewCount = product.rating_count as number;
    }
  }

  if (product.type === "grouped") {
    const current: number[] = [];
    for (const child of groupedChildren) {
      if (child.status !== "publish") continue;
      // A variable child's `price` is its lowest current variation price, as the store shows it.
      const priced =
        child.type === "variable"
          ? { regular_price: child.price, tax_status: child.tax_status }
          : child;
      const prices = displayPrices(priced, child.tax_class, context);
      if (prices !== undefined) current.push(prices.salePrice ?? prices.price);
    }
    if (current.length === 0) return [];
    base.price = Math.min(...current);
    base.inStock = groupedChildren.some(
      (c) => c.status === "publish" && c.stock_status !== "outofstock",
    );
    const attributes = visibleAttributes(product);
    if (attributes) base.attributes = attributes;
    return [base];
  }

  if (product.type !== "variable") {
    const prices = displayPrices(product, product.tax_class, context);
    if (prices === undefined) return [];
    withPrices(base, prices);
    Object.assign(
      base,
      stockFields(product.stock_status, product.manage_stock, product.stock_quantity),
    );
    const attributes = visibleAttributes(product);
    if (attributes) base.attributes = attributes;
    return [base];
  }

  const children: { product: NeuroonProduct; prices: DisplayPrices }[] = [];
  for (const variation of variations) {
    // A disabled variation is `private`; it cannot be bought.
    if ((variation.status ?? "publish") !== "publish") continue;
    const taxClass = variation.tax_class === "parent" ? product.tax_class : variation.tax_class;
    const prices = displayPrices(
      { ...variation, tax_status: variation.tax_status ?? product.tax_status },
      taxClass,
      context,
    );
    if (prices === undefined) continue;
    const attributes: Record<string, string> = {};
    for (const attribute of variation.attributes ?? []) {
      // An empty option means "any value" of that attribute.
      if (attribute.option !== "") attributes[wooText(attribute.name)] = wooText(attribute.option);
    }
    const options = Object.values(attributes);
    const child: NeuroonProduct = {
      ...base,
      externalId: variantExternalId(product.id, variation.id),
      parentExternalId: externalId,
      name: options.length > 0 ? `${base.name} - ${options.join(", ")}` : base.name,
      url: variation.permalink || base.url,
    };
    if (variation.sku) child.sku = variation.sku;
    const variationText = toPlainText(variation.description ?? "", WORDPRESS_TEXT);
    if (variationText !== "") child.description = variationText;
    if (variation.image?.src) child.imageUrl = variation.image.src;
    withPrices(child, prices);
    const quantity =
      variation.manage_stock === "parent" ? product.stock_quantity : variation.stock_quantity;
    Object.assign(child, stockFields(variation.stock_status, variation.manage_stock, quantity));
    if (options.length > 0) child.attributes = attributes;
    children.push({ product: child, prices });
  }
  if (children.length === 0) return [];
  withPrices(base, variableParentPrices(children.map((c) => c.prices)));
  base.inStock = children.some((c) => c.product.inStock !== false);
  if (product.manage_stock === true && typeof product.stock_quantity === "number") {
    base.stockQuantity = Math.max(0, Math.trunc(product.stock_quantity));
  }
  const attributes = visibleAttributes(product);
  if (attributes) base.attributes = attributes;
  return [base, ...children.map((c) => c.product)];
}
