import { randomUUID } from "node:crypto";
import type { Logger, MedusaContainer } from "@medusajs/framework/types";
import {
  ContainerRegistrationKeys,
  getVariantAvailability,
  Modules,
  QueryContext,
} from "@medusajs/framework/utils";
import { contentHash, type NeuroonProduct, validateProduct } from "@neuroon/core";
import type NeuroonModuleService from "../modules/neuroon/service";
import { buildConversion, type OrderRecord } from "./conversions";
import {
  ancestorCategoryIds,
  type MappingContext,
  type MappingResult,
  mapProduct,
} from "./mapping";
import type { MedusaProductRecord } from "./medusa-types";
import { isRetryableError } from "./neuroon-api";
import type { ResolvedNeuroonOptions } from "./options";
import { nextAttemptDelayMs } from "./retry";

export const NEUROON_MODULE_KEY = "neuroon";

/** A catalog run still "running" after this long belongs to a process that died. */
const STALE_RUN_MS = 6 * 60 * 60 * 1000;
/** Orphan deletions below this count never trip the safety valve. */
const SAFETY_VALVE_MIN_DELETES = 10;

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

interface GraphResult<T> {
  data: T[];
  metadata?: { count?: number; skip?: number; take?: number };
}

interface GraphQuery {
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

interface PricingScope {
  currencyCode: string;
  regionId: string | undefined;
  taxCountryCode: string | undefined;
}

/** Products read from Medusa and mapped: `send` to upsert, `remove` to delete from Neuroon. */
export interface ReadResult {
  mapped: Map<string, MappingResult>;
  records: Map<string, MedusaProductRecord>;
  /** Ids Medusa no longer has (deleted). */
  missing: string[];
}

export interface SyncOutcome {
  upserted: number;
  deleted: number;
  skipped: number;
  failed: number;
}

export interface RunOptions {
  /** Send every product even when its content hash is unchanged (full resync). */
  force: boolean;
  signal?: AbortSignal;
}

type SyncRow = {
  id: string;
  product_id: string;
  status: string;
  attempts: number;
  content_hash: string | null;
  last_synced_at: Date | string | null;
};

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 1000);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isUniqueViolation(error: unknown): boolean {
  const text = errorMessage(error);
  return /unique|duplicate|already exists/i.test(text);
}

/**
 * The plugin's sync logic over a Medusa container: reads products with `query.graph`, maps them,
 * and keeps the durable per-product state in the `neuroon` module, so every change is either
 * delivered or retried. Subscribers, jobs and admin routes all go through this one class, so the
 * live path and full syncs send identical documents.
 */
export class NeuroonSync {
  readonly module: NeuroonModuleService;
  readonly options: ResolvedNeuroonOptions;
  private readonly query: GraphQuery;
  private readonly logger: Logger;
  private scope: Promise<PricingScope> | undefined;

  constructor(private readonly container: MedusaContainer) {
    this.module = container.resolve<NeuroonModuleService>(NEUROON_MODULE_KEY);
    this.options = this.module.options;
    this.query = container.resolve(ContainerRegistrationKeys.QUERY) as unknown as GraphQuery;
    this.logger = container.resolve(ContainerRegistrationKeys.LOGGER);
  }

  private pricingScope(): Promise<PricingScope> {
    this.scope ??= (async () => {
      if (!this.options.regionId) {
        return {
          currencyCode: this.options.currencyCode as string,
          regionId: undefined,
          taxCountryCode: this.options.taxCountryCode,
        };
      }
      const { data } = await this.query.graph<RegionRecord>({
        entity: "region",
        fields: ["id", "currency_code", "automatic_taxes", "countries.iso_2"],
        filters: { id: this.options.regionId },
      });
      const region = data[0];
      if (!region) {
        throw new Error(
          `@neuroon/medusa: region "${this.options.regionId}" (option regionId) does not exist; set it to an existing region id or use currencyCode`,
        );
      }
      const country =
        this.options.taxCountryCode ??
        (region.countries?.length === 1 ? region.countries[0]?.iso_2 : undefined);
      return {
        currencyCode: region.currency_code,
        regionId: region.id,
        taxCountryCode: region.automatic_taxes ? country : undefined,
      };
    })();
    this.scope.catch(() => {
      this.scope = undefined;
    });
    return this.scope;
  }

