import type { DriftSnapshot } from "../state/types.js";
import type { StoredProduct } from "../types.js";
import { type DriftField, diffDrift, takeDriftSnapshot } from "./drift.js";
import { isNotFoundError } from "./error-kinds.js";
import { type Outcome, type Pending, type Run, withSignal } from "./run.js";
import type { DriftLedger, StateView } from "./state-view.js";
import type { DriftPolicy, SyncApi, SyncCallOptions, SyncEvent } from "./types.js";

/** Without a measured lag, a scan starts this long before the previous one. */
const DEFAULT_CLOCK_SKEW_MS = 60_000;
/** Added to the measured lag: Neuroon indexes 2–5 s after answering. */
const DRIFT_VISIBILITY_MARGIN_MS = 10_000;
/** products.list() pages hold at most 100 (the client's MAX_LIST_PAGE_SIZE). */
const LIST_PAGE_SIZE = 100;

/** What {@link DriftGuard} works with; the engine's own client, state and clock. */
export interface DriftGuardOptions {
  client: SyncApi;
  state: StateView;
  now: () => number;
  policy: DriftPolicy;
  /** `drift.clockSkewMs`; when unset the overlap is measured from Neuroon's `Date` headers. */
  clockSkewMs: number | undefined;
  emit: (event: SyncEvent) => void;
}

/**
 * The engine's drift guard: before a product this engine synced before is overwritten, compares
 * Neuroon's copy with the snapshot last synced and applies the policy (`keep-remote` or
 * `overwrite`), keeping the drift ledger (what was seen drifted, and how far scans reached) in the
 * state store.
 */
export class DriftGuard {
  readonly #client: SyncApi;
  readonly #state: StateView;
  readonly #now: () => number;
  readonly #policy: DriftPolicy;
  readonly #clockSkewMs: number | undefined;
  readonly #emit: (event: SyncEvent) => void;

  constructor(options: DriftGuardOptions) {
    this.#client = options.client;
    this.#state = options.state;
    this.#now = options.now;
    this.#policy = options.policy;
    this.#clockSkewMs = options.clockSkewMs;
    this.#emit = options.emit;
  }

