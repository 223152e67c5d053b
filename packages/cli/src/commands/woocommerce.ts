import type { SyncEvent } from "@neuroon/core";
import { WooCommerceError } from "@neuroon/woocommerce";
import {
  BridgeConfigError,
  type BridgeLogger,
  type ConfigPurpose,
  createJsonLineLogger,
  createWooBridge,
  installShutdownHandlers,
  loadBridgeConfig,
  type WooBridge,
  type WooBridgeConfig,
} from "@neuroon/woocommerce/bridge";
import { type Command, InvalidArgumentError } from "commander";
import { addCommonOptions, type CommandContext, runCommand } from "../cli/context.js";
import { UsageError } from "../cli/errors.js";
import { ExitCode, type ExitCodeValue } from "../cli/exit-codes.js";
import type { OutputStream } from "../cli/output.js";
import { registerSecret, registerSecretsIn } from "../cli/redact.js";
import { describeSummary, exitCodeOfRun } from "../cli/sync-report.js";

/** The options of the `woocommerce` commands besides the shared ones. */
interface WooFlags {
  storeUrl?: string;
  consumerKey?: string;
  consumerSecret?: string;
  publicUrl?: string;
  port?: number;
  host?: string;
  force?: boolean;
  maxDeleteRatio?: number;
}

/** The `"woocommerce"` section of neuroon.config.json (secrets belong in the environment). */
interface WooFileSection {
  url?: string;
  consumerKey?: string;
  consumerSecret?: string;
  webhookSecret?: string;
  publicUrl?: string;
  port?: number;
  host?: string;
  orderMetaKeys?: string[];
  lineMetaKeys?: string[];
}

const ENV_HELP = `
Configuration (flags > environment > "woocommerce" section of neuroon.config.json):
  WOOCOMMERCE_URL               the store's home URL, exactly as WordPress knows it (--store-url)
  WOOCOMMERCE_CONSUMER_KEY      REST API key ck_… (Read/Write to manage webhooks)
  WOOCOMMERCE_CONSUMER_SECRET   cs_…
  WOOCOMMERCE_WEBHOOK_SECRET    the webhooks' secret (openssl rand -hex 32); setup and serve
  BRIDGE_PUBLIC_URL             the bridge's URL as the store reaches it (--public-url)
  NEUROON_API_URL, NEUROON_SHOP_ID, NEUROON_API_KEY, NEUROON_DATA_DIR (or BRIDGE_DATA_DIR)`;

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`expected a port from 0 to 65535, received "${value}".`);
  }
  return port;
}

function parseRatio(value: string): number {
  const ratio = Number(value);
  if (value.trim() === "" || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new InvalidArgumentError(
      `expected a share from 0 to 1 such as 0.25, received "${value}".`,
    );
  }
  return ratio;
}

function fileSection(context: CommandContext): WooFileSection {
  const section = context.config.file.woocommerce;
  if (section === undefined) return {};
  if (typeof section !== "object" || section === null || Array.isArray(section)) {
    throw new UsageError(
      `"woocommerce" in ${context.config.configPath ?? "the config file"} must be an object such as {"url": "https://shop.example"}.`,
    );
  }
  registerSecretsIn(section);
  return section as WooFileSection;
}

/**
 * The bridge configuration for this invocation: one environment assembled from the config file,
 * then the real environment, then the flags (later wins), validated by the bridge itself so the
 * messages are the same as the deployed service's. Neuroon settings and the data directory come
 * from the CLI's shared resolution.
 */