  private productFields(): string[] {
    const fields = [...BASE_PRODUCT_FIELDS];
    if (this.options.brand.source === "link") fields.push(this.options.brand.field);
    return fields;
  }

  /** Reads products by id (any status) and maps each; the building block of every sync path. */
  async readProducts(ids: readonly string[]): Promise<ReadResult> {
    if (ids.length === 0) return { mapped: new Map(), records: new Map(), missing: [] };
    const records: MedusaProductRecord[] = [];
    for (const part of chunk(ids, 200)) {
      records.push(...(await this.queryProducts({ id: part })));
    }
    return this.mapRecords(records, ids);
  }

  private async queryProducts(
    filters: Record<string, unknown>,
    pagination?: { take: number; skip: number },
  ): Promise<MedusaProductRecord[]> {
    const scope = await this.pricingScope();
    const pricing: Record<string, string> = { currency_code: scope.currencyCode };
    if (scope.regionId) pricing.region_id = scope.regionId;
    const { data } = await this.query.graph<MedusaProductRecord>({
      entity: "product",
      fields: this.productFields(),
      filters,
      ...(pagination ? { pagination: { ...pagination, order: { id: "ASC" } } } : {}),
      context: { variants: { calculated_price: QueryContext(pricing) } },
    });
    return data;
  }

  private async mapRecords(
    records: MedusaProductRecord[],
    requested: readonly string[],
  ): Promise<ReadResult> {
    const scope = await this.pricingScope();
    const [categoryNames, taxRates, availability] = await Promise.all([
      this.categoryNames(records),
      this.taxRates(records, scope),
      this.availability(records),
    ]);
    const ctx: MappingContext = {
      storefrontUrl: this.options.storefrontUrl,
      productPath: this.options.productPath,
      currencyCode: scope.currencyCode,
      taxInclusive: this.options.taxInclusive,
      taxRates,
      categoryNames,
      brand: this.options.brand,
      availability,
    };
    const mapped = new Map<string, MappingResult>();
    const byId = new Map<string, MedusaProductRecord>();
    for (const record of records) {
      byId.set(record.id, record);
      let result = mapProduct(record, ctx);
      if (result.ok && this.options.transform) {
        const transformed = await this.options.transform(result.product, record);
        result = transformed
          ? { ok: true, product: transformed }
          : { ok: false, reason: "not-published" };
      }
      mapped.set(record.id, result);
    }
    return { mapped, records: byId, missing: requested.filter((id) => !byId.has(id)) };
  }

