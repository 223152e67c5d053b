import { basename, resolve } from "node:path";
import { type ChangeInput, type DriftPolicy, SyncEngine, type SyncSummary } from "@neuroon/core";
import { type Command, Option } from "commander";
import { addCommonOptions, type CommandContext, runCommand } from "../cli/context.js";
import { ExitCode, type ExitCodeValue } from "../cli/exit-codes.js";
import { parseIntegerOption } from "../cli/options.js";
import { formatCount, plural } from "../cli/output.js";
import {
  CLI_LEASE_MS,
  CLI_RETRY,
  collectEngineEvents,
  describeIssues,
  describeRejected,
  describeRun,
  type EngineReport,
  exitCodeOfRun,
  MAX_LISTED_REJECTS,
  REJECT_SAMPLE_SIZE,
  RejectSample,
} from "../cli/sync-report.js";
import { addFeedOptions, type FeedOptions, feedSpecOf } from "../feed/feed-options.js";
import { FeedCatalogSource } from "../feed/feed-source.js";
import { openFileLineIndex } from "../feed/line-index.js";
import { assertFeedReadable, readFeed } from "../feed/read-feed.js";

/** Changes written to the queue per transaction while reading a feed. */
const ENQUEUE_CHUNK_SIZE = 1_000;
/** Sync state records read per query when looking for products refused by an earlier run. */
const STATE_READ_CHUNK_SIZE = 1_000;
interface SyncOptions extends FeedOptions {
  drift: DriftPolicy;
  batchSize?: number;
}

