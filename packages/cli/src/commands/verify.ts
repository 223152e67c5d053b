import { ConflictError, PermissionError } from "@neuroon/core";
import type { Command } from "commander";
import { addCommonOptions, type CommandContext, runCommand } from "../cli/context.js";
import { CliError, UsageError } from "../cli/errors.js";
import { ExitCode, type ExitCodeValue } from "../cli/exit-codes.js";

interface VerifyOptions {
  status?: boolean;
  unverify?: boolean;
}

async function runVerify(
  context: CommandContext,
  domain: string | undefined,
  options: VerifyOptions,
): Promise<ExitCodeValue> {
  const { output } = context;
  const modes = [domain !== undefined, options.status === true, options.unverify === true].filter(
    Boolean,
  ).length;
  if (modes !== 1) {
    throw new UsageError(
      modes === 0
        ? "Nothing to do: give a domain to verify, or --status, or --unverify."
        : "Give either a domain, --status or --unverify, not several.",
      "Examples: `neuroon verify https://shop.example`, `neuroon verify --status`.",
    );
  }
  const { client, shop } = await context.connect();
  if (options.status === true) {
    const data = await client.verification.data();
    output.result({ shopId: client.shopId, url: shop.url, ...data }, () => [
      data.verified
        ? `✓ Shop ${client.shopId} (${shop.url}) is verified.`
        : `✗ Shop ${client.shopId} (${shop.url}) is not verified.`,
      ...(data.verified
        ? []
        : [
            `Verification code: ${data.verificationCode}`,
            data.instructions,
            `Then run: neuroon verify ${shop.url}`,
          ]),
    ]);
    return ExitCode.OK;
  }
  if (options.unverify === true) {
    await client.verification.unverify();
    output.result(
      { shopId: client.shopId, verified: false },
      () => `Removed the domain verification of shop ${client.shopId}.`,
    );
    return ExitCode.OK;
  }
  const target = domain as string;
  try {
    const result = await client.verification.verify(target);
    output.result(
      { ...result, verified: true },
      () => `✓ Verified ${result.domain} for shop ${result.shopId} (${result.name}).`,
    );
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof ConflictError) {
      throw new CliError(`Neuroon refused to verify ${target}: ${error.serverMessage}.`, {
        hint: "The domain is already verified by another Neuroon shop; unverify it there first or contact Neuroon support.",
      });
    }
    if (error instanceof PermissionError) {
      throw new CliError(`Neuroon refused to verify ${target}: ${error.serverMessage}.`, {
        hint: `The domain must be the shop's registered URL (${shop.url}); change it in the Neuroon dashboard if the shop moved.`,
      });
    }
    throw error;
  }
}

/** Registers `neuroon verify [domain] | --status | --unverify`. */
export function registerVerifyCommand(program: Command): Command {
  const command = program
    .command("verify")
    .summary("Verify the shop's domain, show (--status) or remove (--unverify) it.")
    .description(
      "Verify the shop's domain with Neuroon, show the verification state (--status) or remove it (--unverify).",
    )
    .argument("[domain]", "the shop's public URL, e.g. https://shop.example")
    .option("--status", "show whether the shop is verified, with the code and instructions if not")
    .option("--unverify", "remove the verification");
  addCommonOptions(command).addHelpText(
    "after",
    `
Verification is limited to 5 attempts per 5 minutes.

Examples:
  $ neuroon verify https://shop.example
  $ neuroon verify --status --json`,
  );
  return command.action(
    async (domain: string | undefined, _options: VerifyOptions, self: Command) => {
      await runCommand(self, (context) => runVerify(context, domain, self.opts<VerifyOptions>()));
    },
  );
}
