import { resolve } from "node:path";
import { SyncEngine } from "@neuroon/core";
import type { Command } from "commander";
import { addCommonOptions, type CommandContext, runCommand } from "../cli/context.js";
import { ExitCode, type ExitCodeValue } from "../cli/exit-codes.js";
import { parseRatioOption } from "../cli/options.js";
import { formatCount, plural } from "../cli/output.js";
import {
  CLI_LEASE_MS,
  CLI_RETRY,
  collectEngineEvents,
  describeIssues,
  describeRejected,
  describeRun,
  type EngineReport,
  MAX_LISTED_REJECTS,
} from "../cli/sync-report.js";
import { addFeedOptions, type FeedOptions, feedSpecOf } from "../feed/feed-options.js";
import { FeedCatalogSource } from "../feed/feed-source.js";
import { assertFeedReadable } from "../feed/read-feed.js";

interface ReconcileOptions extends FeedOptions {
  force?: boolean;
  maxDeleteRatio?: number;
}

async function runReconcile(
  context: CommandContext,
  file: string,
  options: ReconcileOptions,
): Promise<ExitCodeValue> {
  const { output, config } = context;
  const path = resolve(context.io.cwd, file);
  const spec = feedSpecOf(path, options);
  await assertFeedReadable(path);
  const { client } = await context.connect();
  const stores = context.openStores();
  const report: EngineReport = { rejected: [], conflicts: [], failures: [], deleted: [] };
  const progress = context.progress("Comparing", { unit: "products" });
  const source = new FeedCatalogSource(path, spec);
  const engine = new SyncEngine({
    client,
    queue: stores.queue,
    state: stores.state,
    source,
    batchSize: config.batchSize,
    reconcile: { maxDeleteRatio: options.maxDeleteRatio ?? config.maxDeleteRatio },
    claim: { leaseMs: CLI_LEASE_MS },
    retry: CLI_RETRY,
    onEvent: collectEngineEvents(
      report,
      () => undefined,
      (done) => progress.update(done),
    ),
  });
  let summary: Awaited<ReturnType<SyncEngine["reconcile"]>>;
  try {
    summary = await engine.reconcile({
      force: options.force === true,
      signal: context.interruptSignal(
        "Products deleted so far stay deleted; run it again to finish.",
      ),
    });
  } finally {
    progress.finish();
  }
  const queue = await stores.queue.stats();
  // A refused line's product is kept, not deleted: the run did its job but the feed needs fixing.
  const { refused } = source;
  const rejected = refused.sample.map((entry) => ({
    line: entry.line,
    externalId: entry.externalId,
    reason: describeIssues(entry.issues),
    by: "feed" as const,
  }));
  const exitCode =
    summary.failed > 0
      ? summary.deleted > 0
        ? ExitCode.PARTIAL
        : ExitCode.FAILED
      : refused.total > 0
        ? ExitCode.PARTIAL
        : ExitCode.OK;
  output.result(
    {
      ok: exitCode === ExitCode.OK,
      exitCode,
      file: path,
      deleted: report.deleted,
      rejected: { total: refused.total, sample: rejected },
      failures: report.failures,
      summary,
    },
    () => [
      report.deleted.length === 0
        ? "Nothing to delete: Neuroon holds no product the feed lacks."
        : `Deleted ${plural(report.deleted.length, "product")} the feed no longer has:`,
      ...report.deleted
        .slice(0, 50)
        .map((entry) => `  ${entry.externalId}${entry.alreadyGone ? " (already gone)" : ""}`),
      ...(report.deleted.length > 50
        ? [`  … and ${report.deleted.length - 50} more (--json lists them all)`]
        : []),
      ...(refused.total === 0
        ? []
        : [
            `${refused.total === 1 ? "1 line of the feed was rejected; its product was" : `${formatCount(refused.total)} lines of the feed were rejected; their products were`} kept in Neuroon as they are. Fix the lines and run \`neuroon sync\`:`,
            ...rejected.slice(0, MAX_LISTED_REJECTS).map(describeRejected),
            ...(refused.total > MAX_LISTED_REJECTS
              ? [`  … and ${formatCount(refused.total - MAX_LISTED_REJECTS)} more`]
              : []),
          ]),
      ...describeRun(summary, report, queue),
    ],
  );
  return exitCode;
}

/**
 * Registers `neuroon reconcile <file>`: deletes from Neuroon the products the feed no longer
 * has, behind the engine's safety valve.
 */
export function registerReconcileCommand(program: Command): Command {
  const command = program
    .command("reconcile")
    .summary("Delete from Neuroon what the feed no longer has (with a safety valve).")
    .description(
      "Delete from Neuroon the products the feed no longer has. Refuses (exit 4) to delete more than --max-delete-ratio of the catalog unless --force.",
    )
    .argument("<file>", "the complete feed (.jsonl or .csv), as for `neuroon sync`");
  addFeedOptions(command)
    .option(
      "--max-delete-ratio <share>",
      "largest share of Neuroon's catalog deleted without --force (default 0.1)",
      parseRatioOption,
    )
    .option(
      "--force",
      "delete even above --max-delete-ratio (after checking the feed is complete)",
    );
  addCommonOptions(command, { dataDir: true });
  command.addHelpText(
    "after",
    `
The safety valve stops an empty or truncated feed from wiping the index: nothing is deleted and the
exit code is 4. Products are re-read from the feed before deleting, so one added meanwhile stays.
A product whose line is rejected stays in Neuroon as it is, and the exit code is 3.

Example:
  $ neuroon sync products.jsonl && neuroon reconcile products.jsonl`,
  );
  return command.action(async (file: string, _options: ReconcileOptions, self: Command) => {
    await runCommand(self, (context) => runReconcile(context, file, self.opts<ReconcileOptions>()));
  });
}
