import type { StoredProduct } from "../types.js";
import type { DriftGuard } from "./drift-guard.js";
import { isContentError, isNotFoundError } from "./error-kinds.js";
import { familyKeyOf } from "./plan-batches.js";
import { type DeleteReason, type Outcome, type Run, withSignal } from "./run.js";
import type { StateView } from "./state-view.js";
import type { CatalogSource, SyncApi, SyncEvent } from "./types.js";

// The reconcile walk: products.list() pages hold at most 100 (the client's MAX_LIST_PAGE_SIZE);
// cursor pages are asked for 500 and capped by the server.
const LIST_PAGE_SIZE = 100;
const CURSOR_PAGE_LIMIT = 500;
// Store re-reads during reconcile go in chunks this size (keys per readProducts call).
const CONFIRM_CHUNK_SIZE = 500;

/** What {@link Deleter} works with; the engine's own client, state, store and guard. */
export interface DeleterOptions {
  client: SyncApi;
  state: StateView;
  source: CatalogSource;
  drift: DriftGuard;
  deleteConcurrency: number;
  emit: (event: SyncEvent) => void;
}

/**
 * The engine's deleting part: deletes products from Neuroon (a 404 is "already gone"), walks
 * Neuroon's catalog for the reconcile, and confirms with the store that what looks gone is gone.
 */
export class Deleter {
  readonly #client: SyncApi;
  readonly #state: StateView;
  readonly #source: CatalogSource;
  readonly #drift: DriftGuard;
  readonly #deleteConcurrency: number;
  readonly #emit: (event: SyncEvent) => void;

  constructor(options: DeleterOptions) {
    this.#client = options.client;
    this.#state = options.state;
    this.#source = options.source;
    this.#drift = options.drift;
    this.#deleteConcurrency = options.deleteConcurrency;
    this.#emit = options.emit;
  }

  /** DELETEs products, variants before parents; a 404 counts as done (DELETE is idempotent). */
  async deleteProducts(
    entries: readonly { externalId: string; reason: DeleteReason }[],
    run: Run,
    signal: AbortSignal | undefined,
  ): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    if (entries.length === 0) return outcomes;
    const records = await this.#state.get(entries.map((entry) => entry.externalId));
    const isVariant = (id: string) => records.get(id)?.parentExternalId !== undefined;
    const done: string[] = [];
    const variantsFirst = [
      entries.filter((entry) => isVariant(entry.externalId)),
      entries.filter((entry) => !isVariant(entry.externalId)),
    ];
    for (const group of variantsFirst) {
      await forEachLimit(group, this.#deleteConcurrency, async (entry) => {
        if (run.isHalted) {
          outcomes.set(entry.externalId, { status: "failed", error: run.halted });
          return;
        }
        let alreadyGone = false;
        try {
          run.summary.requests += 1;
          await this.#client.products.delete(entry.externalId, withSignal(signal));
        } catch (error) {
          signal?.throwIfAborted();
          if (!isNotFoundError(error)) {
            run.haltIfSystemic(error);
            outcomes.set(entry.externalId, { status: "failed", error });
            return;
          }
          alreadyGone = true;
        }
        done.push(entry.externalId);
        outcomes.set(entry.externalId, { status: "deleted" });
        run.summary.deleted += 1;
        this.#emit({
          type: "deleted",
          externalId: entry.externalId,
          reason: entry.reason,
          alreadyGone,
          wasSynced: records.has(entry.externalId),
        });
      });
    }
    await this.#state.delete(done);
    await this.#drift.clearDeleted(done, run);
    return outcomes;
  }

  /**
   * Neuroon's catalog: cursor pagination when the server offers it, else page/size. The first
   * page asks `cursor=` (empty), as the vendor's reconcile sample does; a server without cursor
   * support answers a Spring page (no `products`) or an error, and the walk falls back.
   */
  async *walkRemote(run: Run, signal: AbortSignal | undefined): AsyncGenerator<StoredProduct> {
    let isFirstPage = true;
    try {
      const pages = this.#client.products
        .listByCursor({ cursor: "", limit: CURSOR_PAGE_LIMIT, ...withSignal(signal) })
        .pages();
      for await (const page of pages) {
        run.summary.requests += 1;
        if (!Array.isArray(page.products)) throw new TypeError("cursor pages unsupported");
        isFirstPage = false;
        yield* page.products;
      }
      return;
    } catch (error) {
      signal?.throwIfAborted();
      const unsupported =
        isContentError(error) || isNotFoundError(error) || error instanceof TypeError;
      if (!isFirstPage || !unsupported) throw error;
    }
    const pages = this.#client.products
      .list({ size: LIST_PAGE_SIZE, sort: "externalId", ...withSignal(signal) })
      .pages();
    for await (const page of pages) {
      run.summary.requests += 1;
      yield* page.content ?? [];
    }
  }

  /** Of Neuroon's extras, those the store confirms it does not have (re-read by family key). */
  async confirmGone(
    extras: readonly { externalId: string; parentExternalId?: string }[],
    signal: AbortSignal | undefined,
  ): Promise<string[]> {
    if (extras.length === 0) return [];
    const keys = [...new Set(extras.map((extra) => familyKeyOf(extra)))];
    const present = new Set<string>();
    for (let start = 0; start < keys.length; start += CONFIRM_CHUNK_SIZE) {
      const read = await this.#source.readProducts(
        keys.slice(start, start + CONFIRM_CHUNK_SIZE),
        signal,
      );
      for (const product of read.products) present.add(product.externalId);
    }
    return extras.map((extra) => extra.externalId).filter((id) => !present.has(id));
  }
}

async function forEachLimit<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from(
    { length: Math.max(1, Math.min(concurrency, items.length)) },
    async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await worker(item);
      }
    },
  );
  await Promise.all(lanes);
}
