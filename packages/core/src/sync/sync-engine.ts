import { randomUUID } from "node:crypto";
import { prepareBatch } from "../mapping/index.js";
import type { ChangeKind, ChangeQueue, QueuedChange } from "../queue/types.js";
import { backoffDelayMs, sleep } from "../retry.js";
import type { DriftSnapshot, SyncStateRecord } from "../state/types.js";
import type { NeuroonProduct, StoredProduct, SyncType, TrackConversionRequest } from "../types.js";
import { type CoalesceOptions, resolveCoalesceOptions } from "./coalesce.js";
import { type DriftField, diffDrift, takeDriftSnapshot } from "./drift.js";
import {
  describeError,
  isAuthError,
  isContentError,
  isNotFoundError,
  isRetryableError,
  retryAfterMsOf,
} from "./error-kinds.js";
import { ResetConfirmationError, SafetyValveError, SyncIncompleteError } from "./errors.js";
import { keepLeases } from "./lease-keeper.js";
import { assertBatchSize, familyKeyOf, groupFamilies, planBatches } from "./plan-batches.js";
import { contentHash } from "./stable-hash.js";
import { type DriftLedger, StateView } from "./state-view.js";
import { emptySummary } from "./summary.js";
import type {
  CatalogSource,
  DriftPolicy,
  PreparedProducts,
  SyncApi,
  SyncCallOptions,
  SyncEngineOptions,
  SyncEvent,
  SyncPhase,
  SyncSummary,
} from "./types.js";
import { runWorkerLoop } from "./worker-loop.js";

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_MAX_DELETE_RATIO = 0.1;
const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_BASE_DELAY_MS = 1_000;
const DEFAULT_MAX_DELAY_MS = 300_000;
const DEFAULT_LEASE_MS = 300_000;
/** Drift-scan overlap when Neuroon's clock is unknown (no `Date` header seen yet). */
const DEFAULT_CLOCK_SKEW_MS = 60_000;
/**
 * Added to the measured clock lag: Neuroon indexes eventually, 2–5 s after the 200 (contract
 * §2.1), so an edit stamped just before a scan may only be listed by the next one.
 */
const DRIFT_VISIBILITY_MARGIN_MS = 10_000;
const DEFAULT_DELETE_CONCURRENCY = 4;
const DEFAULT_IDLE_MS = 1_000;
// products.list() pages hold at most 100 (the client's MAX_LIST_PAGE_SIZE); cursor pages are
// asked for 500 and capped by the server.
const LIST_PAGE_SIZE = 100;
const CURSOR_PAGE_LIMIT = 500;
// Store re-reads during reconcile go in chunks this size (keys per readProducts call).
const CONFIRM_CHUNK_SIZE = 500;

/** One product on its way to Neuroon, with the hash it will be recorded under. */
interface Pending {
  product: NeuroonProduct;
  hash: string;
  record: SyncStateRecord | undefined;
}

type Outcome =
  | { status: "synced" | "unchanged" | "rejected" | "conflict" | "deleted" }
  | { status: "failed"; error: unknown };

/** Counters and per-run caches of one `drain`/`fullSync`/`reconcile`/`resetCatalog` call. */
class Run {
  readonly summary: SyncSummary = emptySummary();
  /** Set when Neuroon is unreachable or refuses our credentials: stop sending, retry later. */
  halted: unknown;
  /**
   * Claimed changes of the current claim already acked, failed or dead-lettered. Keyed by the
   * claimed object, not the id: a change failed with no delay can be claimed again in this run.
   */
  readonly settled = new Set<QueuedChange>();
  readonly reportedConflicts = new Set<string>();
  /** The persisted drift ledger as this run sees it (see {@link SyncEngine.#scanDrift}). */
  ledger: DriftLedger | undefined;
  ledgerLoaded = false;
  ledgerDirty = false;
  driftScanned = false;
  readonly ledgerAdded = new Set<string>();
  readonly ledgerCleared = new Set<string>();
  /** Requests of one FULL reset share this `X-Idempotency-Key` prefix: one run server-side. */
  fullRunKey: string | undefined;
  fullRunBatches = 0;
  /** Drift snapshots of the batch a previous run of this phase sent but may not have recorded. */
  crashedInFlight: Map<string, DriftSnapshot> | undefined;

  readonly phase: SyncPhase;
  readonly startedAt: number;

  constructor(phase: SyncPhase, startedAt: number) {
    this.phase = phase;
    this.startedAt = startedAt;
  }

  get isHalted(): boolean {
    return this.halted !== undefined;
  }
}

/**
 * Turns store changes and catalogs into the right Neuroon calls: incremental upserts in batches
 * of at most 500 with families kept together, content hashes so nothing unchanged is resent,
 * drift protection against dashboard edits, explicit deletes, and a guarded reconcile. Delivery
 * is at least once; state is written only after Neuroon confirmed.
 */
