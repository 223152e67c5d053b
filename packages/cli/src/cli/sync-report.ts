import type { QueueStats, SyncEvent, SyncSummary, ValidationIssue } from "@neuroon/core";
import { speakCli } from "./errors.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { formatCount, plural } from "./output.js";

// How the commands that run the sync engine (sync, reconcile, queue retry, the store adapters)
// configure it for a one-shot run, collect its events and turn its summary into output and an
// exit code.

/** A claimed change not settled within this time is handed out again (a crashed `sync`). */
export const CLI_LEASE_MS = 60_000;
/**
 * Backoff of failed changes. A person reruns a command soon after fixing an outage, so the delay
 * stays short (the engine's default grows to 5 minutes, which suits a long-running worker).
 */
export const CLI_RETRY = { maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 30_000 } as const;
/** Refused lines listed in human output. */
export const MAX_LISTED_REJECTS = 20;
/** Refused lines kept in memory and listed by `--json`; the rest are counted. */
export const REJECT_SAMPLE_SIZE = 100;

/** The first {@link REJECT_SAMPLE_SIZE} refusals and the count of all of them. */
export class RejectSample {
  total = 0;
  readonly sample: RejectedLine[] = [];

  /** Counts a refusal; `describe` runs only while the sample has room. */
  add(describe: () => RejectedLine): void {
    this.total += 1;
    if (this.sample.length < REJECT_SAMPLE_SIZE) this.sample.push(describe());
  }
}

/**
 * A feed line refused locally, a product Neuroon refused, or (`earlier`) an unchanged product
 * refused by an earlier run, which is not resent until it changes.
 */
export interface RejectedLine {
  line: number | undefined;
  externalId: string | undefined;
  reason: string;
  by: "feed" | "local" | "server" | "earlier";
}

/** What the engine reported during a run, collected for the summary. */
export interface EngineReport {
  rejected: RejectedLine[];
  conflicts: { externalId: string; fields: string[]; resolution: string }[];
  failures: { key: string; error: string; outcome: "retrying" | "dead" }[];
  deleted: { externalId: string; alreadyGone: boolean }[];
}

/**
 * Collects the engine's events into an {@link EngineReport} and drives a progress bar.
 * `lineOf` maps product ids back to feed lines for server-side rejections.
 */
export function collectEngineEvents(
  report: EngineReport,
  lineOf: (externalId: string) => number | undefined,
  onProgress?: (done: number) => void,
): (event: SyncEvent) => void {
  let claimed = 0;
  let sent = 0;
  return (event) => {
    switch (event.type) {
      case "progress":
        claimed = event.done;
        onProgress?.(Math.max(claimed, sent));
        break;
      case "batch-sent":
        sent += event.size;
        onProgress?.(Math.max(claimed, sent));
        break;
      case "rejected":
        report.rejected.push({
          line: lineOf(event.externalId),
          externalId: event.externalId,
          reason: speakCli(event.reason),
          by: event.by,
        });
        break;
      case "conflict":
        report.conflicts.push({
          externalId: event.externalId,
          fields: event.fields,
          resolution: event.resolution,
        });
        break;
      case "retry":
        report.failures.push({ key: event.key, error: event.error, outcome: event.outcome });
        break;
      case "deleted":
        report.deleted.push({ externalId: event.externalId, alreadyGone: event.alreadyGone });
        break;
      default:
        break;
    }
  };
}

/** The issues of a refused line as one sentence per issue, each naming its field. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .map((issue) => {
      const message = speakCli(issue.message.trim());
      const named =
        issue.field === "" || message.startsWith(issue.field)
          ? message
          : `${issue.field}: ${message}`;
      return /[.!?)]$/.test(named) ? named : `${named}.`;
    })
    .join(" ");
}

/** `  line 7: sku-1: price must be …` */
export function describeRejected(entry: RejectedLine): string {
  const where = entry.line === undefined ? "" : `line ${entry.line}: `;
  const id = entry.externalId === undefined ? "" : `${entry.externalId}: `;
  const by =
    entry.by === "server"
      ? " (refused by Neuroon)"
      : entry.by === "earlier"
        ? " (refused by an earlier run; it is sent again once it changes)"
        : "";
  return `  ${where}${id}${entry.reason}${by}`;
}