export function resolveWooConfig(
  context: CommandContext,
  flags: WooFlags,
  purpose: ConfigPurpose,
): WooBridgeConfig {
  const env = context.io.env;
  const file = fileSection(context);
  const config = context.config;
  const merged: Record<string, string | undefined> = {
    WOOCOMMERCE_URL: file.url,
    WOOCOMMERCE_CONSUMER_KEY: file.consumerKey,
    WOOCOMMERCE_CONSUMER_SECRET: file.consumerSecret,
    WOOCOMMERCE_WEBHOOK_SECRET: file.webhookSecret,
    BRIDGE_PUBLIC_URL: file.publicUrl,
    BRIDGE_PORT: file.port === undefined ? undefined : String(file.port),
    BRIDGE_HOST: file.host,
    NEUROON_ORDER_META_KEYS: file.orderMetaKeys?.join(","),
    NEUROON_LINE_META_KEYS: file.lineMetaKeys?.join(","),
  };
  for (const [name, value] of Object.entries(env)) {
    if (/^(WOOCOMMERCE_|BRIDGE_|NEUROON_ORDER_|NEUROON_LINE_|PORT$)/.test(name)) {
      if (value !== undefined && value.trim() !== "") merged[name] = value;
    }
  }
  if (flags.storeUrl !== undefined) merged.WOOCOMMERCE_URL = flags.storeUrl;
  if (flags.consumerKey !== undefined) merged.WOOCOMMERCE_CONSUMER_KEY = flags.consumerKey;
  if (flags.consumerSecret !== undefined) merged.WOOCOMMERCE_CONSUMER_SECRET = flags.consumerSecret;
  if (flags.publicUrl !== undefined) merged.BRIDGE_PUBLIC_URL = flags.publicUrl;
  if (flags.port !== undefined) merged.BRIDGE_PORT = String(flags.port);
  if (flags.host !== undefined) merged.BRIDGE_HOST = flags.host;
  merged.NEUROON_API_URL = config.apiUrl;
  merged.NEUROON_SHOP_ID = config.shopId;
  merged.NEUROON_API_KEY = config.apiKey;
  // The CLI's --data-dir/NEUROON_DATA_DIR wins; a deployment's BRIDGE_DATA_DIR beats the default.
  merged.BRIDGE_DATA_DIR =
    config.sources.dataDir === "default" && merged.BRIDGE_DATA_DIR
      ? merged.BRIDGE_DATA_DIR
      : config.dataDir;
  for (const name of [
    "WOOCOMMERCE_CONSUMER_KEY",
    "WOOCOMMERCE_CONSUMER_SECRET",
    "WOOCOMMERCE_WEBHOOK_SECRET",
    "WOOCOMMERCE_WEBHOOK_SECRET_PREVIOUS",
    "NEUROON_API_KEY",
  ]) {
    registerSecret(merged[name]);
  }
  try {
    return loadBridgeConfig(merged, {}, purpose);
  } catch (error) {
    if (error instanceof BridgeConfigError) {
      throw new UsageError(
        error.message,
        'Set the variables above (or the matching flags, or the "woocommerce" section of neuroon.config.json); run with --help for the list.',
      );
    }
    throw error;
  }
}

/** Store credentials or permissions refused: a configuration problem (exit 2), not a failure. */
function asUsageError(error: unknown): unknown {
  if (WooCommerceError.isWooCommerceError(error) && error.kind === "auth") {
    return new UsageError(
      error.message,
      "Check WOOCOMMERCE_URL, WOOCOMMERCE_CONSUMER_KEY and WOOCOMMERCE_CONSUMER_SECRET; managing webhooks needs a Read/Write key.",
    );
  }
  if (error instanceof BridgeConfigError) return new UsageError(error.message);
  return error;
}

async function withBridge<T>(
  context: CommandContext,
  flags: WooFlags,
  purpose: ConfigPurpose,
  options: { onEvent?: (event: SyncEvent) => void; logger?: BridgeLogger },
  body: (bridge: WooBridge) => Promise<T>,
): Promise<T> {
  const config = resolveWooConfig(context, flags, purpose);
  config.engine = {
    ...config.engine,
    batchSize: context.config.batchSize,
    maxDeleteRatio: flags.maxDeleteRatio ?? context.config.maxDeleteRatio,
  };
  const bridge = createWooBridge(config, {
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    client: {
      timeoutMs: context.config.timeoutMs,
      maxRetries: context.config.maxRetries,
    },
  });
  try {
    return await body(bridge);
  } catch (error) {
    throw asUsageError(error);
  } finally {
    await bridge.close();
  }
}