export class SyncEngine {
  readonly #client: SyncApi;
  readonly #queue: ChangeQueue;
  readonly #state: StateView;
  readonly #source: CatalogSource;
  readonly #shopId: string;
  readonly #batchSize: number;
  readonly #driftPolicy: DriftPolicy;
  /** The configured overlap; when unset, it is measured (see {@link #driftOverlapMs}). */
  readonly #clockSkewMs: number | undefined;
  readonly #maxDeleteRatio: number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #claimLimit: number;
  readonly #leaseMs: number;
  readonly #deleteConcurrency: number;
  readonly #prepare: (products: readonly NeuroonProduct[]) => PreparedProducts;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  readonly #onEvent: ((event: SyncEvent) => void) | undefined;

  constructor(options: SyncEngineOptions) {
    this.#client = options.client;
    this.#queue = options.queue;
    this.#state = new StateView(options.state);
    this.#source = options.source;
    if (options.shopId !== undefined && options.shopId !== options.state.shopId) {
      throw new TypeError(
        `SyncEngine options.shopId (${JSON.stringify(options.shopId)}) differs from state.shopId ` +
          `(${JSON.stringify(options.state.shopId)}); pass the state store of the same shop.`,
      );
    }
    this.#shopId = options.state.shopId;
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    assertBatchSize(this.#batchSize);
    this.#driftPolicy = options.drift?.policy ?? "keep-remote";
    this.#clockSkewMs = options.drift?.clockSkewMs;
    this.#maxDeleteRatio = options.reconcile?.maxDeleteRatio ?? DEFAULT_MAX_DELETE_RATIO;
    if (!(this.#maxDeleteRatio >= 0 && this.#maxDeleteRatio <= 1)) {
      throw new RangeError(
        `reconcile.maxDeleteRatio must be from 0 to 1; received ${String(this.#maxDeleteRatio)}.`,
      );
    }
    this.#maxAttempts = options.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.#baseDelayMs = options.retry?.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.#maxDelayMs = options.retry?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    this.#claimLimit = options.claim?.limit ?? this.#batchSize * 2;
    this.#leaseMs = options.claim?.leaseMs ?? DEFAULT_LEASE_MS;
    this.#deleteConcurrency = options.deleteConcurrency ?? DEFAULT_DELETE_CONCURRENCY;
    this.#prepare = options.prepare ?? defaultPrepare;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? sleep;
    this.#onEvent = options.onEvent;
  }

  /**
   * Works the queue until it has nothing ready: claims changes (already coalesced by key),
   * re-reads products from the store (or takes a feed's full product payload), sends what
   * changed as INCREMENTAL batches, deletes what the store dropped, tracks conversions, and acks.
   * Retryable failures put changes back with backoff; when Neuroon is down the drain stops early.
   * Throws on 401/403 after putting the changes back. Whatever else throws (the drift scan's list
   * request, the state store…), the changes it claimed are put back with backoff before the error
   * propagates; when `signal` aborts, those not yet processed are put back ready at once.
   * `kinds` limits the drain to those kinds of change (e.g. only conversions); `maxChanges` stops
   * it after claiming that many, so changes that keep arriving during a long burst wait for the
   * worker's next coalescing window instead of being drained one small batch at a time.
   */
  async drain(
    options: { signal?: AbortSignal; kinds?: readonly ChangeKind[]; maxChanges?: number } = {},
  ): Promise<SyncSummary> {
    const { signal, kinds } = options;
    const maxChanges = options.maxChanges ?? Number.POSITIVE_INFINITY;
    const run = this.#startRun("drain");
    while (!signal?.aborted && !run.isHalted && run.summary.changes < maxChanges) {
      const changes = await this.#queue.claim({
        limit: Math.max(1, Math.min(this.#claimLimit, maxChanges - run.summary.changes)),
        leaseMs: this.#leaseMs,
        ...(kinds !== undefined ? { kinds } : {}),
      });
      if (changes.length === 0) break;
      run.summary.changes += changes.length;
      // A claimed change left neither acked nor failed stays leased until leaseMs runs out
      // (5 minutes by default), so even a throwing run must hand back what it has not settled.
      let failure: { error: unknown } | undefined;
      // Renewed while this claim is worked on, so a claim outliving its lease is not re-claimed.
      const leases = keepLeases(this.#queue, changes, this.#leaseMs, (error) =>
        this.#emit({ type: "error", phase: "drain", error }),
      );
      try {
        signal?.throwIfAborted();
        await this.#processChanges(changes, run, signal);
      } catch (error) {
        failure = { error };
        throw error;
      } finally {
        await leases.stop();
        await this.#handBack(changes, run, failure, signal);
      }
      this.#emit({ type: "progress", phase: "drain", done: run.summary.changes });
    }
    return await this.#finish(run, isAuthError(run.halted));
  }

  /**
   * Calls {@link drain} until `signal` aborts, sleeping `idleMs` whenever the queue is empty or
   * Neuroon is unavailable. Before each drain it waits for the coalescing window (see
   * {@link waitForCoalescedBatch}): until the queue's pending count has not grown for
   * `coalesce.quietMs` (default 1 s) or `coalesce.maxWaitMs` (default 10 s) has passed since it
   * first saw pending work, so a burst goes out in few full batches; `quietMs: 0` drains at once.
   * Conversions are not held back: while the window is open they are delivered on every look at
   * the queue. A drain that throws is reported as an `error` event and the worker backs off
   * (2 s doubling up to 60 s with the default `idleMs`). Returns the totals of every drain. On
   * abort, the drain in progress hands its unprocessed changes back to the queue at once instead
   * of leaving them leased. This is {@link runWorkerLoop} over this engine's queue and drain.
   */
  async runWorker(options: {
    signal: AbortSignal;
    idleMs?: number;
    coalesce?: CoalesceOptions;
  }): Promise<SyncSummary> {
    return await runWorkerLoop({
      queue: this.#queue,
      drain: (request) => this.drain(request),
      signal: options.signal,
      idleMs: options.idleMs ?? DEFAULT_IDLE_MS,
      coalesce: resolveCoalesceOptions(options.coalesce),
      now: this.#now,
      sleep: this.#sleep,
      random: this.#random,
      onError: (error) => this.#emit({ type: "error", phase: "drain", error }),
    });
  }

  /**
   * One pass over the whole catalog, streamed page by page: sends only products whose content
   * hash differs from the last confirmed sync, as INCREMENTAL batches. Safe to kill and rerun:
   * what already went out is recorded and skipped. Does not delete; see {@link reconcile}.
   * Throws {@link SyncIncompleteError} when Neuroon failed before the pass finished.
   */
  async fullSync(options: { signal?: AbortSignal } = {}): Promise<SyncSummary> {
    const { signal } = options;
    const run = this.#startRun("full-sync");
    let carry: Pending[] = [];
    let done = 0;
    for await (const page of this.#source.streamCatalog(signal)) {
      signal?.throwIfAborted();
      carry.push(...(await this.#selectChanged(page, run)));
      done += page.length;
      this.#emit({ type: "progress", phase: "full-sync", done });
      if (carry.length >= this.#batchSize) carry = await this.#flush(carry, false, run, signal);
      if (run.isHalted) break;
    }
    if (!run.isHalted && carry.length > 0) await this.#flush(carry, true, run, signal);
    return await this.#finish(run, true);
  }

  /**
   * Deletes from Neuroon what the store no longer has: streams the store's catalog, walks
   * Neuroon's (cursor pagination, falling back to page/size), re-reads the leftovers from the
   * store to rule out products created meanwhile, then deletes them. Refuses with
   * {@link SafetyValveError} to delete more than `reconcile.maxDeleteRatio` of Neuroon's catalog
   * unless `force` is true.
   */
  async reconcile(options: { force?: boolean; signal?: AbortSignal } = {}): Promise<SyncSummary> {
    const { signal } = options;
    const force = options.force === true;
    const run = this.#startRun("reconcile");
    const local = new Set<string>();
    for await (const page of this.#source.streamCatalog(signal)) {
      for (const product of page) local.add(product.externalId);
      this.#emit({ type: "progress", phase: "reconcile", done: local.size });
    }
    const extras: { externalId: string; parentExternalId?: string }[] = [];
    let remoteTotal = 0;
    for await (const product of this.#walkRemote(run, signal)) {
      remoteTotal += 1;
      if (!local.has(product.externalId)) {
        extras.push(
          product.parentExternalId === undefined || product.parentExternalId === null
            ? { externalId: product.externalId }
            : { externalId: product.externalId, parentExternalId: product.parentExternalId },
        );
      }
    }
    const gone = await this.#confirmGone(extras, signal);
    if (!force && gone.length > this.#maxDeleteRatio * remoteTotal) {
      throw new SafetyValveError({
        wouldDelete: gone.length,
        remoteTotal,
        sourceTotal: local.size,
        maxDeleteRatio: this.#maxDeleteRatio,
      });
    }
    const outcomes = await this.#deleteProducts(
      gone.map((externalId) => ({ externalId, reason: "reconcile" as const })),
      run,
      signal,
    );
    for (const outcome of outcomes.values()) {
      if (outcome.status === "failed") run.summary.failed += 1;
    }
    return await this.#finish(run, true);
  }

  /**
   * Replaces the shop's whole catalog in Neuroon with a FULL sync of the store's catalog. The
   * only path that sends FULL: a person must confirm by passing the shop id as `confirm`.
   */
  async resetCatalog(options: { confirm: string; signal?: AbortSignal }): Promise<SyncSummary> {
    if (options.confirm !== this.#shopId) {
      throw new ResetConfirmationError(this.#shopId, options.confirm);
    }
    const { signal } = options;
    const run = this.#startRun("reset");
    // The emulator (and, per contract §7, plausibly Neuroon) treats FULL requests whose
    // idempotency keys share the prefix before the last ":" as one run: only the first wipes.
    run.fullRunKey = `full-reset-${this.#shopId}-${run.startedAt.toString(36)}`;
    await this.#state.clear();
    await this.#state.setDriftLedger(undefined);
    let carry: Pending[] = [];
    let done = 0;
    for await (const page of this.#source.streamCatalog(signal)) {
      signal?.throwIfAborted();
      const prepared = this.#prepare(page);
      await this.#recordLocalRejects(prepared, new Map(), run, undefined, page);
      for (const product of prepared.valid) {
        carry.push({ product, hash: contentHash(product), record: undefined });
      }
      done += page.length;
      this.#emit({ type: "progress", phase: "reset", done });
      if (carry.length >= this.#batchSize) {
        carry = await this.#sendPlanned(carry, false, "FULL", run, signal);
      }
      if (run.isHalted) break;
    }
    if (!run.isHalted && carry.length > 0)
      await this.#sendPlanned(carry, true, "FULL", run, signal);
    return await this.#finish(run, true);
  }

  // ---------------------------------------------------------------------------------------------
  // Queue processing

  async #processChanges(
    changes: readonly QueuedChange[],
    run: Run,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const conversions = changes.filter((change) => change.kind === "conversion");
    const deletes = changes.filter((change) => change.kind === "delete");
    const products = changes.filter((change) => change.kind === "product");
    if (products.length > 0 || deletes.length > 0) {
      await this.#processCatalogChanges(products, deletes, run, signal);
    }
    for (const change of conversions) await this.#processConversion(change, run, signal);
  }

  async #processCatalogChanges(
    productChanges: readonly QueuedChange[],
    deleteChanges: readonly QueuedChange[],
    run: Run,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    // Which change answers for which product id (its key, or its family key).
    const owners = new Map<string, QueuedChange[]>();
    const own = (id: string, change: QueuedChange) => {
      const list = owners.get(id);
      if (list === undefined) owners.set(id, [change]);
      else if (!list.includes(change)) list.push(change);
    };
    const changeOutcomes = new Map<QueuedChange, unknown>();
    // A change is done only when every product it answers for is: the first failure sticks.
    const settle = (change: QueuedChange, error?: unknown) => {
      if (changeOutcomes.get(change) !== undefined) return;
      changeOutcomes.set(change, error);
    };

    const fromPayload: NeuroonProduct[] = [];
    const toRead: QueuedChange[] = [];
    for (const change of productChanges) {
      if (isFullProduct(change.payload)) fromPayload.push(change.payload);
      else toRead.push(change);
    }
    const readKeys = [...new Set(toRead.map((change) => change.key))];
    let read: { products: NeuroonProduct[]; missing: string[] } = { products: [], missing: [] };
    let readable = [...productChanges];
    if (readKeys.length > 0) {
      try {
        read = await this.#source.readProducts(readKeys, signal);
      } catch (error) {
        signal?.throwIfAborted();
        // The store is unreachable: nothing about these keys is known, so retry them later.
        for (const change of toRead) await this.#failChange(change, error, run);
        readable = readable.filter((change) => !toRead.includes(change));
        read = { products: [], missing: [] };
      }
    }
    for (const change of readable) own(change.key, change);
    for (const change of deleteChanges) own(change.key, change);

    // Deletions: explicit deletes, keys the store no longer has, variants gone from their parent.
    const missing = new Set(read.missing);
    const deleteKeys = [...new Set([...deleteChanges.map((change) => change.key), ...missing])];
    const presentKeys = readKeys.filter((key) => !missing.has(key) && owners.has(key));
    const returned = new Set(read.products.map((product) => product.externalId));
    const [variantsOfDeleted, variantsOfPresent] = await Promise.all([
      this.#state.variantsOf(deleteKeys),
      this.#state.variantsOf(presentKeys),
    ]);
    const variantRecords = await this.#state.get([...variantsOfDeleted, ...variantsOfPresent]);
    const deletions: { externalId: string; reason: DeleteReason }[] = [];
    for (const id of variantsOfDeleted) {
      deletions.push({ externalId: id, reason: "store-deleted" });
      const parent = variantRecords.get(id)?.parentExternalId;
      for (const change of owners.get(parent ?? "") ?? []) own(id, change);
    }
    for (const id of variantsOfPresent) {
      if (returned.has(id)) continue;
      deletions.push({ externalId: id, reason: "variant-removed" });
      const parent = variantRecords.get(id)?.parentExternalId;
      for (const change of owners.get(parent ?? "") ?? []) own(id, change);
    }
    for (const key of deleteKeys) deletions.push({ externalId: key, reason: "store-deleted" });

    const outcomes = new Map<string, Outcome>();
    const deleted = await this.#deleteProducts(dedupeById(deletions), run, signal);
    for (const [id, outcome] of deleted) outcomes.set(id, outcome);

    // Upserts. A change re-read from the store owns the products the store returned for it.
    const upserts = [...fromPayload, ...read.products];
    for (const product of upserts) {
      for (const change of owners.get(product.externalId) ?? []) own(product.externalId, change);
      const family = familyKeyOf(product);
      if (family !== product.externalId) {
        for (const change of owners.get(family) ?? []) own(product.externalId, change);
      }
    }
    const selected = await this.#selectChanged(upserts, run, outcomes);
    const sendable = await this.#guardDrift(selected, run, signal, outcomes);
    await this.#sendPlanned(sendable, true, "INCREMENTAL", run, signal, outcomes);

    for (const [id, outcome] of outcomes) {
      for (const change of owners.get(id) ?? []) {
        settle(change, outcome.status === "failed" ? outcome.error : undefined);
      }
    }
    const acks: QueuedChange[] = [];
    for (const change of [...readable, ...deleteChanges]) {
      const error = changeOutcomes.get(change);
      if (error === undefined) acks.push(change);
      else await this.#failChange(change, error, run);
    }
    await this.#ack(acks, run);
  }

  async #processConversion(
    change: QueuedChange,
    run: Run,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const request = change.payload;
    if (!isConversionRequest(request)) {
      await this.#deadLetter(
        change,
        `A conversion change needs a TrackConversionRequest payload ({ orderId, orderValue, currency, conversions[] }); received ${truncateJson(request)}.`,
        run,
      );
      return;
    }
    if (run.isHalted) {
      await this.#failChange(change, run.halted, run);
      return;
    }
    try {
      run.summary.requests += 1;
      await this.#client.conversions.track(request, withSignal(signal));
    } catch (error) {
      signal?.throwIfAborted();
      if (isContentError(error)) {
        await this.#deadLetter(change, describeError(error), run);
        return;
      }
      this.#haltIfSystemic(error, run);
      await this.#failChange(change, error, run);
      return;
    }
    run.summary.conversions += 1;
    this.#emit({ type: "conversion", orderId: request.orderId });
    await this.#ack([change], run);
  }

  // ---------------------------------------------------------------------------------------------
  // Change detection, drift, sending

  /**
   * Validates products and keeps those whose content hash differs from the last verdict. Local
   * rejections are recorded in state and reported, never sent.
   */
  async #selectChanged(
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
    await this.#recordLocalRejects(prepared, records, run, outcomes, products);
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

  async #recordLocalRejects(
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

  /**
   * Compares Neuroon's copy of previously synced products with the snapshot they were last
   * synced with, and applies the drift policy. What Neuroon changed comes in bulk from the list
   * endpoint (see {@link #scanDrift}), never one GET per product.
   */
  async #guardDrift(
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
    const overlapMs = this.#driftOverlapMs();
    if (!run.driftScanned || (ledger !== undefined && lowest - overlapMs < ledger.scannedFrom)) {
      await this.#scanDrift(lowest - overlapMs, run, signal);
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
      const resolution = this.#driftPolicy === "overwrite" ? "overwritten" : "kept-remote";
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
   */
  async #scanDrift(lowestNeeded: number, run: Run, signal: AbortSignal | undefined): Promise<void> {
    const ledger = await this.#loadLedger(run);
    let from: number;
    let scannedFrom: number;
    if (ledger === undefined || lowestNeeded < ledger.scannedFrom) {
      from = lowestNeeded;
      scannedFrom = lowestNeeded;
    } else {
      from = ledger.scannedUntil - this.#driftOverlapMs();
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
      .pages();
    for await (const page of pages) {
      run.summary.requests += 1;
      const content: readonly StoredProduct[] = page.content ?? [];
      const records = await this.#state.get(content.map((product) => product.externalId));
      for (const product of content) {
        const record = records.get(product.externalId);
        if (record?.snapshot === undefined) continue;
        const remote = takeDriftSnapshot(product);
        // Our own send that crashed before its state write landed is not somebody else's edit.
        const inFlight = run.crashedInFlight.get(product.externalId);
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
    run.ledger = { scannedFrom, scannedUntil: scanStartedAt, drifted };
    run.ledgerDirty = true;
    run.driftScanned = true;
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

  /** After a confirmed sync: the product no longer drifts; coverage starts no later than this run. */
  async #noteSynced(ids: readonly string[], run: Run): Promise<void> {
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
  async #saveLedger(run: Run): Promise<void> {
    if (!run.ledgerDirty || run.ledger === undefined) return;
    const current = await this.#state.getDriftLedger();
    const mine = run.ledger;
    const drifted: Record<string, DriftSnapshot> = { ...current?.drifted };
    for (const id of run.ledgerCleared) delete drifted[id];
    for (const id of run.ledgerAdded) {
      const remote = mine.drifted[id];
      if (remote !== undefined) drifted[id] = remote;
    }
    await this.#state.setDriftLedger({
      scannedFrom: Math.min(mine.scannedFrom, current?.scannedFrom ?? mine.scannedFrom),
      scannedUntil: Math.max(mine.scannedUntil, current?.scannedUntil ?? mine.scannedUntil),
      drifted,
    });
    run.ledgerDirty = false;
  }

  /** Full-sync flush: sends whole batches, keeps the last family and a partial batch for later. */
  async #flush(
    pending: Pending[],
    isFinal: boolean,
    run: Run,
    signal: AbortSignal | undefined,
  ): Promise<Pending[]> {
    let held: Pending[] = [];
    let ready = pending;
    const last = pending.at(-1);
    if (!isFinal && last !== undefined) {
      // The stream may continue this family on the next page.
      const key = familyKeyOf(last.product);
      held = pending.filter((item) => familyKeyOf(item.product) === key);
      ready = pending.filter((item) => familyKeyOf(item.product) !== key);
    }
    const sendable = await this.#guardDrift(ready, run, signal);
    const carry = await this.#sendPlanned(sendable, isFinal, "INCREMENTAL", run, signal);
    return [...carry, ...held];
  }

  /**
   * Packs products into family-preserving batches and sends them in order. Unless `isFinal`,
   * a trailing partial batch is returned instead of sent, so a streamed pass sends full batches.
   */
  async #sendPlanned(
    pending: Pending[],
    isFinal: boolean,
    syncType: SyncType,
    run: Run,
    signal: AbortSignal | undefined,
    outcomes: Map<string, Outcome> = new Map(),
  ): Promise<Pending[]> {
    const byId = new Map(pending.map((item) => [item.product.externalId, item]));
    const batches = planBatches(
      groupFamilies([...byId.values()].map((item) => item.product)),
      this.#batchSize,
    ).map((batch) => batch.map((product) => byId.get(product.externalId) as Pending));
    let carry: Pending[] = [];
    const tail = batches.at(-1);
    if (!isFinal && tail !== undefined && tail.length < this.#batchSize) {
      carry = tail;
      batches.pop();
    }
    for (const batch of batches) {
      if (run.isHalted) {
        for (const item of batch) {
          outcomes.set(item.product.externalId, { status: "failed", error: run.halted });
        }
        if (run.phase !== "drain") run.summary.failed += batch.length;
        continue;
      }
      await this.#sendBatch(batch, syncType, run, signal, outcomes);
    }
    return carry;
  }