  /**
   * Compares Neuroon's copy of previously synced products with the snapshot they were last
   * synced with, and applies the drift policy. What Neuroon changed comes in bulk from the list
   * endpoint (see {@link DriftGuard.#scanDrift}), never one GET per product.
   */
  async guard(
    pending: Pending[],
    run: Run,
    signal: AbortSignal | undefined,
    outcomes?: Map<string, Outcome>,
  ): Promise<Pending[]> {
    let lowest: number | undefined;
    for (const item of pending) {
      if (item.record?.snapshot === undefined) continue;
      if (lowest === undefined || item.record.syncedAt < lowest) lowest = item.record.syncedAt;
    }
    if (lowest === undefined) return pending;
    const ledger = await this.#loadLedger(run);
    // What an initial load wrote is the baseline (see DriftLedger.baselineUntil): no scan goes
    // back into it, even when the lag measured since has grown and widens a loaded product's
    // window past the ledger's coverage.
    const needed = Math.max(lowest - this.#driftOverlapMs(), ledger?.baselineUntil ?? -Infinity);
    if (!run.driftScanned || (ledger !== undefined && needed < ledger.scannedFrom)) {
      const candidates = pending
        .filter((item) => item.record?.snapshot !== undefined)
        .map((item) => item.product.externalId);
      await this.#scanDrift(needed, run, signal, candidates);
    }
    const drifted = run.ledger?.drifted ?? {};
    const keep: Pending[] = [];
    for (const item of pending) {
      const snapshot = item.record?.snapshot;
      const remote = Object.hasOwn(drifted, item.product.externalId)
        ? drifted[item.product.externalId]
        : undefined;
      // Not a conflict when Neuroon already holds exactly what we are about to send.
      if (
        snapshot === undefined ||
        remote === undefined ||
        diffDrift(takeDriftSnapshot(item.product), remote).length === 0
      ) {
        keep.push(item);
        continue;
      }
      const fields: DriftField[] = diffDrift(snapshot, remote);
      const resolution = this.#policy === "overwrite" ? "overwritten" : "kept-remote";
      if (!run.reportedConflicts.has(item.product.externalId)) {
        run.reportedConflicts.add(item.product.externalId);
        run.summary.conflicts += 1;
        this.#emit({
          type: "conflict",
          externalId: item.product.externalId,
          fields,
          remote,
          lastSynced: snapshot,
          resolution,
        });
      }
      if (resolution === "overwritten") {
        keep.push(item);
        continue;
      }
      // The record keeps the last synced snapshot and the ledger the remote one, so the conflict
      // stands until someone resolves it (make the store match, or sync with "overwrite").
      outcomes?.set(item.product.externalId, { status: "conflict" });
    }
    return keep;
  }

  /**
   * Lists what Neuroon changed since the last scan (`modifiedAfter` = the ledger's watermark less
   * clock skew; on first use, or for a product synced before the ledger's coverage, the oldest
   * last-sync time involved) and records in the ledger every product whose drift fields differ
   * from the snapshot this engine last synced. Costs one list page per 100 products changed in
   * Neuroon since the previous scan, this engine's own writes included.
   *
   * The cheaper plan wins: when the first page shows that paging the rest would take more
   * requests than reading the `candidates` one by one (a few edits after a 100k initial load, or
   * after another writer touched 12,000 products), they are read by id instead. That checks only
   * them and leaves the watermark where it was, so a later large drain still scans.
   */
  async #scanDrift(
    lowestNeeded: number,
    run: Run,
    signal: AbortSignal | undefined,
    candidates: readonly string[],
  ): Promise<void> {
    const ledger = await this.#loadLedger(run);
    let from: number;
    let scannedFrom: number;
    const isIncremental = ledger !== undefined && lowestNeeded >= ledger.scannedFrom;
    if (!isIncremental) {
      from = lowestNeeded;
      scannedFrom = lowestNeeded;
    } else {
      // Never back into an initial load's own writes (see DriftLedger.baselineUntil).
      from = Math.max(ledger.scannedUntil - this.#driftOverlapMs(), ledger.baselineUntil ?? 0);
      scannedFrom = ledger.scannedFrom;
    }
    if (run.crashedInFlight === undefined) {
      const saved = await this.#state.getInFlight(run.phase);
      run.crashedInFlight = new Map(Object.entries(saved ?? {}));
    }
    const scanStartedAt = this.#now();
    const drifted: Record<string, DriftSnapshot> = { ...ledger?.drifted };
    const pages = this.#client.products
      .list({
        size: LIST_PAGE_SIZE,
        modifiedAfter: new Date(Math.max(0, from)).toISOString(),
        ...withSignal(signal),
      })
      .pages()
      [Symbol.asyncIterator]();
    const readOne = this.#client.products.get?.bind(this.#client.products);
    for (let next = await pages.next(); next.done !== true; next = await pages.next()) {
      const page = next.value;
      run.summary.requests += 1;
      const remainingPages = (page.totalPages ?? 0) - (page.page ?? 0) - 1;
      if (
        ledger !== undefined &&
        readOne !== undefined &&
        page.page === 0 &&
        candidates.length < remainingPages
      ) {
        await pages.return?.();
        await this.#checkDriftById(candidates, readOne, drifted, run, signal);
        run.ledger = { ...ledger, drifted };
        run.ledgerDirty = true;
        return;
      }
      await this.#noteRemote(page.content ?? [], drifted, run);
    }
    run.ledger = { scannedFrom, scannedUntil: scanStartedAt, drifted };
    if (ledger?.baselineUntil !== undefined) run.ledger.baselineUntil = ledger.baselineUntil;
    run.ledgerDirty = true;
    run.driftScanned = true;
  }

  /** The by-id plan of {@link DriftGuard.#scanDrift}: one GET per candidate; a 404 is simply not drifted. */
  async #checkDriftById(
    ids: readonly string[],
    readOne: (externalId: string, options?: SyncCallOptions) => Promise<StoredProduct>,
    drifted: Record<string, DriftSnapshot>,
    run: Run,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const found: StoredProduct[] = [];
    for (const id of ids) {
      run.summary.requests += 1;
      try {
        found.push(await readOne(id, withSignal(signal)));
      } catch (error) {
        if (!isNotFoundError(error)) throw error;
      }
    }
    await this.#noteRemote(found, drifted, run);
  }

  /** Records in `drifted` which of these remote products differ from what this engine last synced. */
  async #noteRemote(
    content: readonly StoredProduct[],
    drifted: Record<string, DriftSnapshot>,
    run: Run,
  ): Promise<void> {
    const records = await this.#state.get(content.map((product) => product.externalId));
    for (const product of content) {
      const record = records.get(product.externalId);
      if (record?.snapshot === undefined) continue;
      const remote = takeDriftSnapshot(product);
      // Our own send that crashed before its state write landed is not somebody else's edit.
      const inFlight = run.crashedInFlight?.get(product.externalId);
      const isOurs = inFlight !== undefined && diffDrift(inFlight, remote).length === 0;
      if (!isOurs && diffDrift(record.snapshot, remote).length > 0) {
        drifted[product.externalId] = remote;
        run.ledgerAdded.add(product.externalId);
        run.ledgerCleared.delete(product.externalId);
      } else if (Object.hasOwn(drifted, product.externalId)) {
        delete drifted[product.externalId];
        run.ledgerCleared.add(product.externalId);
      }
    }
  }

  /**
   * How far before a watermark of ours a drift scan starts, so that an edit Neuroon stamped with
   * its own clock is not missed: `drift.clockSkewMs` when configured; else the lag the client
   * measured from Neuroon's `Date` headers plus a visibility margin; else 60 s.
   */
  #driftOverlapMs(): number {
    if (this.#clockSkewMs !== undefined) return this.#clockSkewMs;
    const behindMs = this.#client.serverClock?.behindByMs();
    return behindMs === undefined ? DEFAULT_CLOCK_SKEW_MS : behindMs + DRIFT_VISIBILITY_MARGIN_MS;
  }

  async #loadLedger(run: Run): Promise<DriftLedger | undefined> {
    if (!run.ledgerLoaded) {
      run.ledger = await this.#state.getDriftLedger();
      run.ledgerLoaded = true;
    }
    return run.ledger;
  }

  /** Whether this data directory has no drift ledger yet, i.e. has never confirmed a sync. */
  async isFresh(run: Run): Promise<boolean> {
    return (await this.#loadLedger(run)) === undefined;
  }

  /**
   * At the end of a complete full pass that started on a fresh data directory: that pass wrote
   * every product this engine holds a snapshot of, so it is the baseline, and later scans start
   * from Neuroon's time at its end instead of listing the whole load back (one page per 100
   * products). Neuroon's time is taken as a lower bound (our clock less the tightest bound on how
   * far behind Neuroon's clock is), so an edit made after the pass is never left out; without a
   * `Date` header to bound it, nothing changes and the first scan lists the load as before.
   */
  async noteBaseline(run: Run): Promise<void> {
    const ledger = await this.#loadLedger(run);
    if (ledger === undefined) return;
    const clock = this.#client.serverClock;
    const behindMs = clock?.leastBehindByMs?.() ?? clock?.behindByMs();
    if (behindMs === undefined) return;
    const baselineUntil = this.#now() - behindMs;
    if (ledger.baselineUntil !== undefined && ledger.baselineUntil >= baselineUntil) return;
    ledger.baselineUntil = baselineUntil;
    run.ledgerDirty = true;
  }

  /** After a confirmed sync: the product no longer drifts; coverage starts no later than this run. */
  async noteSynced(ids: readonly string[], run: Run): Promise<void> {
    const ledger = await this.#loadLedger(run);
    if (ledger === undefined) {
      // Everything this run writes is covered by scans from its start on; older records are
      // older than scannedFrom and widen the first scan that involves them.
      const start = run.startedAt - this.#driftOverlapMs();
      run.ledger = { scannedFrom: start, scannedUntil: start, drifted: {} };
      run.ledgerDirty = true;
      return;
    }
    this.#clearDrift(ledger, ids, run);
  }

  #clearDrift(ledger: DriftLedger, ids: readonly string[], run: Run): void {
    for (const id of ids) {
      if (Object.hasOwn(ledger.drifted, id)) {
        delete ledger.drifted[id];
        run.ledgerCleared.add(id);
        run.ledgerAdded.delete(id);
        run.ledgerDirty = true;
      }
    }
  }

  /** Writes this run's ledger, merged with what another run may have written meanwhile. */
  async save(run: Run): Promise<void> {
    if (!run.ledgerDirty || run.ledger === undefined) return;
    const current = await this.#state.getDriftLedger();
    const mine = run.ledger;
    const drifted: Record<string, DriftSnapshot> = { ...current?.drifted };
    for (const id of run.ledgerCleared) delete drifted[id];
    for (const id of run.ledgerAdded) {
      const remote = mine.drifted[id];
      if (remote !== undefined) drifted[id] = remote;
    }
    const merged: DriftLedger = {
      scannedFrom: Math.min(mine.scannedFrom, current?.scannedFrom ?? mine.scannedFrom),
      scannedUntil: Math.max(mine.scannedUntil, current?.scannedUntil ?? mine.scannedUntil),
      drifted,
    };
    const baselineUntil = Math.max(mine.baselineUntil ?? 0, current?.baselineUntil ?? 0);
    if (baselineUntil > 0) merged.baselineUntil = baselineUntil;
    await this.#state.setDriftLedger(merged);
    run.ledgerDirty = false;
  }

  /** After products were deleted: they no longer drift. */
  async clearDeleted(ids: readonly string[], run: Run): Promise<void> {
    const ledger = await this.#loadLedger(run);
    if (ledger !== undefined) this.#clearDrift(ledger, ids, run);
  }
}