/** One line for an engine summary: what was sent, kept, deleted, refused and how long it took. */
export function describeSummary(summary: SyncSummary): string {
  return (
    `${formatCount(summary.sent)} sent (${formatCount(summary.created)} new, ${formatCount(summary.updated)} updated), ` +
    `${formatCount(summary.unchanged)} unchanged, ${formatCount(summary.deleted)} deleted, ${formatCount(summary.rejected)} rejected, ` +
    `${formatCount(summary.conflicts)} in conflict, ${formatCount(summary.failed)} failed; ` +
    `${plural(summary.requests, "request")} in ${(summary.elapsedMs / 1000).toFixed(1)} s`
  );
}

/** Human lines for the engine's summary, shared by `sync`, `reconcile` and `queue retry`. */
export function describeRun(
  summary: SyncSummary,
  report: EngineReport,
  queue: QueueStats,
): string[] {
  const lines = [`Neuroon: ${describeSummary(summary)}.`];
  const serverRejects = report.rejected.filter((entry) => entry.by !== "feed");
  if (serverRejects.length > 0) {
    lines.push("Rejected:");
    lines.push(...serverRejects.slice(0, MAX_LISTED_REJECTS).map(describeRejected));
    if (serverRejects.length > MAX_LISTED_REJECTS) {
      lines.push(
        `  … and ${serverRejects.length - MAX_LISTED_REJECTS} more (--json lists the first ${REJECT_SAMPLE_SIZE})`,
      );
    }
  }
  const kept = report.conflicts.filter((conflict) => conflict.resolution !== "overwritten");
  const overwritten = report.conflicts.length - kept.length;
  if (overwritten > 0) {
    lines.push(
      `Replaced ${plural(overwritten, "product")} edited in Neuroon since the last sync with the store's version (--drift overwrite).`,
    );
  }
  if (kept.length > 0) {
    lines.push(
      "Edited in Neuroon since the last sync (kept as Neuroon has them; --drift overwrite replaces them):",
    );
    for (const conflict of kept.slice(0, MAX_LISTED_REJECTS)) {
      lines.push(
        `  ${conflict.externalId}: ${conflict.fields.join(", ")} (${conflict.resolution})`,
      );
    }
  }
  if (report.failures.length > 0) {
    const first = report.failures[0];
    const dead = report.failures.filter((failure) => failure.outcome === "dead").length;
    lines.push(
      `Failed: ${plural(report.failures.length, "change")} (${formatCount(dead)} moved to dead letters), first error: ${first?.error ?? "unknown"}`,
    );
    if (dead < report.failures.length) {
      lines.push(
        "The failed changes stay queued with a growing delay (at most 30 s here) and go out with the next run of this command.",
      );
    }
  }
  if (queue.pending + queue.delayed + queue.inFlight + queue.deadLetters > 0) {
    lines.push(
      `Queue: ${queue.pending} pending, ${queue.delayed} waiting for a retry, ${queue.inFlight} in flight, ` +
        `${queue.deadLetters} dead letters (see \`neuroon queue status\`).`,
    );
  }
  return lines;
}

/**
 * Conflicts still open after the run: those kept as Neuroon has them. One that `--drift
 * overwrite` resolved by sending the store's version is done, not a problem.
 */
function unresolvedConflicts(
  summary: SyncSummary,
  report: Pick<EngineReport, "conflicts"> | undefined,
): number {
  if (report === undefined) return summary.conflicts;
  return report.conflicts.filter((conflict) => conflict.resolution !== "overwritten").length;
}

/**
 * The exit code of a run: 0 when everything went through, 3 when some products were refused,
 * left in conflict or failed while others went through, 1 when nothing could be delivered.
 */
export function exitCodeOfRun(
  summary: SyncSummary,
  report?: Pick<EngineReport, "failures" | "conflicts">,
  feedRejects = 0,
): ExitCodeValue {
  // Unchanged products needed no request: a run that sent nothing and failed delivered nothing.
  if (summary.failed > 0 && summary.sent + summary.deleted + summary.conversions === 0) {
    return ExitCode.FAILED;
  }
  const hasProblems =
    summary.failed > 0 ||
    summary.rejected > 0 ||
    unresolvedConflicts(summary, report) > 0 ||
    feedRejects > 0 ||
    (report?.failures.length ?? 0) > 0;
  return hasProblems ? ExitCode.PARTIAL : ExitCode.OK;
}
