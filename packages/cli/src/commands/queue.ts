import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  type CatalogSource,
  type ChangeQueue,
  type DeadLetter,
  openSqliteQueue,
  type QueueStats,
  SyncEngine,
} from "@neuroon/core";
import type { Command } from "commander";
import { requireShopId } from "../cli/config.js";
import { addCommonOptions, type CommandContext, runCommand, storePathOf } from "../cli/context.js";
import { UsageError } from "../cli/errors.js";
import { ExitCode, type ExitCodeValue } from "../cli/exit-codes.js";
import { parseIntegerOption } from "../cli/options.js";
import {
  CLI_LEASE_MS,
  CLI_RETRY,
  collectEngineEvents,
  describeRun,
  type EngineReport,
  exitCodeOfRun,
} from "../cli/sync-report.js";
import { addFeedOptions, type FeedOptions, feedSpecOf } from "../feed/feed-options.js";
import { FeedCatalogSource } from "../feed/feed-source.js";
import { assertFeedReadable } from "../feed/read-feed.js";

const EMPTY_STATS: QueueStats = { pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 };

/**
 * The store for changes that carry no product (a webhook's "product X changed"): the CLI cannot
 * read a store, so those changes fail with this reason and stay queued for the adapter's worker.
 */
class PayloadOnlySource implements CatalogSource {
  async readProducts(keys: readonly string[]): Promise<never> {
    throw new Error(
      `the queued changes for ${keys.slice(0, 3).join(", ")}${keys.length > 3 ? "…" : ""} carry no product data, so the CLI cannot deliver them; pass --feed <file> or let the store adapter's worker deliver them`,
    );
  }

  async *streamCatalog(): AsyncIterable<never> {}
}

/** Reads the queue's stats without creating the file when there is none yet. */
async function readStats(
  context: CommandContext,
): Promise<{ path: string; exists: boolean; stats: QueueStats }> {
  const path = storePathOf(context.config, requireShopId(context.config));
  if (!existsSync(path)) return { path, exists: false, stats: EMPTY_STATS };
  const queue = openSqliteQueue({ path });
  try {
    return { path, exists: true, stats: await queue.stats() };
  } finally {
    await queue.close();
  }
}

async function showStatus(context: CommandContext): Promise<ExitCodeValue> {
  const { path, exists, stats } = await readStats(context);
  context.output.result({ dataFile: path, exists, ...stats }, () => [
    `Queue ${path}${exists ? "" : " (not created yet: nothing was ever queued)"}`,
    `  pending      ${stats.pending}`,
    `  delayed      ${stats.delayed}   (waiting for a retry after a failure)`,
    `  in flight    ${stats.inFlight}   (claimed by a running sync; handed out again if it died)`,
    `  dead letters ${stats.deadLetters}${stats.deadLetters > 0 ? "   → neuroon queue dead-letters, then neuroon queue retry" : ""}`,
  ]);
  return ExitCode.OK;
}

interface DeadLettersOptions {
  limit: number;
}

function describeAge(failedAt: number): string {
  return new Date(failedAt).toISOString().replace(/\.\d{3}Z$/, "Z");
}

async function listDeadLetters(
  context: CommandContext,
  options: DeadLettersOptions,
): Promise<ExitCodeValue> {
  const { path, exists } = await readStats(context);
  let letters: DeadLetter[] = [];
  if (exists) {
    const queue = openSqliteQueue({ path });
    try {
      letters = await queue.listDeadLetters({ limit: options.limit });
    } finally {
      await queue.close();
    }
  }
  context.output.result({ dataFile: path, deadLetters: letters }, () => {
    if (letters.length === 0) return `No dead letters in ${path}.`;
    const lines: string[] = [];
    for (const letter of letters) {
      lines.push(
        `${letter.id}  ${letter.kind} ${letter.key}  ${letter.attempts} attempts, failed ${describeAge(letter.failedAt)}`,
      );
      lines.push(`    ${letter.reason}`);
    }
    lines.push(
      `${letters.length} dead letters (oldest first). Fix the cause, then: neuroon queue retry [id...]`,
    );
    return lines;
  });
  return ExitCode.OK;
}

interface RetryOptions extends FeedOptions {
  drain: boolean;
  feed?: string;
}

/** Refuses (exit 2, nothing moved) ids that are not dead letters, naming them. */
async function assertDeadLettersExist(queue: ChangeQueue, ids: readonly string[]): Promise<void> {
  const { deadLetters } = await queue.stats();
  const known = new Set(
    deadLetters === 0
      ? []
      : (await queue.listDeadLetters({ limit: deadLetters })).map((letter) => letter.id),
  );
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UsageError(
      `No dead letter has id ${unknown.join(", ")}; nothing was moved.`,
      "List the dead letters and their ids with `neuroon queue dead-letters`.",
    );
  }
}

