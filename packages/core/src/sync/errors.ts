import { NeuroonError } from "../errors.js";
import { describeError } from "./error-kinds.js";
import type { SyncSummary } from "./types.js";

/** Counts behind a refused reconcile. */
export interface SafetyValveDetails {
  /** Products Neuroon holds that the store did not list. */
  wouldDelete: number;
  /** Products Neuroon holds in total. */
  remoteTotal: number;
  /** Products the store listed. */
  sourceTotal: number;
  /** The configured `reconcile.maxDeleteRatio`. */
  maxDeleteRatio: number;
}

/**
 * `reconcile()` refused to delete more than `maxDeleteRatio` of the catalog: an empty or partial
 * store listing (an outage, a wrong filter) must not wipe the index. Nothing was deleted.
 */
export class SafetyValveError extends NeuroonError {
  readonly details: SafetyValveDetails;

  constructor(details: SafetyValveDetails) {
    const share = details.remoteTotal === 0 ? 0 : details.wouldDelete / details.remoteTotal;
    super(
      `Reconcile refused to delete ${details.wouldDelete} of ${details.remoteTotal} products in Neuroon ` +
        `(${(share * 100).toFixed(1)}%, more than the ${(details.maxDeleteRatio * 100).toFixed(1)}% allowed by ` +
        `reconcile.maxDeleteRatio); the store listed ${details.sourceTotal} products. Nothing was deleted. ` +
        "If the store really removed them, run reconcile({ force: true }) or raise reconcile.maxDeleteRatio.",
    );
    this.name = "SafetyValveError";
    this.details = details;
  }
}

/** `resetCatalog()` was called without the shop id as confirmation. */
export class ResetConfirmationError extends NeuroonError {
  constructor(expected: string, received: unknown) {
    super(
      `resetCatalog() sends a FULL sync that replaces shop ${expected}'s whole catalog in Neuroon; ` +
        `pass { confirm: "${expected}" } to confirm it. Received confirm=${JSON.stringify(received) ?? "undefined"}.`,
    );
    this.name = "ResetConfirmationError";
  }
}

/**
 * A run stopped before it finished because Neuroon was unavailable or refused the credentials.
 * What was confirmed is recorded; rerunning continues from there. `cause` is the client error.
 */
export class SyncIncompleteError extends NeuroonError {
  readonly phase: string;
  /** What the run did before it stopped. */
  readonly summary: SyncSummary;

  constructor(phase: string, summary: SyncSummary, cause: unknown) {
    super(
      `The ${phase} run stopped early: ${describeError(cause)}. ${summary.sent} products were sent and recorded ` +
        "before it stopped; run it again once Neuroon is reachable (it resumes without resending them).",
      { cause },
    );
    this.name = "SyncIncompleteError";
    this.phase = phase;
    this.summary = summary;
  }
}
