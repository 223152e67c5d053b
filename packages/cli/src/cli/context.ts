import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  NeuroonClient,
  type NeuroonClientOptions,
  openSqliteQueue,
  openSqliteStateStore,
  type ShopInfo,
  type SqliteChangeQueue,
  type SqliteSyncStateStore,
} from "@neuroon/core";
import type { Command } from "commander";
import { VERSION } from "../version.js";
import {
  type GlobalFlags,
  type ResolvedConfig,
  requireCredentials,
  requireShopId,
  resolveConfig,
} from "./config.js";
import { CliError, describeFailure, UsageError } from "./errors.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { type CliIo, Output, processIo } from "./output.js";
import { Progress, type ProgressOptions } from "./progress.js";

let currentIo: CliIo | undefined;

/** Makes commands write to `io` instead of the process (in-process tests). */
export function setCliIo(io: CliIo | undefined): void {
  currentIo = io;
}

/** Which of the shared options a command takes. */
export interface CommonOptionsSpec {
  /** `--data-dir`, for commands that use the queue and sync state. */
  dataDir?: boolean;
  /** `--api-url/--shop-id/--api-key`; false for commands that only read local files. Default true. */
  connection?: boolean;
}

/**
 * Adds the options every Neuroon command shares: `--config`, the connection settings, `--json`
 * and, when asked, `--data-dir`. Values resolve flags → environment → config file → defaults.
 */
export function addCommonOptions(command: Command, spec: CommonOptionsSpec = {}): Command {
  command.option(
    "-c, --config <path>",
    `config file (env NEUROON_CONFIG; default ./neuroon.config.json if present)`,
  );
  if (spec.connection !== false) {
    command
      .option(
        "--api-url <url>",
        "Plugin API origin (env NEUROON_API_URL; default https://api.neuroon.ai)",
      )
      .option("--shop-id <id>", "Neuroon shop id (env NEUROON_SHOP_ID)")
      .option(
        "--api-key <key>",
        "Shop API Key; prefer env NEUROON_API_KEY (flags show up in `ps`)",
      );
  }
  if (spec.dataDir === true) {
    command.option(
      "--data-dir <dir>",
      "queue and sync state directory (env NEUROON_DATA_DIR; default .neuroon)",
    );
  }
  command.option("--json", "print one JSON document on stdout, for scripts");
  return command;
}

/** The local queue and sync state of one shop, in one SQLite file under the data directory. */
export interface LocalStores {
  /** `<dataDir>/<shopId>.db`. */
  path: string;
  queue: SqliteChangeQueue;
  state: SqliteSyncStateStore;
  close(): Promise<void>;
}

/** The path of a shop's SQLite file in the data directory. */
export function storePathOf(config: ResolvedConfig, shopId: string): string {
  return join(config.dataDir, `${shopId.replace(/[^A-Za-z0-9_.-]/g, "_")}.db`);
}

/** What a command's body gets: output, lazily resolved configuration, client and stores. */
export class CommandContext {
  readonly io: CliIo;
  readonly output: Output;
  readonly flags: GlobalFlags;
  readonly commandName: string;
  #config: ResolvedConfig | undefined;
  readonly #cleanups: (() => Promise<void>)[] = [];
  /** The latest progress reporter: where a rate-limit wait is shown. */
  #progress: Progress | undefined;

  constructor(io: CliIo, flags: GlobalFlags, commandName: string) {
    this.io = io;
    this.flags = flags;
    this.commandName = commandName;
    this.output = new Output(io, { json: flags.json === true });
  }

  /** The configuration (flags → env → file → defaults); a bad config file is a usage error. */
  get config(): ResolvedConfig {
    this.#config ??= resolveConfig(this.flags, this.io);
    return this.#config;
  }

  /** Whether the configuration has been resolved (error messages quote the API URL only then). */
  get hasConfig(): boolean {
    return this.#config !== undefined;
  }

  /** A client for the configured shop; throws a usage error when the shop id or key is missing or malformed. */
  createClient(
    options: Pick<NeuroonClientOptions, "onResponse" | "onRetry" | "maxRetries"> = {},
  ): NeuroonClient {
    const { shopId, apiKey } = requireCredentials(this.config);
    return new NeuroonClient({
      shopId,
      apiKey,
      baseUrl: this.config.apiUrl,
      timeoutMs: this.config.timeoutMs,
      maxRetries: this.config.maxRetries,
      appInfo: { name: "neuroon-cli", version: VERSION },
      onRateLimitWait: (event) => this.#progress?.waitFor(event.waitMs),
      ...options,
    });
  }

