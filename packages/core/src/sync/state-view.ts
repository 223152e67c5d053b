import type { DriftSnapshot, SyncStateRecord, SyncStateStore } from "../state/types.js";

// Meta key of a parent's variant list. The state store keys records by externalId only, so the
// engine keeps, per parent with variants, the variant ids Neuroon holds: when a re-read parent
// comes back without one of them, that variant is deleted.
const FAMILY_META_PREFIX = "sync:variants:";
// Meta key holding the drift snapshots of the sync request in flight, per phase: written before
// the request, cleared after its confirmation is recorded. If the process dies in between,
// Neuroon may hold that content without the state knowing; the next drift check must not take
// it for a dashboard edit.
const IN_FLIGHT_META_PREFIX = "sync:in-flight:";
const DRIFT_LEDGER_META_KEY = "sync:drift-ledger";

/**
 * What the engine knows about edits made in Neuroon: every remote change from `scannedFrom` to
 * `scannedUntil` (epoch ms, this engine's clock) has been compared with the last synced
 * snapshots, and `drifted` holds Neuroon's values of the products that differ.
 */
export interface DriftLedger {
  scannedFrom: number;
  scannedUntil: number;
  drifted: Record<string, DriftSnapshot>;
  /**
   * Set by the initial full pass of a data directory that had synced nothing before (epoch ms,
   * Neuroon's clock, a lower bound of its time when the pass ended): every product this engine
   * has a snapshot of was written by that pass, which is the baseline the drift guard protects
   * from then on, as it is for whatever the pass overwrote. Scans never start before it, so the
   * first drift check after a 100,000-product load does not list the load back.
   */
  baselineUntil?: number;
}
const CLEAR_BATCH_SIZE = 1_000;

/** A store that can answer "which variants does this parent have" itself (an optional fast path). */
interface VariantLookup {
  variantsOf(parentExternalIds: readonly string[]): Promise<string[]>;
}

function hasVariantLookup(store: SyncStateStore): store is SyncStateStore & VariantLookup {
  return typeof (store as Partial<VariantLookup>).variantsOf === "function";
}

/** The engine's view of the state store: records plus the parent → variants index. */
export class StateView {
  readonly #store: SyncStateStore;

  constructor(store: SyncStateStore) {
    this.#store = store;
  }

  get shopId(): string {
    return this.#store.shopId;
  }

  get(externalIds: readonly string[]): Promise<Map<string, SyncStateRecord>> {
    return externalIds.length === 0 ? Promise.resolve(new Map()) : this.#store.get(externalIds);
  }

