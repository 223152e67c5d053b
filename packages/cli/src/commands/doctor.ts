import { existsSync } from "node:fs";
import {
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  type NeuroonClient,
  openSqliteQueue,
  PermissionError,
  type ShopInfo,
  TimeoutError,
  validateApiKey,
} from "@neuroon/core";
import type { Command } from "commander";
import type { ResolvedConfig } from "../cli/config.js";
import { addCommonOptions, type CommandContext, runCommand, storePathOf } from "../cli/context.js";
import { describeFailure } from "../cli/errors.js";
import { ExitCode, type ExitCodeValue } from "../cli/exit-codes.js";
import { maskSecret } from "../cli/redact.js";

/** One line of the doctor's report. */
export interface DoctorCheck {
  name: string;
  /** `skip`: not run because an earlier check failed. */
  status: "ok" | "fail" | "skip";
  detail: string;
  fix?: string;
}

function ok(name: string, detail: string): DoctorCheck {
  return { name, status: "ok", detail };
}

function fail(name: string, detail: string, fix: string): DoctorCheck {
  return { name, status: "fail", detail, fix };
}

function skip(name: string, detail: string): DoctorCheck {
  return { name, status: "skip", detail };
}

function describeSource(config: ResolvedConfig, key: keyof ResolvedConfig["sources"]): string {
  const source = config.sources[key];
  return source === "flag"
    ? "flag"
    : source === "env"
      ? "environment"
      : source === "file"
        ? "config file"
        : "default";
}

function checkConfiguration(context: CommandContext): {
  config?: ResolvedConfig;
  check: DoctorCheck;
} {
  let config: ResolvedConfig;
  try {
    config = context.config;
  } catch (error) {
    const failure = describeFailure(error);
    return {
      check: fail("Configuration", failure.message, failure.hint ?? "Fix the config file."),
    };
  }
  const missing = [
    config.shopId === undefined ? "shop id" : "",
    config.apiKey === undefined ? "API key" : "",
  ].filter(Boolean);
  const file = config.configPath ?? "none";
  if (missing.length > 0) {
    return {
      config,
      check: fail(
        "Configuration",
        `missing ${missing.join(" and ")} (config file: ${file})`,
        "Set NEUROON_SHOP_ID and NEUROON_API_KEY (or --shop-id/--api-key, or shopId/apiKey in neuroon.config.json).",
      ),
    };
  }
  return {
    config,
    check: ok(
      "Configuration",
      `shop ${config.shopId} (${describeSource(config, "shopId")}), API ${config.apiUrl} (${describeSource(config, "apiUrl")}), ` +
        `key from ${describeSource(config, "apiKey")}, config file ${file}`,
    ),
  };
}

function checkKeyFormat(config: ResolvedConfig): DoctorCheck {
  const key = config.apiKey as string;
  try {
    // Core's rule and wording: what is wrong (length, prefix, whitespace), never the key itself.
    validateApiKey(key);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return fail(
      "API key format",
      error.message,
      "Copy the key again from Dashboard → Shop → API Keys into NEUROON_API_KEY.",
    );
  }
  return ok("API key format", `${maskSecret(key)}: sk_ + 32 hex characters`);
}

interface ReachResult {
  checks: DoctorCheck[];
  shop?: ShopInfo;
}

async function checkApi(context: CommandContext, config: ResolvedConfig): Promise<ReachResult> {
  let rateLimit: { limit?: number; remaining?: number } = {};
  let client: NeuroonClient;
  try {
    client = context.createClient({
      maxRetries: 0,
      onResponse: (event) => {
        const limit = Number(event.headers["x-ratelimit-limit"]);
        const remaining = Number(event.headers["x-ratelimit-remaining"]);
        rateLimit = {
          ...(Number.isFinite(limit) && event.headers["x-ratelimit-limit"] !== undefined
            ? { limit }
            : {}),
          ...(Number.isFinite(remaining) && event.headers["x-ratelimit-remaining"] !== undefined
            ? { remaining }
            : {}),
        };
      },
    });
  } catch (error) {
    const failure = describeFailure(error);
    return {
      checks: [fail("Reachability", failure.message, failure.hint ?? "Fix the configuration.")],
    };
  }
  const startedAtMs = Date.now();
  let shop: ShopInfo;
  try {
    shop = await client.shop.me({ timeoutMs: Math.min(config.timeoutMs, 10_000) });
  } catch (error) {
    if (error instanceof ConnectionError || error instanceof TimeoutError) {
      return {
        checks: [
          fail(
            "Reachability",
            `cannot reach ${config.apiUrl}: ${error.message}`,
            "Check NEUROON_API_URL (or --api-url), DNS, proxies and firewalls; production is https://api.neuroon.ai.",
          ),
          skip("Credentials", "not checked: the API is unreachable"),
        ],
      };
    }
    const reached = ok(
      "Reachability",
      `${config.apiUrl} answered in ${Date.now() - startedAtMs} ms`,
    );
    if (error instanceof AuthenticationError || error instanceof PermissionError) {
      return {
        checks: [
          reached,
          fail(
            "Credentials",
            `Neuroon refused the key for shop ${config.shopId}: ${error.message}`,
            "Check the key belongs to this shop and environment (development and production keys differ); create a new one under Dashboard → Shop → API Keys.",
          ),
        ],
      };
    }
    const failure = describeFailure(error);
    return {
      checks: [
        reached,
        fail("Credentials", failure.message, failure.hint ?? "Run the command again later."),
      ],
    };
  }
  const checks: DoctorCheck[] = [
    ok("Reachability", `${config.apiUrl} answered in ${Date.now() - startedAtMs} ms`),
  ];
  if (shop.shopId !== config.shopId) {
    checks.push(
      fail(
        "Credentials",
        `the key belongs to shop ${shop.shopId}, not to the configured ${config.shopId}`,
        "Use the key of the configured shop, or set NEUROON_SHOP_ID to the key's shop.",
      ),
    );
    return { checks, shop };
  }
  checks.push(ok("Credentials", `shop ${shop.shopId} "${shop.name}" (${shop.url})`));
  checks.push(
    shop.verified
      ? ok("Domain verification", `${shop.url} is verified`)
      : fail(
          "Domain verification",
          `${shop.url} is not verified; Neuroon may refuse requests with 403 "Domain not verified" until it is`,
          `Run: neuroon verify ${shop.url}`,
        ),
  );
  const { limit, remaining } = rateLimit;
  if (remaining === undefined) {
    checks.push(
      ok(
        "Rate limits",
        "no X-RateLimit headers in the answer; the client paces requests to the documented limits",
      ),
    );
  } else if (remaining <= 0) {
    checks.push(
      fail(
        "Rate limits",
        `the shop-info budget is used up (0 of ${limit ?? "?"} left this window)`,
        "Another process is calling the API heavily with this key; wait a minute, and make sure integrations share one client per shop.",
      ),
    );
  } else {
    checks.push(
      ok("Rate limits", `${remaining} of ${limit ?? "?"} shop-info requests left in this window`),
    );
  }
  const headroom = shop.maxProducts - shop.productsCount;
  checks.push(
    headroom > 0
      ? ok(
          "Plan quota",
          `${shop.productsCount.toLocaleString("en-US")} of ${shop.maxProducts.toLocaleString("en-US")} products, ${shop.searchesThisMonth.toLocaleString("en-US")} of ${shop.maxSearchesPerMonth.toLocaleString("en-US")} searches this month`,
        )
      : fail(
          "Plan quota",
          `the catalog is full (${shop.productsCount} of ${shop.maxProducts} products): new products are refused`,
          "Delete products Neuroon should not hold (`neuroon reconcile`) or upgrade the plan.",
        ),
  );
  return { checks, shop };
}

