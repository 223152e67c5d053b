import { signWidgetToken, WIDGET_TOKEN_TTL_SEC } from "@neuroon/core";
import type { Command } from "commander";
import { requireCredentials } from "../cli/config.js";
import { addCommonOptions, type CommandContext, runCommand } from "../cli/context.js";
import { ExitCode, type ExitCodeValue } from "../cli/exit-codes.js";

async function printToken(context: CommandContext): Promise<ExitCodeValue> {
  const { shopId, apiKey } = requireCredentials(context.config);
  const issuedAtSec = Math.floor(Date.now() / 1000);
  const token = signWidgetToken({ shopId, apiKey, nowSeconds: issuedAtSec });
  const expiresAt = new Date((issuedAtSec + WIDGET_TOKEN_TTL_SEC) * 1000).toISOString();
  if (context.output.isJson) {
    context.output.json({
      ok: true,
      exitCode: ExitCode.OK,
      token,
      shopId,
      issuedAt: new Date(issuedAtSec * 1000).toISOString(),
      expiresAt,
    });
  } else {
    context.output.raw(`${token}\n`);
    context.output.note(
      `Widget token for ${shopId}, valid until ${expiresAt}; render it as the widget's data-token.`,
    );
  }
  return ExitCode.OK;
}

/** Registers `neuroon token`: signs a widget token locally (nothing is sent to Neuroon). */
export function registerTokenCommand(program: Command): Command {
  const command = program
    .command("token")
    .summary("Print a widget token (signed locally).")
    .description(
      "Print a widget token (signed locally with the API key, valid 24 h); stdout holds only the token.",
    );
  addCommonOptions(command).addHelpText(
    "after",
    `
Examples:
  $ TOKEN=$(neuroon token)
  $ neuroon token --json   # {"ok", "exitCode", "token", "shopId", "issuedAt", "expiresAt"}`,
  );
  return command.action(async (_options: unknown, self: Command) => {
    await runCommand(self, printToken);
  });
}
