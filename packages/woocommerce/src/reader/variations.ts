import { WooCommerceError } from "../errors.js";
import type { WooCallOptions, WooPage, WooStoreReader } from "../reader.js";
import type { WooVariation } from "../types.js";
import { MAX_PER_PAGE, VARIATION_FIELDS } from "./fields.js";
import type { WooTransport } from "./transport.js";

class UnsupportedGlobalVariations extends Error {}

/** A 404 or 400 on `GET /variations`: the store predates it (WooCommerce < 10.3). */
function isMissingRoute(error: unknown): boolean {
  return (
    WooCommerceError.isWooCommerceError(error) && (error.status === 404 || error.status === 400)
  );
}

/**
 * Reads variations: by parent (`/products/{id}/variations`), or many parents at once through
 * `GET /variations` where the store has it (WooCommerce ≥ 10.3, learnt on first use), falling
 * back to one list per parent where it has not.
 */
export function createVariationReader(
  transport: WooTransport,
): Pick<WooStoreReader, "listVariations" | "globalVariationPages" | "listVariationsOf"> {
  // Whether the store has `GET /variations`; undefined until a call tells.
  let globalVariations: boolean | undefined;

  async function listVariations(
    parentId: number,
    callOptions: WooCallOptions = {},
  ): Promise<WooVariation[]> {
    try {
      return await transport.all<WooVariation>(
        `products/${parentId}/variations`,
        {
          per_page: MAX_PER_PAGE,
          orderby: "id",
          order: "asc",
          _fields: VARIATION_FIELDS.join(","),
        },
        callOptions,
      );
    } catch (error) {
      if (WooCommerceError.isWooCommerceError(error) && error.kind === "not-found") return [];
      throw error;
    }
  }

  async function* globalVariationPages(
    params: Parameters<WooStoreReader["globalVariationPages"]>[0],
    callOptions: WooCallOptions = {},
  ): AsyncGenerator<WooVariation[]> {
    if (globalVariations === false) return;
    const iterator = transport
      .pages<WooVariation>("variations", { per_page: MAX_PER_PAGE, ...params }, callOptions)
      [Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<WooPage<WooVariation>>;
      try {
        next = await iterator.next();
      } catch (error) {
        if (isMissingRoute(error)) {
          globalVariations = false;
          return;
        }
        throw error;
      }
      if (next.done) return;
      globalVariations = true;
      yield next.value.items;
    }
  }

  /** Through `GET /variations?parent=…`; throws when the store has no such route or ignores `parent`. */
  async function byParentsAtOnce(
    parentIds: readonly number[],
    result: Map<number, WooVariation[]>,
    callOptions: WooCallOptions,
  ): Promise<void> {
    for (let start = 0; start < parentIds.length; start += MAX_PER_PAGE) {
      const batch = parentIds.slice(start, start + MAX_PER_PAGE);
      const wanted = new Set(batch);
      const items = await transport.all<WooVariation>(
        "variations",
        {
          parent: batch,
          per_page: MAX_PER_PAGE,
          orderby: "id",
          order: "asc",
          _fields: VARIATION_FIELDS.join(","),
        },
        callOptions,
      );
      // A store that ignores `parent` would hand us every variation: don't trust it.
      if (items.some((v) => v.parent_id === undefined || !wanted.has(v.parent_id))) {
        throw new UnsupportedGlobalVariations();
      }
      for (const variation of items) result.get(variation.parent_id as number)?.push(variation);
    }
  }

  async function listVariationsOf(
    parentIds: readonly number[],
    callOptions: WooCallOptions & { concurrency?: number } = {},
  ): Promise<Map<number, WooVariation[]>> {
    const unique = [...new Set(parentIds)];
    const result = new Map<number, WooVariation[]>(unique.map((id) => [id, []]));
    if (unique.length === 0) return result;
    const signalOnly = callOptions.signal ? { signal: callOptions.signal } : {};
    if (globalVariations !== false) {
      try {
        await byParentsAtOnce(unique, result, signalOnly);
        globalVariations = true;
        return result;
      } catch (error) {
        if (!(error instanceof UnsupportedGlobalVariations || isMissingRoute(error))) throw error;
        globalVariations = false;
        for (const id of unique) result.set(id, []);
      }
    }
    const concurrency = Math.max(1, callOptions.concurrency ?? 4);
    let next = 0;
    const workers = Array.from({ length: Math.min(concurrency, unique.length) }, async () => {
      while (next < unique.length) {
        const id = unique[next++] as number;
        result.set(id, await listVariations(id, signalOnly));
      }
    });
    await Promise.all(workers);
    return result;
  }

  return { listVariations, globalVariationPages, listVariationsOf };
}