async function retryDeadLetters(
  context: CommandContext,
  ids: readonly string[],
  options: RetryOptions,
): Promise<ExitCodeValue> {
  const { output, config } = context;
  let source: CatalogSource = new PayloadOnlySource();
  if (options.feed !== undefined) {
    const feedPath = resolve(context.io.cwd, options.feed);
    await assertFeedReadable(feedPath);
    source = new FeedCatalogSource(feedPath, feedSpecOf(feedPath, options));
  }
  // Check the credentials before touching the queue, so a bad key does not burn an attempt.
  const connection = options.drain ? await context.connect() : undefined;
  const stores = context.openStores();
  if (ids.length > 0) await assertDeadLettersExist(stores.queue, ids);
  const replayed = await stores.queue.replayDeadLetters(ids.length > 0 ? ids : undefined);
  if (connection === undefined) {
    const stats = await stores.queue.stats();
    output.result({ replayed, queue: stats }, () => [
      `Moved ${replayed} dead letters back to the queue (${stats.pending} pending).`,
      "They are delivered by the next `neuroon sync` or `neuroon queue retry`.",
    ]);
    return ExitCode.OK;
  }
  const report: EngineReport = { rejected: [], conflicts: [], failures: [], deleted: [] };
  const before = await stores.queue.stats();
  const progress = context.progress("Delivering", { unit: "changes", total: before.pending });
  const engine = new SyncEngine({
    client: connection.client,
    queue: stores.queue,
    state: stores.state,
    source,
    batchSize: config.batchSize,
    claim: { leaseMs: CLI_LEASE_MS },
    retry: CLI_RETRY,
    onEvent: collectEngineEvents(
      report,
      () => undefined,
      (done) => progress.update(done),
    ),
  });
  let summary: Awaited<ReturnType<SyncEngine["drain"]>>;
  try {
    summary = await engine.drain();
  } finally {
    progress.finish();
  }
  const after = await stores.queue.stats();
  const exitCode = summary.changes === 0 ? ExitCode.OK : exitCodeOfRun(summary, report, 0);
  output.result(
    {
      ok: exitCode === ExitCode.OK,
      exitCode,
      replayed,
      summary,
      failures: report.failures,
      rejected: report.rejected,
      queue: after,
    },
    () => [
      `Moved ${replayed} dead letters back to the queue; delivered the ${summary.changes} ready changes.`,
      ...describeRun(summary, report, after),
    ],
  );
  return exitCode;
}

/** Registers `neuroon queue status|dead-letters|retry`: the durable queue in the data directory. */
export function registerQueueCommand(program: Command): Command {
  const queue = program
    .command("queue")
    .summary("Inspect the durable queue; list and retry dead letters.")
    .description("Inspect the durable change queue in the data directory and retry dead letters.");

  const status = queue
    .command("status")
    .description("Count pending, delayed, in-flight and dead-lettered changes.");
  addCommonOptions(status, { dataDir: true }).addHelpText(
    "after",
    "\nExample:\n  $ neuroon queue status --json",
  );
  status.action(async (_options: unknown, self: Command) => {
    await runCommand(self, showStatus);
  });

  const deadLetters = queue
    .command("dead-letters")
    .description("List the changes given up on, oldest first, with why they failed.")
    .option("--limit <n>", "at most this many (default 100)", parseIntegerOption(1, 10_000), 100);
  addCommonOptions(deadLetters, { dataDir: true }).addHelpText(
    "after",
    "\nExample:\n  $ neuroon queue dead-letters --limit 20",
  );
  deadLetters.action(async (_options: DeadLettersOptions, self: Command) => {
    await runCommand(self, (context) => listDeadLetters(context, self.opts<DeadLettersOptions>()));
  });

  const retry = queue
    .command("retry")
    .description(
      "Move dead letters (all, or the given ids) back to the queue and deliver what is ready.",
    )
    .argument("[ids...]", "dead-letter ids from `neuroon queue dead-letters` (default: all)")
    .option("--no-drain", "only move them back; deliver later")
    .option("--feed <file>", "re-read products without a queued payload from this feed");
  addFeedOptions(retry, "--feed");
  addCommonOptions(retry, { dataDir: true }).addHelpText(
    "after",
    "\nExamples:\n  $ neuroon queue retry\n  $ neuroon queue retry 42 43 --no-drain",
  );
  retry.action(async (ids: string[], _options: RetryOptions, self: Command) => {
    await runCommand(self, (context) => retryDeadLetters(context, ids, self.opts<RetryOptions>()));
  });
  return queue;
}
