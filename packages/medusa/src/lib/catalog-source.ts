import type { MedusaContainer } from "@medusajs/framework/types";
import {
  ContainerRegistrationKeys,
  getVariantAvailability,
  MedusaError,
  Modules,
  QueryContext,
} from "@medusajs/framework/utils";
import type { CatalogSource, NeuroonProduct } from "@neuroon/core";
import {
  ancestorCategoryIds,
  type MappingContext,
  type MappingResult,
  mapProduct,
} from "./mapping";
import type { MedusaProductRecord } from "./medusa-types";
import type { ResolvedNeuroonOptions } from "./options";

const BASE_PRODUCT_FIELDS = [
  "id",
  "title",
  "subtitle",
  "description",
  "handle",
  "status",
  "thumbnail",
  "metadata",
  "type.id",
  "type.value",
  "collection.id",
  "collection.title",
  "tags.value",
  "images.url",
  "images.rank",
  "categories.id",
  "categories.name",
  "categories.mpath",
  "categories.is_internal",
  "categories.is_active",
  "sales_channels.id",
  "variants.id",
  "variants.sku",
  "variants.title",
  "variants.manage_inventory",
  "variants.allow_backorder",
  "variants.options.value",
  "variants.options.option.title",
  "variants.calculated_price.*",
];

/** Ids per `query.graph` filter: Query turns them into one `IN (…)`, which must stay bounded. */
const READ_CHUNK_SIZE = 200;

interface GraphResult<T> {
  data: T[];
  metadata?: { count?: number; skip?: number; take?: number };
}

/** The slice of Medusa's Query the plugin calls. */
export interface GraphQuery {
  graph<T = Record<string, unknown>>(config: {
    entity: string;
    fields: string[];
    filters?: Record<string, unknown>;
    pagination?: { take?: number; skip?: number; order?: Record<string, "ASC" | "DESC"> };
    context?: Record<string, unknown>;
    withDeleted?: boolean;
  }): Promise<GraphResult<T>>;
}

interface TaxModule {
  getTaxLines(
    items: unknown[],
    context: { address: { country_code: string } },
  ): Promise<Array<{ line_item_id?: string; rate: number }>>;
}

interface RegionRecord {
  id: string;
  currency_code: string;
  automatic_taxes: boolean;
  countries?: Array<{ iso_2: string }> | null;
}

/** The currency, region and tax country every price is read and converted for. */
export interface PricingScope {
  currencyCode: string;
  regionId: string | undefined;
  taxCountryCode: string | undefined;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Decides the pricing scope from the options and the configured region. With `taxInclusive` set,
 * prices are converted with the tax rate of one country: the option's, or the region's only
 * country. A region with several countries and no `taxCountryCode` is refused rather than
 * silently sending net prices to a storefront that shows gross ones.
 */
export function pricingScopeFor(
  options: Pick<
    ResolvedNeuroonOptions,
    "regionId" | "currencyCode" | "taxInclusive" | "taxCountryCode"
  >,
  region: RegionRecord | undefined,
): PricingScope {
  if (!options.regionId) {
    return {
      currencyCode: options.currencyCode as string,
      regionId: undefined,
      taxCountryCode: options.taxCountryCode,
    };
  }
  if (!region) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `@neuroon/medusa: region "${options.regionId}" (option regionId) does not exist; set it to an existing region id or use currencyCode`,
    );
  }
  const countries = (region.countries ?? []).map((c) => c.iso_2);
  const country = options.taxCountryCode ?? (countries.length === 1 ? countries[0] : undefined);
  if (options.taxInclusive !== undefined && region.automatic_taxes && !country) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `@neuroon/medusa: taxInclusive is ${options.taxInclusive} but region "${region.id}" has ${countries.length} countries (${countries.join(", ") || "none"}), so no tax country can be chosen and prices would go out without tax conversion. Set the "taxCountryCode" option to the country whose prices the storefront shows, e.g. "${countries[0] ?? "de"}".`,
    );
  }
  return {
    currencyCode: region.currency_code,
    regionId: region.id,
    taxCountryCode: region.automatic_taxes ? country : undefined,
  };
}

/**
 * The Medusa catalog as core's sync engine reads it: products through `query.graph`, with the
 * region's calculated prices, the Tax Module's rates, category names and stock, mapped by
 * {@link mapProduct}. Keys are Medusa product ids; a Medusa product is one Neuroon record (its
 * variants are folded into it), so every family has one member.
 */
export class MedusaCatalogSource implements CatalogSource {
  readonly #options: ResolvedNeuroonOptions;
  readonly #query: GraphQuery;
  readonly #container: MedusaContainer;
  #scope: Promise<PricingScope> | undefined;

  constructor(container: MedusaContainer, options: ResolvedNeuroonOptions) {
    this.#container = container;
    this.#options = options;
    this.#query = container.resolve(ContainerRegistrationKeys.QUERY) as unknown as GraphQuery;
  }

