import { randomUUID } from "node:crypto";
import type { SyncType } from "../types.js";
import { takeDriftSnapshot } from "./drift.js";
import type { DriftGuard } from "./drift-guard.js";
import { describeError, isContentError } from "./error-kinds.js";
import { familyKeyOf, groupFamilies, planBatches } from "./plan-batches.js";
import { type Outcome, type Pending, type Run, withSignal } from "./run.js";
import type { StateView } from "./state-view.js";
import type { SyncApi, SyncCallOptions, SyncEvent } from "./types.js";

/** What {@link BatchSender} works with; the engine's own client, state, guard and clock. */
export interface BatchSenderOptions {
  client: SyncApi;
  state: StateView;
  drift: DriftGuard;
  now: () => number;
  batchSize: number;
  emit: (event: SyncEvent) => void;
}

/**
 * The engine's sending part: plans batches of at most `batchSize` with families whole and
 * parents first, sends them, records what Neuroon confirmed, and splits a batch Neuroon refused
 * for its content until the offending product is isolated and rejected.
 */
export class BatchSender {
  readonly #client: SyncApi;
  readonly #state: StateView;
  readonly #drift: DriftGuard;
  readonly #now: () => number;
  readonly #batchSize: number;
  readonly #emit: (event: SyncEvent) => void;

  constructor(options: BatchSenderOptions) {
    this.#client = options.client;
    this.#state = options.state;
    this.#drift = options.drift;
    this.#now = options.now;
    this.#batchSize = options.batchSize;
    this.#emit = options.emit;
  }

  /** Full-sync flush: sends whole batches, keeps the last family and a partial batch for later. */
  async flush(
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
    const sendable = await this.#drift.guard(ready, run, signal);
    const carry = await this.sendPlanned(sendable, isFinal, "INCREMENTAL", run, signal);
    return [...carry, ...held];
  }

  /**
   * Packs products into family-preserving batches and sends them in order. Unless `isFinal`,
   * a trailing partial batch is returned instead of sent, so a streamed pass sends full batches.
   */
  async sendPlanned(
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
      run.haltIfSystemic(error);
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
    await this.#drift.noteSynced(
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