  /**
   * Sends one batch. A content error (400/409/422) splits it in halves, families kept together
   * while there is more than one, until the offending products are isolated and rejected with
   * the server's reason; the rest goes through.
   */
  async #sendBatch(
    batch: Pending[],
    syncType: SyncType,
    run: Run,
    signal: AbortSignal | undefined,
    outcomes: Map<string, Outcome>,
  ): Promise<void> {
    const startedAt = this.#now();
    await this.#state.putSending(
      batch.flatMap(({ product, record }) =>
        record === undefined && product.parentExternalId !== undefined
          ? [{ externalId: product.externalId, parentExternalId: product.parentExternalId }]
          : [],
      ),
      startedAt,
    );
    await this.#state.setInFlight(
      run.phase,
      Object.fromEntries(
        batch.map((item) => [item.product.externalId, takeDriftSnapshot(item.product)]),
      ),
    );
    let response: Awaited<ReturnType<SyncApi["products"]["sync"]>>;
    try {
      run.summary.requests += 1;
      run.summary.syncRequests += 1;
      const options: SyncCallOptions = withSignal(signal);
      if (syncType === "FULL" && run.fullRunKey !== undefined) {
        run.fullRunBatches += 1;
        options.idempotencyKey = `${run.fullRunKey}:${run.fullRunBatches}`;
      } else {
        // One key per send, reused by the client's retries of it. Not the client's default
        // content-hash key: a product changed A → B → A would send A's batch again with the
        // same key, and a server that honours keys for 24 h would replay the old answer
        // instead of applying A, leaving B in Neuroon.
        options.idempotencyKey = `nrn-sync-${randomUUID()}`;
      }
      response = await this.#client.products.sync(
        { syncType, products: batch.map((item) => item.product) },
        options,
      );
    } catch (error) {
      signal?.throwIfAborted();
      if (isContentError(error)) {
        if (batch.length === 1) {
          const [item] = batch as [Pending];
          await this.#recordServerRejects([{ item, reason: describeError(error) }], run, outcomes);
          return;
        }
        for (const half of splitBatch(batch)) {
          await this.#sendBatch(half, syncType, run, signal, outcomes);
        }
        return;
      }
      this.#haltIfSystemic(error, run);
      for (const item of batch) outcomes.set(item.product.externalId, { status: "failed", error });
      // A drain counts the changes it puts back instead (see #failChange).
      if (run.phase !== "drain") run.summary.failed += batch.length;
      return;
    }
    const itemErrors = new Map<string, string>();
    for (const itemError of response.errors ?? []) {
      itemErrors.set(itemError.externalId, itemError.error);
    }
    const syncedAt = this.#now();
    const confirmed: Parameters<StateView["putSynced"]>[0][number][] = [];
    const refused: { item: Pending; reason: string }[] = [];
    for (const item of batch) {
      const reason = itemErrors.get(item.product.externalId);
      if (reason !== undefined) {
        refused.push({ item, reason });
        continue;
      }
      const snapshot = takeDriftSnapshot(item.product);
      confirmed.push({
        externalId: item.product.externalId,
        parentExternalId: item.product.parentExternalId,
        contentHash: item.hash,
        snapshot,
      });
      outcomes.set(item.product.externalId, { status: "synced" });
    }
    await this.#state.putSynced(confirmed, syncedAt);
    await this.#state.setInFlight(run.phase, undefined);
    await this.#noteSynced(
      confirmed.map((item) => item.externalId),
      run,
    );
    if (refused.length > 0) await this.#recordServerRejects(refused, run, outcomes);
    run.summary.sent += batch.length - refused.length;
    run.summary.created += response.newProducts ?? 0;
    run.summary.updated += response.updatedProducts ?? 0;
    this.#emit({
      type: "batch-sent",
      phase: run.phase,
      size: batch.length,
      created: response.newProducts ?? 0,
      updated: response.updatedProducts ?? 0,
      failed: refused.length,
      durationMs: syncedAt - startedAt,
    });
  }

  async #recordServerRejects(
    refused: readonly { item: Pending; reason: string }[],
    run: Run,
    outcomes: Map<string, Outcome>,
  ): Promise<void> {
    const updates: Parameters<StateView["putRejected"]>[0][number][] = [];
    for (const { item, reason } of refused) {
      updates.push({
        externalId: item.product.externalId,
        parentExternalId: item.product.parentExternalId,
        contentHash: item.hash,
        reason,
        previous: item.record,
      });
      outcomes.set(item.product.externalId, { status: "rejected" });
      run.summary.rejected += 1;
      this.#emit({ type: "rejected", externalId: item.product.externalId, reason, by: "server" });
    }
    await this.#state.putRejected(updates, this.#now());
  }

  // ---------------------------------------------------------------------------------------------
  // Deletes and the remote walk

  /** DELETEs products, variants before parents; a 404 counts as done (DELETE is idempotent). */
  async #deleteProducts(
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
            this.#haltIfSystemic(error, run);
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
        });
      });
    }
    await this.#state.delete(done);
    const ledger = await this.#loadLedger(run);
    if (ledger !== undefined) this.#clearDrift(ledger, done, run);
    return outcomes;
  }

  /**
   * Neuroon's catalog: cursor pagination when the server offers it, else page/size. The first
   * page asks `cursor=` (empty), as the vendor's reconcile sample does; a server without cursor
   * support answers a Spring page (no `products`) or an error, and the walk falls back.
   */
  async *#walkRemote(run: Run, signal: AbortSignal | undefined): AsyncGenerator<StoredProduct> {
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
  async #confirmGone(
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

  // ---------------------------------------------------------------------------------------------
  // Failure handling and plumbing

  /** Neuroon down, rate-limited past the client's retries, or refusing our key: stop sending. */
  #haltIfSystemic(error: unknown, run: Run): void {
    if (run.halted === undefined && (isRetryableError(error) || isAuthError(error))) {
      run.halted = error;
    }
  }

  async #failChange(change: QueuedChange, error: unknown, run: Run): Promise<void> {
    const backoffMs = backoffDelayMs(change.attempts + 1, {
      initialDelayMs: this.#baseDelayMs,
      maxDelayMs: this.#maxDelayMs,
      random: this.#random,
    });
    const delayMs = Math.max(backoffMs, retryAfterMsOf(error) ?? 0);
    await this.#failWith(change, describeError(error), delayMs, this.#maxAttempts, run);
  }

  /** Ends a change's lease through `queue.fail`, counts it and reports the outcome. */
  async #failWith(
    change: QueuedChange,
    reason: string,
    delayMs: number,
    maxAttempts: number,
    run: Run,
  ): Promise<void> {
    const outcome = await this.#queue.fail(change.id, reason, { delayMs, maxAttempts });
    run.settled.add(change);
    run.summary.failed += 1;
    this.#emit({
      type: "retry",
      changeId: change.id,
      kind: change.kind,
      key: change.key,
      error: reason,
      outcome,
      delayMs,
    });
  }

  /** Gives up on a change at once (its content can never succeed); it stays replayable. */
  async #deadLetter(change: QueuedChange, reason: string, run: Run): Promise<void> {
    await this.#failWith(change, reason, 0, change.attempts + 1, run);
  }

  async #ack(changes: readonly QueuedChange[], run: Run): Promise<void> {
    if (changes.length === 0) return;
    await this.#queue.ack(changes.map((change) => change.id));
    for (const change of changes) run.settled.add(change);
  }

  /**
   * Ends the lease of every change of one claim that the drain did not ack, fail or dead-letter:
   * on abort ready at once (see {@link #release}), otherwise with backoff for `failure`'s error.
   * Never replaces `failure`: a queue error here is reported as an `error` event instead.
   */
  async #handBack(
    changes: readonly QueuedChange[],
    run: Run,
    failure: { error: unknown } | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const unsettled = changes.filter((change) => !run.settled.has(change));
    run.settled.clear();
    if (unsettled.length === 0) return;
    const error =
      failure?.error ?? new Error("The drain ended without an outcome for this change.");
    let queueError: { error: unknown } | undefined;
    for (const change of unsettled) {
      try {
        if (signal?.aborted) await this.#release(change, run);
        else await this.#failChange(change, error, run);
      } catch (caught) {
        queueError ??= { error: caught };
      }
    }
    if (queueError === undefined) return;
    if (failure === undefined) throw queueError.error;
    this.#emit({ type: "error", phase: run.phase, error: queueError.error });
  }

  /** Puts back a change an aborted drain never got to, ready to be claimed again at once. */
  async #release(change: QueuedChange, run: Run): Promise<void> {
    // ChangeQueue has no release: fail() is the only way to end a lease early, and it always
    // counts an attempt (as the lease running out would). delayMs 0 makes the change ready at
    // once; maxAttempts above the new count keeps a shutdown from dead-lettering it.
    await this.#failWith(
      change,
      "The drain was aborted before this change was processed.",
      0,
      Math.max(this.#maxAttempts, change.attempts + 2),
      run,
    );
  }

  #startRun(phase: SyncPhase): Run {
    return new Run(phase, this.#now());
  }

  async #finish(run: Run, throwIfHalted: boolean): Promise<SyncSummary> {
    await this.#saveLedger(run);
    run.summary.elapsedMs = this.#now() - run.startedAt;
    if (throwIfHalted && run.halted !== undefined) {
      throw new SyncIncompleteError(run.phase, run.summary, run.halted);
    }
    return run.summary;
  }

  #emit(event: SyncEvent): void {
    this.#onEvent?.(event);
  }
}