  /** The scope is read once per source; a failed read is retried on the next call. */
  pricingScope(): Promise<PricingScope> {
    this.#scope ??= (async () => {
      if (!this.#options.regionId) return pricingScopeFor(this.#options, undefined);
      const { data } = await this.#query.graph<RegionRecord>({
        entity: "region",
        fields: ["id", "currency_code", "automatic_taxes", "countries.iso_2"],
        filters: { id: this.#options.regionId },
      });
      return pricingScopeFor(this.#options, data[0]);
    })();
    this.#scope.catch(() => {
      this.#scope = undefined;
    });
    return this.#scope;
  }

  async readProducts(
    keys: readonly string[],
  ): Promise<{ products: NeuroonProduct[]; missing: string[] }> {
    const ids = [...new Set(keys)];
    const records: MedusaProductRecord[] = [];
    for (const part of chunk(ids, READ_CHUNK_SIZE)) {
      records.push(...(await this.#queryProducts({ id: part })));
    }
    const mapped = await this.mapRecords(records);
    const products: NeuroonProduct[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const result = mapped.get(id);
      if (result?.ok) products.push(result.product);
      else missing.push(id);
    }
    return { products, missing };
  }

  async *streamCatalog(signal?: AbortSignal): AsyncIterable<readonly NeuroonProduct[]> {
    const take = this.#options.batchSize;
    for (let skip = 0; ; skip += take) {
      signal?.throwIfAborted();
      const records = await this.#queryProducts({}, { take, skip });
      if (records.length === 0) return;
      const mapped = await this.mapRecords(records);
      const page = [...mapped.values()].flatMap((result) => (result.ok ? [result.product] : []));
      if (page.length > 0) yield page;
      if (records.length < take) return;
    }
  }

  /** Maps records by id: each either a product to send or the reason it is not sent. */
  async mapRecords(records: readonly MedusaProductRecord[]): Promise<Map<string, MappingResult>> {
    const scope = await this.pricingScope();
    const [categoryNames, taxRates, availability] = await Promise.all([
      this.#categoryNames(records),
      this.#taxRates(records, scope),
      this.#availability(records),
    ]);
    const ctx: MappingContext = {
      storefrontUrl: this.#options.storefrontUrl,
      productPath: this.#options.productPath,
      currencyCode: scope.currencyCode,
      taxInclusive: this.#options.taxInclusive,
      taxRates,
      categoryNames,
      brand: this.#options.brand,
      availability,
    };
    const mapped = new Map<string, MappingResult>();
    for (const record of records) {
      let result = mapProduct(record, ctx);
      if (result.ok && this.#options.transform) {
        const transformed = await this.#options.transform(result.product, record);
        result = transformed
          ? { ok: true, product: transformed }
          : { ok: false, reason: "not-published" };
      }
      mapped.set(record.id, result);
    }
    return mapped;
  }

  /** Maps variant ids to their product ids, soft-deleted variants included (their delete event). */
  async productIdsOfVariants(variantIds: readonly string[]): Promise<string[]> {
    if (variantIds.length === 0) return [];
    const { data } = await this.#query.graph<{ id: string; product_id: string | null }>({
      entity: "product_variant",
      fields: ["id", "product_id"],
      filters: { id: [...variantIds] },
      withDeleted: true,
    });
    return [...new Set(data.map((v) => v.product_id).filter((id): id is string => !!id))];
  }

  /**
   * The products whose variants have a price in these price lists. Deleted lists and their prices
   * are soft-deleted, so they are read too: ending a sale must reach the products it covered.
   */
  async productIdsOfPriceLists(priceListIds: readonly string[]): Promise<string[]> {
    return this.#productIdsOfPrices({ price_list_id: [...priceListIds] }, priceListIds.length);
  }

  /**
   * The products whose variants these prices belong to (a variant's own prices and price-list
   * prices alike), removed prices included.
   */
  async productIdsOfPrices(priceIds: readonly string[]): Promise<string[]> {
    return this.#productIdsOfPrices({ id: [...priceIds] }, priceIds.length);
  }

  async #productIdsOfPrices(filters: Record<string, unknown>, idCount: number): Promise<string[]> {
    if (idCount === 0) return [];
    const productIds = new Set<string>();
    const take = 1000;
    // A price list can hold a price for every variant of the catalog: read it page by page.
    for (let skip = 0; ; skip += take) {
      // A price belongs to a price set, which the product_variant_price_set link ties to a variant.
      const { data } = await this.#query.graph<{
        price_set?: { variant?: { product_id?: string | null } | null } | null;
      }>({
        entity: "price",
        fields: ["id", "price_set.variant.product_id"],
        filters,
        pagination: { take, skip, order: { id: "ASC" } },
        withDeleted: true,
      });
      for (const price of data) {
        const productId = price.price_set?.variant?.product_id;
        if (productId) productIds.add(productId);
      }
      if (data.length < take) return [...productIds];
    }
  }

  /**
   * Products filed under these categories or any of their descendants (a renamed parent changes
   * every breadcrumb below it).
   */
  async productIdsInCategories(categoryIds: readonly string[]): Promise<string[]> {
    if (categoryIds.length === 0) return [];
    const { data } = await this.#query.graph<{
      id: string;
      products?: Array<{ id: string }> | null;
    }>({
      entity: "product_category",
      fields: ["id", "products.id"],
      filters: {
        $or: [
          { id: [...categoryIds] },
          ...categoryIds.map((id) => ({ mpath: { $like: `%${id}%` } })),
        ],
      },
    });
    return [...new Set(data.flatMap((c) => (c.products ?? []).map((p) => p.id)))];
  }

  /** Products in these collections, read page by page. */
  async productIdsInCollections(collectionIds: readonly string[]): Promise<string[]> {
    if (collectionIds.length === 0) return [];
    const ids: string[] = [];
    const take = 1000;
    for (let skip = 0; ; skip += take) {
      const { data } = await this.#query.graph<{ id: string }>({
        entity: "product",
        fields: ["id"],
        filters: { collection_id: [...collectionIds] },
        pagination: { take, skip, order: { id: "ASC" } },
      });
      ids.push(...data.map((p) => p.id));
      if (data.length < take) return ids;
    }
  }

  #productFields(): string[] {
    const fields = [...BASE_PRODUCT_FIELDS];
    if (this.#options.brand.source === "link") fields.push(this.#options.brand.field);
    return fields;
  }

  async #queryProducts(
    filters: Record<string, unknown>,
    pagination?: { take: number; skip: number },
  ): Promise<MedusaProductRecord[]> {
    const scope = await this.pricingScope();
    const pricing: Record<string, string> = { currency_code: scope.currencyCode };
    if (scope.regionId) pricing.region_id = scope.regionId;
    const { data } = await this.#query.graph<MedusaProductRecord>({
      entity: "product",
      fields: this.#productFields(),
      filters,
      ...(pagination ? { pagination: { ...pagination, order: { id: "ASC" } } } : {}),
      context: { variants: { calculated_price: QueryContext(pricing) } },
    });
    return data;
  }

  async #categoryNames(records: readonly MedusaProductRecord[]): Promise<Map<string, string>> {
    const ids = ancestorCategoryIds(records);
    const names = new Map<string, string>();
    if (ids.length === 0) return names;
    const { data } = await this.#query.graph<{
      id: string;
      name: string;
      is_internal: boolean;
      is_active: boolean;
    }>({
      entity: "product_category",
      fields: ["id", "name", "is_internal", "is_active"],
      filters: { id: ids },
    });
    for (const c of data) if (!c.is_internal && c.is_active !== false) names.set(c.id, c.name);
    return names;
  }

  async #taxRates(
    records: readonly MedusaProductRecord[],
    scope: PricingScope,
  ): Promise<Map<string, number>> {
    const rates = new Map<string, number>();
    if (this.#options.taxInclusive === undefined || !scope.taxCountryCode) return rates;
    const items = records.flatMap((p) =>
      (p.variants ?? [])
        .filter((v) => v.calculated_price?.calculated_amount != null)
        .map((v) => ({
          id: v.id,
          product_id: p.id,
          product_type_id: p.type?.id ?? null,
          quantity: 1,
          unit_price: v.calculated_price?.calculated_amount ?? 0,
          currency_code: scope.currencyCode,
        })),
    );
    if (items.length === 0) return rates;
    const tax = this.#container.resolve<TaxModule>(Modules.TAX);
    const lines = await tax.getTaxLines(items, { address: { country_code: scope.taxCountryCode } });
    for (const line of lines) {
      if (!line.line_item_id) continue;
      rates.set(line.line_item_id, (rates.get(line.line_item_id) ?? 0) + Number(line.rate ?? 0));
    }
    return rates;
  }

  async #availability(records: readonly MedusaProductRecord[]): Promise<Map<string, number>> {
    const byChannel = new Map<string, string[]>();
    for (const p of records) {
      const channel = this.#options.salesChannelId ?? p.sales_channels?.[0]?.id;
      if (!channel) continue;
      const ids = (p.variants ?? []).filter((v) => v.manage_inventory !== false).map((v) => v.id);
      if (ids.length) byChannel.set(channel, [...(byChannel.get(channel) ?? []), ...ids]);
    }
    const out = new Map<string, number>();
    for (const [channel, variantIds] of byChannel) {
      const result = await getVariantAvailability(
        this.#query as unknown as Parameters<typeof getVariantAvailability>[0],
        { variant_ids: variantIds, sales_channel_id: channel },
      );
      for (const [id, a] of Object.entries(result)) out.set(id, Number(a.availability ?? 0));
    }
    return out;
  }
}
