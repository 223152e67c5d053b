import { Command, CommanderError } from "commander";
import { ExitCode } from "./cli/exit-codes.js";
import type { CliIo } from "./cli/output.js";
import { redactSecrets, registerArgvSecrets, registerEnvironmentSecrets } from "./cli/redact.js";
import { VERSION } from "./version.js";

/**
 * The commands, each loaded only when it runs: `neuroon --help` or `neuroon token` need neither
 * the sync engine nor the emulator, the fake store or the WooCommerce bridge (loading every
 * command took 408 modules for `--help`).
 */
interface CommandEntry {
  name: string;
  /** Arguments as the top-level help lists them. */
  args: string;
  summary: string;
  register(program: Command): Promise<unknown>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: "sync",
    args: "[options] <file>",
    summary: "Sync a JSON Lines or CSV product feed; sends only what changed.",
    register: async (program) => (await import("./commands/sync.js")).registerSyncCommand(program),
  },
  {
    name: "products",
    args: "",
    summary: "List, get and delete the products Neuroon holds.",
    register: async (program) =>
      (await import("./commands/products.js")).registerProductsCommand(program),
  },
  {
    name: "reconcile",
    args: "[options] <file>",
    summary: "Delete from Neuroon what the feed no longer has (with a safety valve).",
    register: async (program) =>
      (await import("./commands/reconcile.js")).registerReconcileCommand(program),
  },
  {
    name: "verify",
    args: "[options] [domain]",
    summary: "Verify the shop's domain, show (--status) or remove (--unverify) it.",
    register: async (program) =>
      (await import("./commands/verify.js")).registerVerifyCommand(program),
  },
  {
    name: "token",
    args: "[options]",
    summary: "Print a widget token (signed locally).",
    register: async (program) =>
      (await import("./commands/token.js")).registerTokenCommand(program),
  },
  {
    name: "queue",
    args: "",
    summary: "Inspect the durable queue; list and retry dead letters.",
    register: async (program) =>
      (await import("./commands/queue.js")).registerQueueCommand(program),
  },
  {
    name: "doctor",
    args: "[options]",
    summary: "Check configuration, credentials, verification, limits and queue.",
    register: async (program) =>
      (await import("./commands/doctor.js")).registerDoctorCommand(program),
  },
  {
    name: "emulator",
    args: "[options]",
    summary: "Run a local Neuroon Plugin API emulator (for tests, benchmarks and demos).",
    register: async (program) =>
      (await import("./commands/emulator.js")).registerEmulatorCommand(program),
  },
  {
    name: "demo",
    args: "[options]",
    summary: "Run the product end to end on this machine against a fake WooCommerce store.",
    register: async (program) => (await import("./commands/demo.js")).registerDemoCommand(program),
  },
  {
    name: "woocommerce",
    args: "",
    summary: "Connect a WooCommerce store: set up webhooks, sync, reconcile, run the bridge.",
    register: async (program) =>
      (await import("./commands/woocommerce.js")).registerWooCommerceCommand(program),
  },
];

/** The command `argv` runs (`neuroon help <command>` included), or undefined for none. */
function commandOf(argv: readonly string[]): { entry: CommandEntry; index: number } | undefined {
  for (const [index, word] of argv.entries()) {
    if (word === "--") return undefined;
    const entry = COMMANDS.find((candidate) => candidate.name === word);
    if (entry !== undefined) return { entry, index };
  }
  return undefined;
}

/**
 * Accepts the shared options before the command (`neuroon --json sync feed.jsonl`): they are
 * the command's options, so they move behind it (before a `--`, if any).
 */
export function withOptionsAfterCommand(argv: readonly string[]): string[] {
  const found = commandOf(argv);
  if (found === undefined || found.index === 0) return [...argv];
  const leading = argv.slice(0, found.index);
  // "help" or anything that is not an option before the command: leave it to commander.
  if (!leading[0]?.startsWith("-")) return [...argv];
  const rest = argv.slice(found.index);
  const separator = rest.indexOf("--");
  return separator === -1
    ? [...rest, ...leading]
    : [...rest.slice(0, separator), ...leading, ...rest.slice(separator)];
}

const PROGRAM_HELP_FOOTER = `
Configuration (highest precedence first): flags (--api-url, --shop-id, --api-key, --data-dir),
environment (NEUROON_API_URL, NEUROON_SHOP_ID, NEUROON_API_KEY, NEUROON_DATA_DIR,
NEUROON_TIMEOUT_MS, NEUROON_MAX_RETRIES, NEUROON_CONFIG), the config file (--config <path>, or
./neuroon.config.json), then defaults.

Exit codes: 0 ok; 1 operation failed; 2 usage or configuration error (bad key, missing shop id);
3 partial: some items failed or were rejected; 4 the reconcile safety valve refused (use --force).

Run \`neuroon <command> --help\` for a command's options and an example.`;

/**
 * Builds the `neuroon` program; exported so tests can run commands in-process (`io` replaces
 * the process's streams, environment and working directory). With `argv`, only the command it
 * runs is loaded (the others are listed by name and summary for `--help`); without, all are.
 */
export async function createProgram(io?: CliIo, argv?: readonly string[]): Promise<Command> {
  const stdout = io?.stdout ?? process.stdout;
  const stderr = io?.stderr ?? process.stderr;
  const program = new Command("neuroon")
    .description(
      "Keep a store's catalog in Neuroon's AI product search, and inspect what Neuroon holds.",
    )
    .version(VERSION, "-v, --version", "print the version")
    .configureOutput({
      writeOut: (text) => stdout.write(redactSecrets(text)),
      writeErr: (text) => stderr.write(redactSecrets(text)),
    })
    // Before any subcommand is added: subcommands inherit these settings when they are created.
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .showSuggestionAfterError()
    .addHelpText("after", PROGRAM_HELP_FOOTER);
  const selected = argv === undefined ? undefined : commandOf(argv)?.entry;
  if (argv === undefined || selected !== undefined) {
    (await import("./cli/context.js")).setCliIo(io);
  }
  for (const entry of COMMANDS) {
    if (argv === undefined || entry === selected) await entry.register(program);
    else program.command(`${entry.name} ${entry.args}`.trim()).summary(entry.summary);
  }
  return program;
}

/** Ends quietly when the reader of stdout went away (`neuroon products list --json | head -1`). */
function exitQuietlyOnClosedStdout(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? ExitCode.OK);
  });
}

/** Runs the neuroon command line with the given arguments (without the node and script paths). */
export async function main(argv: readonly string[]): Promise<void> {
  exitQuietlyOnClosedStdout();
  registerEnvironmentSecrets(process.env);
  registerArgvSecrets(argv);
  const args = withOptionsAfterCommand(argv);
  try {
    const program = await createProgram(undefined, args);
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; every parse error (unknown option, missing argument, invalid
      // value) is a usage error.
      process.exitCode = error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
      // Scripts that asked for --json get their one JSON document even for a usage error.
      if (error.exitCode !== 0 && argv.includes("--json")) {
        const message = error.message.replace(/^error: /, "");
        process.stdout.write(
          `${redactSecrets(
            JSON.stringify({
              ok: false,
              exitCode: ExitCode.USAGE,
              error: {
                name: "UsageError",
                message,
                hint: "Run the command with --help for usage.",
              },
            }),
          )}\n`,
        );
      }
      return;
    }
    process.stderr.write(
      `neuroon: ${redactSecrets(error instanceof Error ? error.message : String(error))}\n`,
    );
    process.exitCode = ExitCode.FAILED;
  }
}
