import { prepareBatch } from "../mapping/index.js";
import type { SyncStateRecord } from "../state/types.js";
import type { NeuroonProduct } from "../types.js";
import type { Outcome, Pending, Run } from "./run.js";
import { contentHash } from "./stable-hash.js";
import type { StateView } from "./state-view.js";
import type { PreparedProducts, SyncEvent } from "./types.js";

/** What {@link Planner} works with. */
export interface PlannerOptions {
  state: StateView;
  prepare: (products: readonly NeuroonProduct[]) => PreparedProducts;
  now: () => number;
  emit: (event: SyncEvent) => void;
}

/**
 * The engine's planning part: validates products, records and reports the ones refused locally,
 * holds back variants of a refused parent, and keeps only what changed since the last verdict
 * (content hash), ready for the drift guard and the sender.
 */
export class Planner {
  readonly #state: StateView;
  readonly #prepare: (products: readonly NeuroonProduct[]) => PreparedProducts;
  readonly #now: () => number;
  readonly #emit: (event: SyncEvent) => void;

  constructor(options: PlannerOptions) {
    this.#state = options.state;
    this.#prepare = options.prepare;
    this.#now = options.now;
    this.#emit = options.emit;
  }

  /** Local validation only (the FULL reset sends every valid product, changed or not). */
  prepare(products: readonly NeuroonProduct[]): PreparedProducts {
    return this.#prepare(products);
  }

  /**
   * Validates products and keeps those whose content hash differs from the last verdict. Local
   * rejections are recorded in state and reported, never sent.
   */
  async selectChanged(
    products: readonly NeuroonProduct[],
    run: Run,
    outcomes?: Map<string, Outcome>,
  ): Promise<Pending[]> {
    if (products.length === 0) return [];
    // The same product can come from a feed payload and a re-read; the later copy wins.
    const latest = new Map(products.map((product) => [product.externalId, product]));
    const prepared = this.#prepare(
      latest.size === products.length ? products : [...latest.values()],
    );
    const ids = [
      ...prepared.valid.map((product) => product.externalId),
      ...prepared.rejected.flatMap((rejected) => rejected.externalId ?? []),
    ];
    const records = await this.#state.get(ids);
    holdOrphans(prepared, records);
    await this.recordLocalRejects(prepared, records, run, outcomes, products);
    const selected: Pending[] = [];
    for (const product of prepared.valid) {
      const hash = contentHash(product);
      const record = records.get(product.externalId);
      if (record?.contentHash === hash) {
        run.summary.unchanged += 1;
        outcomes?.set(product.externalId, { status: "unchanged" });
        continue;
      }
      selected.push({ product, hash, record });
    }
    return selected;
  }

  async recordLocalRejects(
    prepared: PreparedProducts,
    records: Map<string, SyncStateRecord>,
    run: Run,
    outcomes?: Map<string, Outcome>,
    originals: readonly NeuroonProduct[] = [],
  ): Promise<void> {
    if (prepared.rejected.length === 0) return;
    const byId = new Map(originals.map((product) => [product.externalId, product]));
    const updates: Parameters<StateView["putRejected"]>[0][number][] = [];
    for (const rejected of prepared.rejected) {
      const reason = describeIssues(rejected.issues);
      if (rejected.externalId === undefined) {
        // Nothing to key state by; report it so the store's data gets fixed.
        run.summary.rejected += 1;
        const where = rejected.index === undefined ? "?" : String(rejected.index);
        this.#emit({
          type: "rejected",
          externalId: `(no externalId, item ${where})`,
          reason,
          by: "local",
        });
        continue;
      }
      const original = byId.get(rejected.externalId);
      const hash = contentHash(original ?? rejected);
      const record = records.get(rejected.externalId);
      outcomes?.set(rejected.externalId, { status: "rejected" });
      if (record?.status === "rejected" && record.contentHash === hash) {
        run.summary.unchanged += 1;
        continue;
      }
      updates.push({
        externalId: rejected.externalId,
        parentExternalId: original?.parentExternalId,
        contentHash: hash,
        reason,
        previous: record,
      });
      run.summary.rejected += 1;
      this.#emit({ type: "rejected", externalId: rejected.externalId, reason, by: "local" });
    }
    await this.#state.putRejected(updates, this.#now());
  }
}

/** The default local validation: the mapping module's `prepareBatch`. */
export function defaultPrepare(products: readonly NeuroonProduct[]): PreparedProducts {
  return prepareBatch(products);
}

/**
 * Moves to `rejected` the variants of a parent refused here that Neuroon does not hold yet: the
 * API silently drops a variant whose parent is neither stored nor earlier in the batch
 * (server-to-server docs, "Variants after the parent"), so sending it would only look like success.
 */
function holdOrphans(prepared: PreparedProducts, records: Map<string, SyncStateRecord>): void {
  const refusedParents = new Set(
    prepared.rejected.flatMap((rejected) => rejected.externalId ?? []),
  );
  if (refusedParents.size === 0) return;
  const valid: NeuroonProduct[] = [];
  for (const product of prepared.valid) {
    const parent = product.parentExternalId;
    if (
      parent !== undefined &&
      refusedParents.has(parent) &&
      records.get(parent)?.snapshot === undefined
    ) {
      prepared.rejected.push({
        externalId: product.externalId,
        issues: [
          {
            field: "parentExternalId",
            message: `parent ${JSON.stringify(parent)} was rejected and is not in Neuroon yet, so the variant would be dropped; fix the parent.`,
          },
        ],
      });
    } else {
      valid.push(product);
    }
  }
  prepared.valid = valid;
}

function describeIssues(issues: readonly unknown[]): string {
  return issues
    .map((issue) => {
      if (typeof issue === "string") return issue;
      if (typeof issue === "object" && issue !== null) {
        const { path, field, message } = issue as {
          path?: unknown;
          field?: unknown;
          message?: unknown;
        };
        const where =
          typeof field === "string"
            ? field
            : Array.isArray(path)
              ? path.join(".")
              : typeof path === "string"
                ? path
                : "";
        if (typeof message === "string") return where === "" ? message : `${where}: ${message}`;
      }
      return JSON.stringify(issue);
    })
    .join(", ");
}
