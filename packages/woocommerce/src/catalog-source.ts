import type { CatalogSource, CategoryLookup, CategoryWarning, NeuroonProduct } from "@neuroon/core";
import { type ConversionFromOrderOptions, createWooConversionResolver } from "./conversions.js";
import { WooCommerceError } from "./errors.js";
import {
  buildWooCategoryLookup,
  isWooProductIndexable,
  mapWooProduct,
  type WooBrandSource,
  type WooMappingContext,
} from "./map-woo-product.js";
import { MAX_PER_PAGE, PRODUCT_FIELDS, type WooStoreReader } from "./reader.js";
import type { WooProduct } from "./types.js";

/** Options of {@link createWooCatalogSource}. */
export interface WooCatalogSourceOptions {
  /** Default `"core"`. */
  brandSource?: WooBrandSource;
  /** Products per store page while streaming, 1..100. Default 100. */
  pageSize?: number;
  /** Variation lists fetched in parallel. Default 4 (stores are PHP; be gentle). */
  variationConcurrency?: number;
  /** Clock for sale schedules, epoch ms. */
  now?: () => number;
  /**
   * A product that cannot be mapped (a garbage price): it is skipped, neither indexed nor
   * reported missing, and reported here. Default: ignored.
   */
  onMappingError?: (productId: number, error: unknown) => void;
  /**
   * Told when the source works around a store problem and syncing goes on (see
   * {@link WooCatalogWarning}); once per episode, not per page. Default: `process.emitWarning`.
   */
  onWarning?: (warning: WooCatalogWarning) => void;
  /**
   * How queued conversions are turned into reports (meta keys, paid statuses): the source's
   * `resolveConversion` reads the order then (see {@link createWooConversionResolver}).
   */
  conversions?: ConversionFromOrderOptions;
}

/** A store problem the catalog source works around; syncing goes on. */
export interface WooCatalogWarning {
  /**
   * `password-check-denied`: the store answered 401/403 to the `edit`-context read that tells
   * password-protected products apart, so they are synced like public ones until it is allowed
   * (asked again after an hour).
   */
  code: "password-check-denied";
  /** What happened and what to change on the store. */
  message: string;
  /** The store's refusal. */
  error: WooCommerceError;
}

// After a refused password check, how long to sync without it before asking again: a blocked
// request per page would only add load, and some security plugins ban IPs that collect 403s.
const PASSWORD_CHECK_RETRY_MS = 60 * 60_000;

const VARIANT_KEY_RE = /^(\d+):(\d+)$/;
const ID_KEY_RE = /^\d+$/;

/**
 * The sync engine's `CatalogSource` for a WooCommerce store. Keys are product ids as strings
 * (`"123"`); a variant key (`"123:456"`) or a bare variation id is resolved to its parent.
 *
 * - `readProducts` re-reads products in `include` batches of 100 plus the variations of the
 *   variable ones; a key comes back `missing` when the product is gone (force-deleted), trashed,
 *   not published, not visible in search or password-protected.
 * - `streamCatalog` pages through the published products by id (bounded memory: one page and
 *   its variations at a time), each page yielding parents followed by their variations.
 * - `resolveConversion` reads the order a queued conversion names and reports it when paid and
 *   attributed to searches (see {@link createWooConversionResolver}).
 *
 * Password protection is only readable in the `edit` context, so both ask for it in one extra
 * request per 100 candidates (`context=edit&_fields=id,post_password`).
 */