  /** Records Neuroon's confirmation of these products. */
  async putSynced(
    items: readonly {
      externalId: string;
      parentExternalId?: string | undefined;
      contentHash: string;
      snapshot: DriftSnapshot;
    }[],
    syncedAt: number,
  ): Promise<void> {
    if (items.length === 0) return;
    await this.#store.put(
      items.map((item) => {
        const record: SyncStateRecord = {
          externalId: item.externalId,
          contentHash: item.contentHash,
          snapshot: item.snapshot,
          syncedAt,
          status: "synced",
        };
        if (item.parentExternalId !== undefined) record.parentExternalId = item.parentExternalId;
        return record;
      }),
    );
    await this.#addToFamilies(items);
  }

  /**
   * Records, before a batch is sent, the variants this store has never recorded, so that a process
   * killed after Neuroon stored them but before {@link putSynced} still knows they exist: when the
   * store later drops them from their parent, they are deleted instead of left orphaned in Neuroon.
   * The empty hash and `failed` status make the next pass send them again.
   */
  async putSending(
    items: readonly { externalId: string; parentExternalId: string }[],
    now: number,
  ): Promise<void> {
    if (items.length === 0) return;
    await this.#store.put(
      items.map(({ externalId, parentExternalId }) => ({
        externalId,
        parentExternalId,
        contentHash: "",
        syncedAt: now,
        status: "failed",
        reason: "Sent to Neuroon; the answer was not recorded (the process stopped).",
      })),
    );
    await this.#addToFamilies(items);
  }

  async #addToFamilies(
    items: readonly { externalId: string; parentExternalId?: string | undefined }[],
  ): Promise<void> {
    if (hasVariantLookup(this.#store)) return;
    const byParent = new Map<string, string[]>();
    for (const item of items) {
      if (item.parentExternalId === undefined) continue;
      const variants = byParent.get(item.parentExternalId);
      if (variants === undefined) byParent.set(item.parentExternalId, [item.externalId]);
      else variants.push(item.externalId);
    }
    for (const [parent, variants] of byParent) {
      const known = await this.#knownVariants(parent);
      const merged = [...new Set([...known, ...variants])];
      if (merged.length !== known.length) {
        await this.#store.setMeta(FAMILY_META_PREFIX + parent, merged);
      }
    }
  }

  /**
   * Records a refusal. The last confirmed snapshot and its time stay, so a later drift check
   * still compares Neuroon's copy with what this engine really sent.
   */
  async putRejected(
    items: readonly {
      externalId: string;
      parentExternalId?: string | undefined;
      contentHash: string;
      reason: string;
      previous: SyncStateRecord | undefined;
    }[],
    now: number,
  ): Promise<void> {
    if (items.length === 0) return;
    await this.#store.put(
      items.map(({ externalId, parentExternalId, contentHash, reason, previous }) => {
        const record: SyncStateRecord = {
          externalId,
          contentHash,
          syncedAt: previous?.snapshot === undefined ? now : previous.syncedAt,
          status: "rejected",
          reason,
        };
        const parent = parentExternalId ?? previous?.parentExternalId;
        if (parent !== undefined) record.parentExternalId = parent;
        if (previous?.snapshot !== undefined) record.snapshot = previous.snapshot;
        return record;
      }),
    );
  }

  /** Forgets deleted products, and the variant lists of deleted parents. */
  async delete(externalIds: readonly string[]): Promise<void> {
    if (externalIds.length === 0) return;
    const records = await this.#store.get(externalIds);
    await this.#store.delete(externalIds);
    if (hasVariantLookup(this.#store)) return;
    const removedByParent = new Map<string, Set<string>>();
    for (const id of externalIds) {
      // A read is cheaper than a write transaction; most deleted products have no variants.
      if ((await this.#knownVariants(id)).length > 0) {
        await this.#store.setMeta(FAMILY_META_PREFIX + id, undefined);
      }
      const parent = records.get(id)?.parentExternalId;
      if (parent === undefined) continue;
      const removed = removedByParent.get(parent) ?? new Set<string>();
      removed.add(id);
      removedByParent.set(parent, removed);
    }
    for (const [parent, removed] of removedByParent) {
      const known = await this.#knownVariants(parent);
      if (known.length === 0) continue;
      const rest = known.filter((id) => !removed.has(id));
      await this.#store.setMeta(FAMILY_META_PREFIX + parent, rest.length > 0 ? rest : undefined);
    }
  }

  /** externalIds of the variants recorded for these parents. */
  async variantsOf(parentExternalIds: readonly string[]): Promise<string[]> {
    if (parentExternalIds.length === 0) return [];
    if (hasVariantLookup(this.#store)) return this.#store.variantsOf(parentExternalIds);
    const variants: string[] = [];
    for (const parent of new Set(parentExternalIds))
      variants.push(...(await this.#knownVariants(parent)));
    return variants;
  }

  /** Forgets every product (before a FULL reset). */
  async clear(): Promise<void> {
    let batch: string[] = [];
    for await (const id of this.#store.iterateIds({ batchSize: CLEAR_BATCH_SIZE })) {
      batch.push(id);
      if (batch.length >= CLEAR_BATCH_SIZE) {
        await this.delete(batch);
        batch = [];
      }
    }
    await this.delete(batch);
  }

  getDriftLedger(): Promise<DriftLedger | undefined> {
    return this.#store.getMeta<DriftLedger>(DRIFT_LEDGER_META_KEY);
  }

  setDriftLedger(ledger: DriftLedger | undefined): Promise<void> {
    return this.#store.setMeta(DRIFT_LEDGER_META_KEY, ledger);
  }

  getInFlight(phase: string): Promise<Record<string, DriftSnapshot> | undefined> {
    return this.#store.getMeta<Record<string, DriftSnapshot>>(IN_FLIGHT_META_PREFIX + phase);
  }

  setInFlight(phase: string, snapshots: Record<string, DriftSnapshot> | undefined): Promise<void> {
    return this.#store.setMeta(IN_FLIGHT_META_PREFIX + phase, snapshots);
  }

  async #knownVariants(parent: string): Promise<string[]> {
    const value = await this.#store.getMeta<unknown>(FAMILY_META_PREFIX + parent);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === "string") : [];
  }
}
