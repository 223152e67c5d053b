import type { QueuedChange } from "../queue/types.js";
import type { DriftSnapshot, SyncStateRecord } from "../state/types.js";
import type { NeuroonProduct } from "../types.js";
import { isAuthError, isRetryableError } from "./error-kinds.js";
import type { DriftLedger } from "./state-view.js";
import { emptySummary } from "./summary.js";
import type { SyncCallOptions, SyncPhase, SyncSummary } from "./types.js";

/**
 * The state one engine call (`drain`, `fullSync`, `reconcile`, `resetCatalog`) carries through its
 * parts: planning, the drift guard, sending and deleting.
 */

/** One product on its way to Neuroon, with the hash it will be recorded under. */
export interface Pending {
  product: NeuroonProduct;
  hash: string;
  record: SyncStateRecord | undefined;
}

export type Outcome =
  | { status: "synced" | "unchanged" | "rejected" | "conflict" | "deleted" }
  | { status: "failed"; error: unknown };

/** Counters and per-run caches of one `drain`/`fullSync`/`reconcile`/`resetCatalog` call. */
export class Run {
  readonly summary: SyncSummary = emptySummary();
  /** Set when Neuroon is unreachable or refuses our credentials: stop sending, retry later. */
  halted: unknown;
  /**
   * Claimed changes of the current claim already acked, failed or dead-lettered. Keyed by the
   * claimed object, not the id: a change failed with no delay can be claimed again in this run.
   */
  readonly settled = new Set<QueuedChange>();
  readonly reportedConflicts = new Set<string>();
  /** The persisted drift ledger as this run sees it (see `DriftGuard`). */
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

  /** Neuroon down, rate-limited past the client's retries, or refusing our key: stop sending. */
  haltIfSystemic(error: unknown): void {
    if (this.halted === undefined && (isRetryableError(error) || isAuthError(error))) {
      this.halted = error;
    }
  }
}

/** Why a product is deleted from Neuroon. */
export type DeleteReason = "store-deleted" | "variant-removed" | "reconcile";

/** Per-call options carrying only the signal, when there is one. */
export function withSignal(signal: AbortSignal | undefined): SyncCallOptions {
  return signal === undefined ? {} : { signal };
}
