import { Command, CommanderError } from "commander";
import { setCliIo } from "./cli/context.js";
import { ExitCode } from "./cli/exit-codes.js";
import type { CliIo } from "./cli/output.js";
import { redactSecrets, registerArgvSecrets, registerEnvironmentSecrets } from "./cli/redact.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerDoctorCommand } from "./commands/doctor.js";
import { registerEmulatorCommand } from "./commands/emulator.js";
import { registerProductsCommand } from "./commands/products.js";
import { registerQueueCommand } from "./commands/queue.js";
import { registerReconcileCommand } from "./commands/reconcile.js";
import { registerSyncCommand } from "./commands/sync.js";
import { registerTokenCommand } from "./commands/token.js";
import { registerVerifyCommand } from "./commands/verify.js";
import { registerWooCommerceCommand } from "./commands/woocommerce.js";
import { VERSION } from "./version.js";

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
 * the process's streams, environment and working directory).
 */
export function createProgram(io?: CliIo): Command {
  setCliIo(io);
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
  registerSyncCommand(program);
  registerProductsCommand(program);
  registerReconcileCommand(program);
  registerVerifyCommand(program);
  registerTokenCommand(program);
  registerQueueCommand(program);
  registerDoctorCommand(program);
  registerEmulatorCommand(program);
  registerDemoCommand(program);
  registerWooCommerceCommand(program);
  return program;
}

/** Runs the neuroon command line with the given arguments (without the node and script paths). */
export async function main(argv: readonly string[]): Promise<void> {
  registerEnvironmentSecrets(process.env);
  registerArgvSecrets(argv);
  const program = createProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
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