  private async categoryNames(records: MedusaProductRecord[]): Promise<Map<string, string>> {
    const ids = ancestorCategoryIds(records);
    const names = new Map<string, string>();
    if (ids.length === 0) return names;
    const { data } = await this.query.graph<{
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

  private async taxRates(
    records: MedusaProductRecord[],
    scope: PricingScope,
  ): Promise<Map<string, number>> {
    const rates = new Map<string, number>();
    if (this.options.taxInclusive === undefined || !scope.taxCountryCode) return rates;
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
    const tax = this.container.resolve<TaxModule>(Modules.TAX);
    const lines = await tax.getTaxLines(items, { address: { country_code: scope.taxCountryCode } });
    for (const line of lines) {
      if (!line.line_item_id) continue;
      rates.set(line.line_item_id, (rates.get(line.line_item_id) ?? 0) + Number(line.rate ?? 0));
    }
    return rates;
  }

  private async availability(records: MedusaProductRecord[]): Promise<Map<string, number>> {
    const byChannel = new Map<string, string[]>();
    for (const p of records) {
      const channel = this.options.salesChannelId ?? p.sales_channels?.[0]?.id;
      if (!channel) continue;
      const ids = (p.variants ?? []).filter((v) => v.manage_inventory !== false).map((v) => v.id);
      if (ids.length) byChannel.set(channel, [...(byChannel.get(channel) ?? []), ...ids]);
    }
    const out = new Map<string, number>();
    for (const [channel, variantIds] of byChannel) {
      const result = await getVariantAvailability(
        this.query as unknown as Parameters<typeof getVariantAvailability>[0],
        {
          variant_ids: variantIds,
          sales_channel_id: channel,
        },
      );
      for (const [id, a] of Object.entries(result)) out.set(id, Number(a.availability ?? 0));
    }
    return out;
  }

  /** Maps variant ids to their product ids, including soft-deleted variants (their delete event). */
  async productIdsOfVariants(variantIds: readonly string[]): Promise<string[]> {
    if (variantIds.length === 0) return [];
    const { data } = await this.query.graph<{ id: string; product_id: string | null }>({
      entity: "product_variant",
      fields: ["id", "product_id"],
      filters: { id: [...variantIds] },
      withDeleted: true,
    });
    return [...new Set(data.map((v) => v.product_id).filter((id): id is string => !!id))];
  }

  /**
   * Products filed under these categories or any of their descendants (a renamed parent changes
   * every breadcrumb below it).
   */
  async productIdsInCategories(categoryIds: readonly string[]): Promise<string[]> {
    if (categoryIds.length === 0) return [];
    const { data } = await this.query.graph<{
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
      const { data } = await this.query.graph<{ id: string }>({
        entity: "product",
        fields: ["id"],
        filters: { collection_id: [...collectionIds] },
        pagination: { take, skip, order: { id: "ASC" } },
      });
      ids.push(...data.map((p) => p.id));
      if (data.length < take) break;
    }
    return ids;
  }

  /**
   * Records a change to many products at once (a renamed category or collection). Small sets are
   * delivered at once; large ones are left to the retry job, which drains them batch by batch.
   */
  async enqueueAndDeliver(productIds: readonly string[], origin: string): Promise<void> {
    await this.enqueueProducts(productIds, origin);
    if (productIds.length <= this.options.batchSize) await this.processProducts(productIds);
  }

  private async rowsFor(productIds: readonly string[]): Promise<Map<string, SyncRow>> {
    const rows = new Map<string, SyncRow>();
    for (const part of chunk(productIds, 500)) {
      const list = (await this.module.listNeuroonProductSyncs(
        { product_id: part },
        { take: part.length },
      )) as SyncRow[];
      for (const row of list) rows.set(row.product_id, row);
    }
    return rows;
  }

  /**
   * Durably records that these products changed, before anything is sent. Called by every
   * subscriber first, so an outage or a crash between here and Neuroon loses nothing.
   */
  async enqueueProducts(productIds: readonly string[], origin: string): Promise<void> {
    const ids = [...new Set(productIds)];
    if (ids.length === 0) return;
    const now = new Date();
    const existing = await this.rowsFor(ids);
    const fresh = ids.filter((id) => !existing.has(id));
    if (fresh.length) {
      try {
        await this.module.createNeuroonProductSyncs(
          fresh.map((product_id) => ({
            product_id,
            status: "pending" as const,
            next_attempt_at: now,
            origin,
          })),
        );
      } catch (error) {
        // Another subscriber for the same product won the insert: fall through to the update.
        if (!isUniqueViolation(error)) throw error;
        for (const [id, row] of await this.rowsFor(fresh)) existing.set(id, row);
      }
    }
    const toUpdate = ids.map((id) => existing.get(id)).filter((row): row is SyncRow => !!row);
    if (toUpdate.length) {
      await this.module.updateNeuroonProductSyncs(
        toUpdate.map((row) => ({
          id: row.id,
          status: "pending" as const,
          attempts: 0,
          next_attempt_at: now,
          origin,
        })),
      );
    }
  }

  /**
   * Re-reads the products and brings Neuroon in line: published products are upserted (when
   * their document changed, or always with `force`), everything else is deleted.
   */
  async processProducts(
    productIds: readonly string[],
    options: RunOptions = { force: false },
  ): Promise<SyncOutcome> {
    const ids = [...new Set(productIds)];
    const outcome: SyncOutcome = { upserted: 0, deleted: 0, skipped: 0, failed: 0 };
    if (ids.length === 0) return outcome;
    let read: ReadResult;
    try {
      read = await this.readProducts(ids);
    } catch (error) {
      await this.recordFailures(ids, await this.rowsFor(ids), error);
      outcome.failed += ids.length;
      return outcome;
    }
    await this.apply(ids, read, options, outcome);
    return outcome;
  }

  private async apply(
    ids: readonly string[],
    read: ReadResult,
    options: RunOptions,
    outcome: SyncOutcome,
  ): Promise<void> {
    const rows = await this.rowsFor(ids);
    await this.ensureRows(ids, rows);
    const upserts: Array<{ id: string; product: NeuroonProduct; hash: string }> = [];
    const deletes: string[] = [];
    const skips: string[] = [];
    const invalid: Array<{ id: string; message: string }> = [];
    for (const id of ids) {
      const result = read.mapped.get(id);
      if (result?.ok) {
        // A product Neuroon would reject fails alone instead of failing its whole batch.
        const checked = validateProduct(result.product);
        if (!checked.ok) {
          invalid.push({
            id,
            message: `invalid document: ${checked.issues.map((i) => `${i.field || "product"}: ${i.message}`).join("; ")}`,
          });
          continue;
        }
        const hash = contentHash(checked.product);
        const row = rows.get(id);
        if (!options.force && row?.status === "synced" && row.content_hash === hash) {
          outcome.skipped++;
          continue;
        }
        upserts.push({ id, product: checked.product, hash });
      } else {
        const row = rows.get(id);
        // Only products Neuroon holds from this plugin (a content hash is kept from the upsert
        // until the delete succeeds) need a DELETE; the rest are just marked. A catalog run's
        // orphan scan removes anything else Neuroon holds.
        if (row?.content_hash) deletes.push(id);
        else skips.push(id);
      }
    }

    for (const { id, message } of invalid) {
      await this.recordFailures([id], rows, new Error(message));
      outcome.failed++;
    }

    const now = new Date();
    if (skips.length) {
      await this.module.updateNeuroonProductSyncs(
        skips.map((id) => ({
          id: rows.get(id)?.id as string,
          status: "skipped" as const,
          attempts: 0,
          last_error: null,
          next_attempt_at: null,
        })),
      );
      outcome.skipped += skips.length;
    }

    for (const batch of chunk(upserts, this.options.batchSize)) {
      try {
        // Upserts are idempotent by externalId, so each call gets its own key (reused by the
        // client's in-call retries). A content-hash key would make Neuroon replay, and skip, the
        // re-publish of an unchanged product within the key's lifetime.
        const response = await this.module.api.syncProducts(
          batch.map((u) => u.product),
          {
            idempotencyKey: `medusa:${randomUUID()}`,
            ...(options.signal ? { signal: options.signal } : {}),
          },
        );
        const itemErrors = new Map((response?.errors ?? []).map((e) => [e.externalId, e.error]));
        const ok = batch.filter((u) => !itemErrors.has(u.id));
        if (ok.length) {
          await this.module.updateNeuroonProductSyncs(
            ok.map((u) => ({
              id: rows.get(u.id)?.id as string,
              status: "synced" as const,
              attempts: 0,
              last_error: null,
              next_attempt_at: null,
              content_hash: u.hash,
              last_synced_at: now,
            })),
          );
        }
        outcome.upserted += ok.length;
        const bad = batch.filter((u) => itemErrors.has(u.id));
        for (const u of bad) {
          await this.recordFailures(
            [u.id],
            rows,
            new Error(`Neuroon rejected the product: ${itemErrors.get(u.id)}`),
          );
        }
        outcome.failed += bad.length;
      } catch (error) {
        await this.recordFailures(
          batch.map((u) => u.id),
          rows,
          error,
        );
        outcome.failed += batch.length;
      }
    }

    for (const id of deletes) {
      try {
        const existed = await this.module.api.deleteProduct(id, options.signal);
        await this.module.updateNeuroonProductSyncs({
          id: rows.get(id)?.id as string,
          status: "deleted",
          attempts: 0,
          last_error: null,
          next_attempt_at: null,
          content_hash: null,
          last_synced_at: now,
        });
        if (existed) outcome.deleted++;
        else outcome.skipped++;
      } catch (error) {
        await this.recordFailures([id], rows, error);
        outcome.failed++;
      }
    }
  }

  private async ensureRows(ids: readonly string[], rows: Map<string, SyncRow>): Promise<void> {
    const missing = ids.filter((id) => !rows.has(id));
    if (missing.length === 0) return;
    try {
      await this.module.createNeuroonProductSyncs(
        missing.map((product_id) => ({ product_id, status: "pending" as const, origin: "sync" })),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    for (const [id, row] of await this.rowsFor(missing)) rows.set(id, row);
  }

  private async recordFailures(
    ids: readonly string[],
    rows: Map<string, SyncRow>,
    error: unknown,
  ): Promise<void> {
    await this.ensureRows(ids, rows);
    const message = errorMessage(error);
    const now = Date.now();
    const updates = ids.map((id) => {
      const row = rows.get(id) as SyncRow;
      const attempts = row.attempts + 1;
      const dead = attempts >= this.options.maxAttempts;
      return {
        id: row.id,
        status: dead ? ("dead" as const) : ("failed" as const),
        attempts,
        last_error: message,
        next_attempt_at: dead ? null : new Date(now + nextAttemptDelayMs(attempts)),
      };
    });
    await this.module.updateNeuroonProductSyncs(updates);
    const retryable = isRetryableError(error);
    this.logger.warn(
      `[neuroon] ${ids.length} product(s) not synced (${retryable ? "will retry" : "check the data or configuration"}): ${message}`,
    );
  }

  /** Products whose change is due: new ones and failed ones whose retry delay has passed. */
  async dueProductIds(limit: number, now = new Date()): Promise<string[]> {
    const rows = (await this.module.listNeuroonProductSyncs(
      {
        status: ["pending", "failed"],
        $or: [{ next_attempt_at: null }, { next_attempt_at: { $lte: now } }],
      },
      { take: limit, order: { next_attempt_at: "ASC" } },
    )) as SyncRow[];
    return rows.map((r) => r.product_id);
  }

  /** Delivers every due product change and conversion; what the retry job runs each minute. */
  async drain(
    options: { limit?: number; now?: Date } = {},
  ): Promise<{ products: SyncOutcome; conversions: number }> {
    const limit = options.limit ?? 1000;
    const products: SyncOutcome = { upserted: 0, deleted: 0, skipped: 0, failed: 0 };
    const due = await this.dueProductIds(limit, options.now);
    for (const part of chunk(due, this.options.batchSize)) {
      const o = await this.processProducts(part);
      products.upserted += o.upserted;
      products.deleted += o.deleted;
      products.skipped += o.skipped;
      products.failed += o.failed;
    }
    const conversions = await this.drainConversions(limit, options.now);
    return { products, conversions };
  }

  /**
   * Walks the whole catalog page by page: upserts published products (all of them with `force`,
   * only changed ones otherwise), deletes unpublished ones, then deletes whatever Neuroon holds
   * that Medusa no longer publishes. Catches every change that emits no event.
   */
  async syncCatalog(kind: "full" | "reconcile"): Promise<{ runId: string; outcome: SyncOutcome }> {
    const run = await this.module.createNeuroonSyncRuns({
      kind,
      status: "running",
      started_at: new Date(),
    });
    const outcome = await this.executeRun(run.id, kind);
    return { runId: run.id, outcome };
  }

  /** Starts a catalog run and returns its id at once; the run finishes in the background. */
  async startCatalogRun(kind: "full" | "reconcile"): Promise<string> {
    const [running] = await this.module.listNeuroonSyncRuns({ status: "running" }, { take: 1 });
    if (running) {
      // A run outlives its process only when that process died: give up on it after a while.
      if (Date.now() - new Date(running.started_at).getTime() < STALE_RUN_MS) return running.id;
      await this.module.updateNeuroonSyncRuns({
        id: running.id,
        status: "failed",
        finished_at: new Date(),
        error: "abandoned: its process stopped before it finished",
      });
    }
    const run = await this.module.createNeuroonSyncRuns({
      kind,
      status: "running",
      started_at: new Date(),
    });
    void this.executeRun(run.id, kind).catch((error) =>
      this.logger.error(`[neuroon] ${kind} sync ${run.id} failed: ${errorMessage(error)}`),
    );
    return run.id;
  }

  private async executeRun(runId: string, kind: "full" | "reconcile"): Promise<SyncOutcome> {
    const outcome: SyncOutcome = { upserted: 0, deleted: 0, skipped: 0, failed: 0 };
    try {
      const published = new Set<string>();
      const take = this.options.batchSize;
      for (let skip = 0; ; skip += take) {
        const records = await this.queryProducts({}, { take, skip });
        if (records.length === 0) break;
        const ids = records.map((r) => r.id);
        const read = await this.mapRecords(records, ids);
        for (const [id, result] of read.mapped) if (result.ok) published.add(id);
        await this.apply(ids, read, { force: kind === "full" }, outcome);
        if (records.length < take) break;
      }
      outcome.deleted += await this.deleteOrphans(published);
      await this.module.updateNeuroonSyncRuns({
        id: runId,
        status: "completed",
        finished_at: new Date(),
        upserted: outcome.upserted,
        deleted: outcome.deleted,
        failed: outcome.failed,
      });
      this.logger.info(
        `[neuroon] ${kind} sync done: ${outcome.upserted} upserted, ${outcome.deleted} deleted, ${outcome.skipped} unchanged, ${outcome.failed} failed`,
      );
      return outcome;
    } catch (error) {
      await this.module.updateNeuroonSyncRuns({
        id: runId,
        status: "failed",
        finished_at: new Date(),
        upserted: outcome.upserted,
        deleted: outcome.deleted,
        failed: outcome.failed,
        error: errorMessage(error),
      });
      throw error;
    }
  }

  /** Deletes products Neuroon holds that are not in `keep` (deleted while the plugin was not listening). */
  private async deleteOrphans(keep: ReadonlySet<string>): Promise<number> {
    const orphans: string[] = [];
    let remoteTotal = 0;
    for await (const externalId of this.module.api.listExternalIds()) {
      remoteTotal++;
      if (!keep.has(externalId)) orphans.push(externalId);
    }
    const ratio = this.options.maxOrphanDeleteRatio;
    if (orphans.length >= SAFETY_VALVE_MIN_DELETES && orphans.length > remoteTotal * ratio) {
      throw new Error(
        `@neuroon/medusa refused to delete ${orphans.length} of the ${remoteTotal} products Neuroon holds ` +
          `(more than maxOrphanDeleteRatio ${ratio}); Medusa listed ${keep.size} sendable products. ` +
          "A wrong regionId/currencyCode (no prices) or salesChannel setting usually causes this. Nothing was deleted. " +
          "If the products really are gone, raise maxOrphanDeleteRatio (up to 1) and resync.",
      );
    }
    let deleted = 0;
    const rows = await this.rowsFor(orphans);
    for (const id of orphans) {
      await this.module.api.deleteProduct(id);
      deleted++;
      const row = rows.get(id);
      if (row)
        await this.module.updateNeuroonProductSyncs({
          id: row.id,
          status: "deleted",
          content_hash: null,
          last_synced_at: new Date(),
          last_error: null,
        });
    }
    return deleted;
  }

  /** Records the order's conversion once (unique order id) and the stock change of its products. */
  async enqueueOrder(orderId: string): Promise<string[]> {
    const order = await this.readOrder(orderId);
    if (!order) return [];
    const payload = buildConversion(order);
    const existing = await this.module.listNeuroonConversions({ order_id: orderId }, { take: 1 });
    if (!existing[0]) {
      try {
        await this.module.createNeuroonConversions({
          order_id: orderId,
          status: payload ? "pending" : "skipped",
          payload: payload as unknown as Record<string, unknown> | null,
          next_attempt_at: payload ? new Date() : null,
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    const productIds = (order.items ?? [])
      .map((i) => i?.product_id)
      .filter((id): id is string => !!id);
    await this.enqueueProducts(productIds, "event:order.placed");
    return productIds;
  }

  private async readOrder(orderId: string): Promise<OrderRecord | undefined> {
    const { data } = await this.query.graph<OrderRecord>({
      entity: "order",
      fields: [
        "id",
        "currency_code",
        "total",
        "metadata",
        "items.product_id",
        "items.quantity",
        "items.total",
      ],
      filters: { id: orderId },
    });
    return data[0];
  }

  /** Sends due conversions; Neuroon dedupes by order id, so a retry after a lost response is safe. */
  async drainConversions(limit = 100, now = new Date()): Promise<number> {
    const rows = await this.module.listNeuroonConversions(
      {
        status: ["pending", "failed"],
        $or: [{ next_attempt_at: null }, { next_attempt_at: { $lte: now } }],
      },
      { take: limit, order: { created_at: "ASC" } },
    );
    let sent = 0;
    for (const row of rows) {
      try {
        await this.module.api.trackConversion(row.payload as never);
        await this.module.updateNeuroonConversions({
          id: row.id,
          status: "sent",
          sent_at: new Date(),
          last_error: null,
          next_attempt_at: null,
          attempts: row.attempts + 1,
        });
        sent++;
      } catch (error) {
        const attempts = row.attempts + 1;
        const dead = attempts >= this.options.maxAttempts;
        await this.module.updateNeuroonConversions({
          id: row.id,
          status: dead ? "dead" : "failed",
          attempts,
          last_error: errorMessage(error),
          next_attempt_at: dead ? null : new Date(Date.now() + nextAttemptDelayMs(attempts)),
        });
        this.logger.warn(
          `[neuroon] conversion for order ${row.order_id} not sent: ${errorMessage(error)}`,
        );
      }
    }
    return sent;
  }
}