  /**
   * A client whose credentials were checked with `GET /shops/me` (a cheap call): a refused key is
   * a usage error (exit 2), and so is a key that belongs to another shop than the configured one.
   */
  async connect(
    options: Pick<NeuroonClientOptions, "onResponse" | "onRetry" | "maxRetries"> = {},
  ): Promise<{ client: NeuroonClient; shop: ShopInfo }> {
    const client = this.createClient(options);
    const shop = await client.shop.me();
    if (shop.shopId !== client.shopId) {
      throw new UsageError(
        `The API key belongs to shop ${shop.shopId}, not to the configured shop ${client.shopId}.`,
        "Use the key of the configured shop, or set NEUROON_SHOP_ID to the key's shop.",
      );
    }
    return { client, shop };
  }

  /** Opens (creating the directory if needed) the shop's queue and state file. Closed when the command ends. */
  openStores(): LocalStores {
    const shopId = requireShopId(this.config);
    const path = storePathOf(this.config, shopId);
    try {
      mkdirSync(this.config.dataDir, { recursive: true });
    } catch (error) {
      throw new UsageError(
        `Cannot create the data directory ${this.config.dataDir}: ${(error as Error).message}.`,
        "Pass a writable directory with --data-dir or NEUROON_DATA_DIR.",
      );
    }
    const queue = openSqliteQueue({ path });
    const state = openSqliteStateStore({ path, shopId });
    let isClosed = false;
    const stores: LocalStores = {
      path,
      queue,
      state,
      close: async () => {
        if (isClosed) return;
        isClosed = true;
        await Promise.allSettled([queue.close(), state.close()]);
      },
    };
    this.#cleanups.push(stores.close);
    return stores;
  }

  /**
   * A signal aborted by the first Ctrl+C (SIGINT) or SIGTERM, so long work stops between steps and
   * reports what stays queued; a second Ctrl+C ends the process at once.
   */
  interruptSignal(whatRemains: string): AbortSignal {
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      controller.abort(
        new CliError(`Interrupted by ${signal}. ${whatRemains}`, { exitCode: ExitCode.FAILED }),
      );
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    this.#cleanups.push(async () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    });
    return controller.signal;
  }

  /** A progress reporter on stderr; it also reports the client's rate-limit waits. */
  progress(label: string, options: ProgressOptions): Progress {
    const progress = new Progress(this.output, label, options);
    this.#progress = progress;
    return progress;
  }

  /** Registers something to release when the command ends, after the stores opened later. */
  onCleanup(release: () => void | Promise<void>): void {
    this.#cleanups.push(async () => {
      await release();
    });
  }

  /** Runs what commands registered to release (stores). */
  async cleanup(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0).reverse()) await cleanup();
  }
}

/** The name a command is invoked by, e.g. `neuroon products list`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current !== null; current = current.parent) {
    names.unshift(current.name());
  }
  return names.join(" ");
}

/**
 * Runs a command's body and turns its outcome into an exit code: the body's return value, or
 * the code {@link describeFailure} assigns to what it threw, reported on stderr (and as
 * `{"ok": false, "error": …}` on stdout with `--json`). Secrets are redacted on both streams.
 */
export async function runCommand(
  command: Command,
  body: (context: CommandContext) => Promise<ExitCodeValue | undefined>,
): Promise<void> {
  const io = currentIo ?? processIo();
  const flags = command.optsWithGlobals() as GlobalFlags;
  const context = new CommandContext(io, flags, commandPath(command));
  let exitCode: ExitCodeValue;
  try {
    exitCode = (await body(context)) ?? ExitCode.OK;
  } catch (error) {
    const apiUrl = context.hasConfig ? context.config.apiUrl : undefined;
    const failure = describeFailure(error, apiUrl === undefined ? {} : { apiUrl });
    exitCode = failure.exitCode;
    context.output.note(`${context.commandName}: ${failure.message}`);
    if (failure.hint !== undefined) context.output.note(`  fix: ${failure.hint}`);
    if (context.output.isJson) {
      context.output.json({
        ok: false,
        exitCode,
        error: { name: failure.name, message: failure.message, hint: failure.hint },
      });
    }
  } finally {
    await context.cleanup();
  }
  process.exitCode = exitCode;
}
