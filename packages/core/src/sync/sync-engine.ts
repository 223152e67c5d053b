import type { ChangeKind, ChangeQueue, QueuedChange } from "../queue/types.js";
import { backoffDelayMs, sleep } from "../retry.js";
import type { NeuroonProduct, TrackConversionRequest } from "../types.js";
import { BatchSender } from "./batch-sender.js";
import { type CoalesceOptions, resolveCoalesceOptions } from "./coalesce.js";
import { Deleter } from "./deleter.js";
import { DriftGuard } from "./drift-guard.js";
import { describeError, isAuthError, isContentError, retryAfterMsOf } from "./error-kinds.js";
import { ResetConfirmationError, SafetyValveError, SyncIncompleteError } from "./errors.js";
import { keepLeases } from "./lease-keeper.js";
import { assertBatchSize, familyKeyOf } from "./plan-batches.js";
import { defaultPrepare, Planner } from "./planner.js";
import { type DeleteReason, type Outcome, type Pending, Run, withSignal } from "./run.js";
import { contentHash } from "./stable-hash.js";
import { StateView } from "./state-view.js";
import type {
  CatalogSource,
  SyncApi,
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
const DEFAULT_DELETE_CONCURRENCY = 4;
const DEFAULT_IDLE_MS = 1_000;

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
  readonly #planner: Planner;
  readonly #drift: DriftGuard;
  readonly #sender: BatchSender;
  readonly #deleter: Deleter;
  readonly #maxDeleteRatio: number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #claimLimit: number;
  readonly #leaseMs: number;
  readonly #deleteConcurrency: number;
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
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? sleep;
    this.#onEvent = options.onEvent;
    this.#planner = new Planner({
      state: this.#state,
      prepare: options.prepare ?? defaultPrepare,
      now: this.#now,
      emit: (event) => this.#emit(event),
    });
    this.#drift = new DriftGuard({
      client: this.#client,
      state: this.#state,
      now: this.#now,
      policy: options.drift?.policy ?? "keep-remote",
      clockSkewMs: options.drift?.clockSkewMs,
      emit: (event) => this.#emit(event),
    });
    this.#sender = new BatchSender({
      client: this.#client,
      state: this.#state,
      drift: this.#drift,
      now: this.#now,
      batchSize: this.#batchSize,
      emit: (event) => this.#emit(event),
    });
    this.#deleter = new Deleter({
      client: this.#client,
      state: this.#state,
      source: this.#source,
      drift: this.#drift,
      deleteConcurrency: this.#deleteConcurrency,
      emit: (event) => this.#emit(event),
    });
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
   * Aborting `stopSignal` ends the drain once the claim in hand is processed (a graceful stop:
   * nothing is cut short, nothing new is claimed).
   */
  async drain(
    options: {
      signal?: AbortSignal;
      stopSignal?: AbortSignal;
      kinds?: readonly ChangeKind[];
      maxChanges?: number;
    } = {},
  ): Promise<SyncSummary> {
    const { signal, stopSignal, kinds } = options;
    const maxChanges = options.maxChanges ?? Number.POSITIVE_INFINITY;
    const run = this.#startRun("drain");
    while (
      !signal?.aborted &&
      !stopSignal?.aborted &&
      !run.isHalted &&
      run.summary.changes < maxChanges
    ) {
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
    // An initial load by a fresh data directory becomes the drift guard's baseline when complete.
    const isInitialLoad = await this.#drift.isFresh(run);
    let carry: Pending[] = [];
    let done = 0;
    for await (const page of this.#source.streamCatalog(signal)) {
      signal?.throwIfAborted();
      carry.push(...(await this.#planner.selectChanged(page, run)));
      done += page.length;
      this.#emit({ type: "progress", phase: "full-sync", done });
      if (carry.length >= this.#batchSize)
        carry = await this.#sender.flush(carry, false, run, signal);
      if (run.isHalted) break;
    }
    if (!run.isHalted && carry.length > 0) await this.#sender.flush(carry, true, run, signal);
    if (isInitialLoad && !run.isHalted) await this.#drift.noteBaseline(run);
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
    for await (const product of this.#deleter.walkRemote(run, signal)) {
      remoteTotal += 1;
      if (!local.has(product.externalId)) {
        extras.push(
          product.parentExternalId === undefined || product.parentExternalId === null
            ? { externalId: product.externalId }
            : { externalId: product.externalId, parentExternalId: product.parentExternalId },
        );
      }
    }
    const gone = await this.#deleter.confirmGone(extras, signal);
    if (!force && gone.length > this.#maxDeleteRatio * remoteTotal) {
      throw new SafetyValveError({
        wouldDelete: gone.length,
        remoteTotal,
        sourceTotal: local.size,
        maxDeleteRatio: this.#maxDeleteRatio,
      });
    }
    const outcomes = await this.#deleter.deleteProducts(
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
      const prepared = this.#planner.prepare(page);
      await this.#planner.recordLocalRejects(prepared, new Map(), run, undefined, page);
      for (const product of prepared.valid) {
        carry.push({ product, hash: contentHash(product), record: undefined });
      }
      done += page.length;
      this.#emit({ type: "progress", phase: "reset", done });
      if (carry.length >= this.#batchSize) {
        carry = await this.#sender.sendPlanned(carry, false, "FULL", run, signal);
      }
      if (run.isHalted) break;
    }
    if (!run.isHalted && carry.length > 0)
      await this.#sender.sendPlanned(carry, true, "FULL", run, signal);
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
    const deleted = await this.#deleter.deleteProducts(dedupeById(deletions), run, signal);
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
    const selected = await this.#planner.selectChanged(upserts, run, outcomes);
    const sendable = await this.#drift.guard(selected, run, signal, outcomes);
    await this.#sender.sendPlanned(sendable, true, "INCREMENTAL", run, signal, outcomes);

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
    const request = await this.#conversionRequestOf(change, run, signal);
    if (request === undefined) return;
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
      run.haltIfSystemic(error);
      await this.#failChange(change, error, run);
      return;
    }
    run.summary.conversions += 1;
    this.#emit({ type: "conversion", orderId: request.orderId });
    await this.#ack([change], run);
  }

  /**
   * The payload to report for a conversion change: the payload itself when it is already a
   * report (or the source cannot resolve orders), else what `source.resolveConversion` makes of
   * it. `undefined` when the change was settled here: skipped (acked) or the store unreadable
   * (put back with backoff).
   */
  async #conversionRequestOf(
    change: QueuedChange,
    run: Run,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const resolve = this.#source.resolveConversion?.bind(this.#source);
    if (resolve === undefined || isConversionRequest(change.payload)) return change.payload;
    if (run.isHalted) {
      await this.#failChange(change, run.halted, run);
      return undefined;
    }
    let resolution: Awaited<ReturnType<typeof resolve>>;
    try {
      resolution = await resolve(
        { key: change.key, payload: change.payload, attempts: change.attempts },
        signal,
      );
    } catch (error) {
      signal?.throwIfAborted();
      await this.#failChange(change, error, run);
      return undefined;
    }
    if (resolution.status === "report") return resolution.request;
    this.#emit({ type: "conversion-skipped", key: change.key, reason: resolution.reason });
    await this.#ack([change], run);
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Failure handling and plumbing

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
    await this.#drift.save(run);
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

function dedupeById<T extends { externalId: string }>(entries: readonly T[]): T[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    if (seen.has(entry.externalId)) return false;
    seen.add(entry.externalId);
    return true;
  });
}