async function runSync(
  context: CommandContext,
  file: string,
  options: SyncOptions,
): Promise<ExitCodeValue> {
  const { output, config } = context;
  const path = resolve(context.io.cwd, file);
  const spec = feedSpecOf(path, options);
  const { format } = spec;
  const sizeBytes = await assertFeedReadable(path);
  const { client } = await context.connect();
  const stores = context.openStores();
  const signal = context.interruptSignal(
    `What was read is in the queue (${stores.path}); run the same command again to deliver it.`,
  );

  // 1. Read and validate the feed, writing every valid product to the durable queue first: once
  //    enqueued, a crash or an outage loses nothing (the next run or `queue retry` delivers it).
  // Ids and their lines go to a scratch file, refusals to a bounded sample: a feed of millions
  // of lines, valid or not, runs in the same memory as a small one.
  const lineIndex = openFileLineIndex(`${stores.path}.feed-lines-${process.pid}`);
  context.onCleanup(() => lineIndex.close());
  const feedRejects = new RejectSample();
  let lines = 0;
  let valid = 0;
  const reading = context.progress(`Reading ${basename(path)}`, {
    unit: "bytes",
    total: sizeBytes,
  });
  let chunk: ChangeInput[] = [];
  const origin = `feed:${basename(path)}`;
  for await (const record of readFeed(path, {
    ...spec,
    index: lineIndex,
    onBytes: (bytes) => reading.update(bytes),
  })) {
    signal.throwIfAborted();
    lines = Math.max(lines, record.line);
    if (!record.ok) {
      feedRejects.add(() => ({
        line: record.line,
        externalId: record.externalId,
        reason: describeIssues(record.issues),
        by: "feed",
      }));
      continue;
    }
    valid += 1;
    chunk.push({
      kind: "product",
      key: record.product.externalId,
      payload: record.product,
      origin,
    });
    if (chunk.length >= ENQUEUE_CHUNK_SIZE) {
      await stores.queue.enqueue(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) await stores.queue.enqueue(chunk);
  reading.finish();
  output.line(
    `Read ${path}: ${plural(valid, "valid product")}, ${plural(feedRejects.total, "line")} rejected.`,
  );
  if (feedRejects.total > 0) {
    output.line("Rejected lines:");
    for (const entry of feedRejects.sample.slice(0, MAX_LISTED_REJECTS))
      output.line(describeRejected(entry));
    if (feedRejects.total > MAX_LISTED_REJECTS) {
      output.line(
        `  … and ${formatCount(feedRejects.total - MAX_LISTED_REJECTS)} more (--json lists the first ${REJECT_SAMPLE_SIZE})`,
      );
    }
  }

  // 2. Drain the queue through the engine: unchanged products (same content hash as the last
  //    confirmed sync) are skipped, the rest go out as INCREMENTAL batches.
  const before = await stores.queue.stats();
  const report: EngineReport = { rejected: [], conflicts: [], failures: [], deleted: [] };
  const sending = context.progress("Syncing", { unit: "changes", total: before.pending });
  const engine = new SyncEngine({
    client,
    queue: stores.queue,
    state: stores.state,
    source: new FeedCatalogSource(path, spec),
    batchSize: options.batchSize ?? config.batchSize,
    drift: { policy: options.drift },
    claim: { leaseMs: CLI_LEASE_MS },
    retry: CLI_RETRY,
    onEvent: collectEngineEvents(
      report,
      (id) => lineIndex.lineOf(id),
      (done) => sending.update(done),
    ),
  });
  let summary: SyncSummary;
  try {
    summary = await engine.drain({ signal });
  } finally {
    sending.finish();
  }
  // An unchanged product refused by an earlier run is skipped, not resent: still report it, so
  // rerunning a feed gives the same verdict (and exit code) until the product is fixed.
  const reportedNow = new Set(report.rejected.map((entry) => entry.externalId));
  let stillRejected = 0;
  for (const ids of lineIndex.pages(STATE_READ_CHUNK_SIZE)) {
    const records = await stores.state.get(ids);
    for (const [externalId, record] of records) {
      if (record.status !== "rejected" || reportedNow.has(externalId)) continue;
      stillRejected += 1;
      report.rejected.push({
        line: lineIndex.lineOf(externalId),
        externalId,
        reason: record.reason ?? "refused",
        by: "earlier",
      });
    }
  }
  const after = await stores.queue.stats();
  const exitCode = exitCodeOfRun(summary, report, feedRejects.total + stillRejected);
  output.result(
    {
      ok: exitCode === ExitCode.OK,
      exitCode,
      file: path,
      format,
      lines: { read: lines, valid, rejected: feedRejects.total },
      rejected: {
        total: feedRejects.total + report.rejected.length,
        sample: [...feedRejects.sample, ...report.rejected].slice(0, REJECT_SAMPLE_SIZE),
      },
      conflicts: report.conflicts,
      failures: report.failures,
      summary,
      queue: after,
      dataFile: stores.path,
    },
    () => {
      const text = describeRun(summary, report, after);
      if (exitCode === ExitCode.FAILED) {
        text.push(
          `Nothing was delivered; the changes stay queued in ${stores.path}. Run the same command again once Neuroon is reachable.`,
        );
      }
      return text;
    },
  );
  if (exitCode === ExitCode.FAILED) {
    output.note(
      `${context.commandName}: Neuroon did not accept the changes: ${report.failures[0]?.error ?? "unknown error"}`,
    );
  }
  return exitCode;
}

/**
 * Registers `neuroon sync <file>`: validates a JSON Lines or CSV product feed, writes it to the
 * durable queue and sends what changed since the last run.
 */
export function registerSyncCommand(program: Command): Command {
  const command = program
    .command("sync")
    .summary("Sync a JSON Lines or CSV product feed; sends only what changed.")
    .description(
      "Sync a product feed (JSON Lines or CSV) to Neuroon: validates every line, queues the products durably, sends only what changed since the last run.",
    )
    .argument(
      "<file>",
      "the feed: .jsonl (one product object per line) or .csv (header row of product fields)",
    );
  addFeedOptions(command)
    .addOption(
      new Option(
        "--drift <policy>",
        "products edited in Neuroon since the last sync: keep them or overwrite them",
      )
        .choices(["keep-remote", "overwrite"])
        .default("keep-remote"),
    )
    .option(
      "--batch-size <n>",
      "products per sync request, 1-500 (default 500)",
      parseIntegerOption(1, 500),
    );
  addCommonOptions(command, { dataDir: true });
  command.addHelpText(
    "after",
    `
Exit codes: 0 all synced or unchanged; 3 some lines or products rejected, in conflict or failed;
1 nothing could be delivered (the changes stay queued); 2 configuration or credentials.

Example:
  $ NEUROON_SHOP_ID=shop_ab12cd34 NEUROON_API_KEY=sk_… neuroon sync products.jsonl`,
  );
  return command.action(async (file: string, _options: SyncOptions, self: Command) => {
    await runCommand(self, (context) => runSync(context, file, self.opts<SyncOptions>()));
  });
}