type DeleteReason = "store-deleted" | "variant-removed" | "reconcile";

function defaultPrepare(products: readonly NeuroonProduct[]): PreparedProducts {
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

function withSignal(signal: AbortSignal | undefined): SyncCallOptions {
  return signal === undefined ? {} : { signal };
}

function isFullProduct(payload: unknown): payload is NeuroonProduct {
  if (typeof payload !== "object" || payload === null) return false;
  const product = payload as Partial<NeuroonProduct>;
  return (
    typeof product.externalId === "string" &&
    typeof product.name === "string" &&
    typeof product.price === "number" &&
    typeof product.url === "string"
  );
}

function isConversionRequest(payload: unknown): payload is TrackConversionRequest {
  if (typeof payload !== "object" || payload === null) return false;
  const request = payload as Partial<TrackConversionRequest>;
  return typeof request.orderId === "string" && Array.isArray(request.conversions);
}

function truncateJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
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

/** Halves a batch: by families while there are several, else the one family's products. */
function splitBatch(batch: Pending[]): Pending[][] {
  const families = new Map<string, Pending[]>();
  for (const item of batch) {
    const key = familyKeyOf(item.product);
    const family = families.get(key);
    if (family === undefined) families.set(key, [item]);
    else family.push(item);
  }
  if (families.size > 1) {
    const groups = [...families.values()];
    const first: Pending[] = [];
    const second: Pending[] = [];
    const half = batch.length / 2;
    for (const group of groups) {
      if (first.length === 0 || first.length + group.length <= half) first.push(...group);
      else second.push(...group);
    }
    if (second.length > 0) return [first, second];
  }
  const middle = Math.ceil(batch.length / 2);
  return [batch.slice(0, middle), batch.slice(middle)];
}

function dedupeById<T extends { externalId: string }>(entries: readonly T[]): T[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    if (seen.has(entry.externalId)) return false;
    seen.add(entry.externalId);
    return true;
  });
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