async function runSetup(context: CommandContext, flags: WooFlags): Promise<ExitCodeValue> {
  const result = await withBridge(context, flags, "setup", {}, (bridge) => bridge.setup());
  context.output.result({ ok: true, ...result }, () => [
    `WooCommerce store ${result.store.url}: credentials OK (${result.store.products} products).`,
    `Neuroon shop ${result.neuroon.shopId}${result.neuroon.name ? ` (${result.neuroon.name})` : ""}: credentials OK.`,
    `Webhooks delivering to ${result.deliveryUrl}:`,
    ...result.webhooks.map(
      (w) =>
        `  ${w.topic.padEnd(17)} #${w.id} ${w.action}${w.changes ? ` (${w.changes.join(", ")})` : ""}`,
    ),
    ...(result.webhooks.every((w) => w.action === "unchanged")
      ? ["Nothing changed: every webhook was already in place."]
      : []),
    "Next: `neuroon woocommerce sync` for the first full sync, then `neuroon woocommerce serve`.",
  ]);
  for (const warning of result.warnings) context.output.warn(warning);
  return ExitCode.OK;
}

async function runSync(context: CommandContext, flags: WooFlags): Promise<ExitCodeValue> {
  const progress = context.progress("Syncing", { unit: "products" });
  const summary = await withBridge(
    context,
    flags,
    "sync",
    {
      onEvent: (event) => {
        if (event.type === "progress") progress.update(event.done);
      },
    },
    async (bridge) => {
      try {
        return await bridge.syncAll();
      } finally {
        progress.finish();
      }
    },
  );
  const exitCode = exitCodeOfRun(summary);
  context.output.result({ ok: exitCode === ExitCode.OK, exitCode, summary }, () => [
    `Full sync: ${describeSummary(summary)}.`,
  ]);
  return exitCode;
}

async function runReconcile(context: CommandContext, flags: WooFlags): Promise<ExitCodeValue> {
  const progress = context.progress("Comparing", { unit: "products" });
  const deleted: string[] = [];
  const summary = await withBridge(
    context,
    flags,
    "reconcile",
    {
      onEvent: (event) => {
        if (event.type === "progress") progress.update(event.done);
        if (event.type === "deleted") deleted.push(event.externalId);
      },
    },
    async (bridge) => {
      try {
        return await bridge.reconcile({ force: flags.force === true });
      } finally {
        progress.finish();
      }
    },
  );
  const exitCode = exitCodeOfRun(summary);
  context.output.result({ ok: exitCode === ExitCode.OK, exitCode, deleted, summary }, () => [
    deleted.length === 0
      ? "Nothing to delete: Neuroon holds no product the store lacks."
      : `Deleted ${deleted.length} products the store no longer has: ${deleted.slice(0, 20).join(", ")}${deleted.length > 20 ? ", …" : ""}`,
    `Reconcile: ${describeSummary(summary)}.`,
  ]);
  return exitCode;
}

/** Human log lines on stderr: `12:00:01 info webhook queued topic=product.updated keys=["42"]`. */
function createTextLogger(stream: OutputStream): BridgeLogger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const extra = Object.entries(fields ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    stream.write(
      `${new Date().toISOString().slice(11, 19)} ${level} ${msg}${extra ? ` ${extra}` : ""}\n`,
    );
  };
  return {
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}

async function runServe(context: CommandContext, flags: WooFlags): Promise<ExitCodeValue> {
  const { output } = context;
  const redacting: OutputStream = {
    write: (text: string) => {
      output.io.stderr.write(text);
      return true;
    },
  };
  const logger = output.isJson ? createJsonLineLogger(redacting) : createTextLogger(redacting);
  const config = resolveWooConfig(context, flags, "serve");
  const bridge = createWooBridge(config, {
    logger,
    client: { timeoutMs: context.config.timeoutMs },
  });
  let started: { url: string };
  try {
    started = await bridge.start();
  } catch (error) {
    await bridge.stop().catch(() => {});
    throw asUsageError(error);
  }
  output.result(
    {
      ok: true,
      url: started.url,
      webhookUrl: `${config.publicUrl?.replace(/\/+$/, "")}${config.webhookPath ?? "/woocommerce/webhooks"}`,
    },
    () => [started.url],
  );
  const stopped = await new Promise<unknown>((resolve) => {
    installShutdownHandlers(bridge, { logger, onStopped: resolve });
  });
  if (stopped) throw stopped;
  return ExitCode.OK;
}