export function createWooCatalogSource(
  reader: WooStoreReader,
  options: WooCatalogSourceOptions = {},
): CatalogSource {
  const brandSource = options.brandSource ?? "core";
  const pageSize = options.pageSize ?? MAX_PER_PAGE;
  const concurrency = Math.max(1, options.variationConcurrency ?? 4);
  const now = options.now ?? Date.now;
  const warn =
    options.onWarning ??
    ((warning: WooCatalogWarning) =>
      process.emitWarning(warning.message, {
        type: "NeuroonWooCommerceWarning",
        code: `NEUROON_WOO_${warning.code.toUpperCase().replaceAll("-", "_")}`,
      }));
  // Brands from a meta key need `meta_data`, which is large, so only then is it fetched.
  const fields =
    typeof brandSource === "object" && "meta" in brandSource
      ? [...PRODUCT_FIELDS, "meta_data"]
      : PRODUCT_FIELDS;

  async function context(signal: AbortSignal | undefined, refresh = false) {
    const [tax, categories] = await Promise.all([
      reader.getTaxSettings(signal ? { signal } : {}),
      reader.listCategories({ ...(signal ? { signal } : {}), refresh }),
    ]);
    return { tax, categories: buildWooCategoryLookup(categories) };
  }

  // When the store last refused the password check; undefined while it answers.
  let passwordCheckRefusedAt: number | undefined;

  /**
   * The products with `post_password` filled in for those that would otherwise be indexed, so
   * the mapping leaves protected ones out (and the store is not asked for their variations).
   * Neither the `view` context nor webhook payloads carry it: it costs one more request per 100
   * products. A refusal (401/403) falls back to syncing them as before, with one warning.
   */
  async function withPasswords(
    products: readonly WooProduct[],
    signal: AbortSignal | undefined,
  ): Promise<readonly WooProduct[]> {
    const candidates = products.filter((p) => isWooProductIndexable(p)).map((p) => p.id);
    if (candidates.length === 0) return products;
    if (
      passwordCheckRefusedAt !== undefined &&
      now() - passwordCheckRefusedAt < PASSWORD_CHECK_RETRY_MS
    ) {
      return products;
    }
    let passwords: Map<number, string>;
    try {
      passwords = await reader.getProductPasswords(candidates, signal ? { signal } : {});
    } catch (error) {
      if (!WooCommerceError.isWooCommerceError(error) || error.kind !== "auth") throw error;
      if (passwordCheckRefusedAt === undefined) {
        warn({ code: "password-check-denied", message: refusalMessage(error), error });
      }
      passwordCheckRefusedAt = now();
      return products;
    }
    passwordCheckRefusedAt = undefined;
    return products.map((product) => {
      const password = passwords.get(product.id);
      return password === undefined ? product : { ...product, post_password: password };
    });
  }

  /**
   * Maps products with their variations. A category missing from the cached tree (created since
   * it was loaded) triggers one reload of the tree and a re-map.
   */
  async function mapAll(
    products: readonly WooProduct[],
    signal: AbortSignal | undefined,
  ): Promise<{ mapped: Map<number, NeuroonProduct[]>; failed: Set<number> }> {
    const variable = products.filter((p) => p.type === "variable" && isWooProductIndexable(p));
    const variations = await reader.listVariationsOf(
      variable.map((p) => p.id),
      { ...(signal ? { signal } : {}), concurrency },
    );
    // A grouped product is priced from its children, read in one `include` request per 100.
    const grouped = products.filter((p) => p.type === "grouped" && isWooProductIndexable(p));
    const childIds = [...new Set(grouped.flatMap((p) => p.grouped_products ?? []))];
    const children = new Map(
      (childIds.length > 0
        ? await reader.getProductsByIds(childIds, { ...(signal ? { signal } : {}), fields })
        : []
      ).map((child) => [child.id, child]),
    );
    const childrenOf = (product: WooProduct) =>
      (product.grouped_products ?? []).flatMap((id) => {
        const child = children.get(id);
        return child ? [child] : [];
      });

    let ctx = await context(signal);
    for (let pass = 0; ; pass++) {
      let stale = false;
      const mapped = new Map<number, NeuroonProduct[]>();
      const failed = new Set<number>();
      const mappingContext = (categories: CategoryLookup): WooMappingContext => ({
        tax: ctx.tax,
        categories,
        now: now(),
        brandSource,
        onCategoryWarning: (warning: CategoryWarning) => {
          if (warning.code === "unknown-category") stale = true;
        },
      });
      const mc = mappingContext(ctx.categories);
      for (const product of products) {
        try {
          mapped.set(
            product.id,
            mapWooProduct(product, variations.get(product.id) ?? [], mc, childrenOf(product)),
          );
        } catch (error) {
          failed.add(product.id);
          options.onMappingError?.(product.id, error);
        }
      }
      if (!stale || pass > 0) return { mapped, failed };
      ctx = await context(signal, true);
    }
  }

  return {
    resolveConversion: createWooConversionResolver(reader, options.conversions),

    async readProducts(keys, signal) {
      const ids = new Map<number, string>();
      for (const key of keys) {
        const variant = VARIANT_KEY_RE.exec(key);
        if (variant) ids.set(Number(variant[1]), variant[1] as string);
        else if (ID_KEY_RE.test(key)) ids.set(Number(key), key);
      }
      const products: NeuroonProduct[] = [];
      const missing: string[] = [];
      const found = await reader.getProductsByIds([...ids.keys()], {
        ...(signal ? { signal } : {}),
        fields,
      });
      const foundIds = new Set(found.map((p) => p.id));
      // `include` lists neither trashed products nor variations; look at those one by one.
      const parentsToRead: number[] = [];
      const absent = [...ids].filter(([id]) => !foundIds.has(id));
      let next = 0;
      const lookups = Array.from({ length: Math.min(concurrency, absent.length) }, async () => {
        while (next < absent.length) {
          const [id, key] = absent[next++] as [number, string];
          const single = await reader.getProduct(id, signal ? { signal } : {});
          if (single?.type === "variation" && single.parent_id) {
            if (!ids.has(single.parent_id)) parentsToRead.push(single.parent_id);
          } else {
            missing.push(key);
          }
        }
      });
      await Promise.all(lookups);
      if (parentsToRead.length > 0) {
        const parents = await reader.getProductsByIds(parentsToRead, {
          ...(signal ? { signal } : {}),
          fields,
        });
        for (const parent of parents) {
          if (!ids.has(parent.id)) {
            ids.set(parent.id, String(parent.id));
            found.push(parent);
          }
        }
      }
      const checked = await withPasswords(found, signal);
      const { mapped, failed } = await mapAll(checked, signal);
      for (const product of checked) {
        if (failed.has(product.id)) continue;
        const family = mapped.get(product.id) ?? [];
        if (family.length === 0) missing.push(ids.get(product.id) ?? String(product.id));
        else products.push(...family);
      }
      return { products, missing };
    },

    async *streamCatalog(signal) {
      for await (const page of reader.productPages(
        { status: "publish", perPage: pageSize, fields, orderby: "id", order: "asc" },
        signal ? { signal } : {},
      )) {
        const items = await withPasswords(page.items, signal);
        const { mapped } = await mapAll(items, signal);
        const batch: NeuroonProduct[] = [];
        for (const product of items) batch.push(...(mapped.get(product.id) ?? []));
        if (batch.length > 0) yield batch;
      }
    },
  };
}

function refusalMessage(error: WooCommerceError): string {
  const answer = `${error.status} ${error.code}${error.storeMessage ? ` (${error.storeMessage})` : ""}`;
  return (
    `WooCommerce refused the request that finds password-protected products ` +
    `(${error.request}?context=edit&_fields=id,post_password): ${answer}. Until it is allowed, ` +
    "password-protected products are synced to Neuroon like public ones. WooCommerce itself " +
    "allows context=edit to any key whose user can read products, so a security plugin or a " +
    "permission filter on the store is blocking it: use a Read/Write REST API key of an " +
    "administrator or shop manager (WOOCOMMERCE_CONSUMER_KEY, WOOCOMMERCE_CONSUMER_SECRET), or " +
    "let that user read context=edit. Asked again in an hour."
  );
}