async function checkQueue(config: ResolvedConfig): Promise<DoctorCheck> {
  if (config.shopId === undefined) return skip("Queue", "not checked: no shop id");
  const path = storePathOf(config, config.shopId);
  if (!existsSync(path)) return ok("Queue", `empty (${path} not created yet)`);
  let stats: Awaited<ReturnType<ReturnType<typeof openSqliteQueue>["stats"]>>;
  try {
    const queue = openSqliteQueue({ path });
    try {
      stats = await queue.stats();
    } finally {
      await queue.close();
    }
  } catch (error) {
    return fail(
      "Queue",
      `cannot open ${path}: ${(error as Error).message}`,
      "Check the file's permissions, or move it away to start a new queue.",
    );
  }
  const detail = `${stats.pending} pending, ${stats.delayed} delayed, ${stats.inFlight} in flight, ${stats.deadLetters} dead letters (${path})`;
  if (stats.deadLetters > 0) {
    return fail(
      "Queue",
      detail,
      "See why with `neuroon queue dead-letters`, fix the cause, then `neuroon queue retry`.",
    );
  }
  return ok("Queue", detail);
}

async function runDoctor(context: CommandContext): Promise<ExitCodeValue> {
  const checks: DoctorCheck[] = [];
  const { config, check } = checkConfiguration(context);
  checks.push(check);
  if (config !== undefined && check.status === "ok") {
    const keyCheck = checkKeyFormat(config);
    checks.push(keyCheck);
    if (keyCheck.status === "ok") checks.push(...(await checkApi(context, config)).checks);
    else checks.push(skip("Reachability", "not checked: fix the key first"));
  } else {
    checks.push(skip("API", "not checked: fix the configuration first"));
  }
  if (config !== undefined) checks.push(await checkQueue(config));
  const isHealthy = checks.every((entry) => entry.status !== "fail");
  const exitCode = isHealthy ? ExitCode.OK : ExitCode.FAILED;
  context.output.result({ ok: isHealthy, exitCode, checks }, () => {
    const width = Math.max(...checks.map((entry) => entry.name.length));
    const lines: string[] = [];
    for (const entry of checks) {
      const mark = entry.status === "ok" ? "✓" : entry.status === "fail" ? "✗" : "-";
      lines.push(`${mark} ${entry.name.padEnd(width)}  ${entry.detail}`);
      if (entry.fix !== undefined) lines.push(`  ${"".padEnd(width)}  fix: ${entry.fix}`);
    }
    const failed = checks.filter((entry) => entry.status === "fail").length;
    lines.push(
      isHealthy ? "All checks passed." : `${failed} check${failed === 1 ? "" : "s"} failed.`,
    );
    return lines;
  });
  return exitCode;
}

/** Registers `neuroon doctor`: checks configuration, credentials, verification, limits and the queue. */
export function registerDoctorCommand(program: Command): Command {
  const command = program
    .command("doctor")
    .summary("Check configuration, credentials, verification, limits and queue.")
    .description(
      "Check the configuration, key format, reachability, credentials, domain verification, rate-limit headroom and queue health.",
    );
  addCommonOptions(command, { dataDir: true }).addHelpText(
    "after",
    `
Each check prints ✓ or ✗ with a fix; the exit code is 1 when any check fails.

Example:
  $ neuroon doctor`,
  );
  return command.action(async (_options: unknown, self: Command) => {
    await runCommand(self, runDoctor);
  });
}