/**
 * `neuroon woocommerce setup | sync | reconcile | serve`: the WooCommerce bridge from the command
 * line. `serve` runs the deployable bridge (webhooks, worker, scheduler) in the foreground.
 */
export function registerWooCommerceCommand(program: Command): Command {
  const group = program
    .command("woocommerce")
    .description("Connect a WooCommerce store: set up webhooks, sync, reconcile, run the bridge.")
    .addHelpText("after", ENV_HELP);

  const storeOptions = (command: Command) =>
    command
      .option("--store-url <url>", "the store's home URL (env WOOCOMMERCE_URL)")
      .option("--consumer-key <key>", "REST API consumer key ck_… (env WOOCOMMERCE_CONSUMER_KEY)")
      .option(
        "--consumer-secret <secret>",
        "consumer secret cs_…; prefer env WOOCOMMERCE_CONSUMER_SECRET (flags show up in `ps`)",
      );

  const setup = group
    .command("setup")
    .description(
      "Check the store and Neuroon credentials, then create or repair the bridge's webhooks in the store.",
    )
    .option(
      "--public-url <url>",
      "the bridge's URL as the store reaches it (env BRIDGE_PUBLIC_URL)",
    )
    .addHelpText(
      "after",
      `\nExample:\n  WOOCOMMERCE_WEBHOOK_SECRET=$(openssl rand -hex 32) neuroon woocommerce setup --public-url https://bridge.example.com\n${ENV_HELP}`,
    );
  addCommonOptions(storeOptions(setup), { dataDir: true });
  setup.action(async (_options: WooFlags, command: Command) => {
    await runCommand(command, (context) => runSetup(context, command.opts<WooFlags>()));
  });

  const sync = group
    .command("sync")
    .description(
      "Send the store's whole catalog to Neuroon (only what changed since the last sync), with progress.",
    )
    .addHelpText("after", `\nExample:\n  neuroon woocommerce sync --json\n${ENV_HELP}`);
  addCommonOptions(storeOptions(sync), { dataDir: true });
  sync.action(async (_options: WooFlags, command: Command) => {
    await runCommand(command, (context) => runSync(context, command.opts<WooFlags>()));
  });

  const reconcile = group
    .command("reconcile")
    .description(
      "Delete from Neuroon what the store no longer has (force deletes send no webhook); refuses large deletions unless --force.",
    )
    .option("--force", "delete even beyond the safety valve's share")
    .option(
      "--max-delete-ratio <share>",
      "largest share of Neuroon's catalog one reconcile may delete (default 0.1)",
      parseRatio,
    )
    .addHelpText("after", `\nExample:\n  neuroon woocommerce reconcile\n${ENV_HELP}`);
  addCommonOptions(storeOptions(reconcile), { dataDir: true });
  reconcile.action(async (_options: WooFlags, command: Command) => {
    await runCommand(command, (context) => runReconcile(context, command.opts<WooFlags>()));
  });

  const serve = group
    .command("serve")
    .description(
      "Run the bridge: receive signed webhooks, deliver changes to Neuroon, poll, reconcile nightly, keep webhooks active. Stops gracefully on SIGINT/SIGTERM.",
    )
    .option(
      "--public-url <url>",
      "the bridge's URL as the store reaches it (env BRIDGE_PUBLIC_URL)",
    )
    .option("--port <port>", "port to listen on (env BRIDGE_PORT or PORT; default 8080)", parsePort)
    .option("--host <host>", "interface to listen on (env BRIDGE_HOST; default 0.0.0.0)")
    .addHelpText(
      "after",
      `\nThe first line of stdout is the URL it listens on; logs go to stderr (JSON lines with --json).\n${ENV_HELP}`,
    );
  addCommonOptions(storeOptions(serve), { dataDir: true });
  serve.action(async (_options: WooFlags, command: Command) => {
    await runCommand(command, (context) => runServe(context, command.opts<WooFlags>()));
  });
  return group;
}
