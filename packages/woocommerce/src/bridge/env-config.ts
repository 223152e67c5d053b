import {
  BridgeConfigError,
  type ConfigIssue,
  type ConfigPurpose,
  DEFAULT_COALESCE_MAX_WAIT_MS,
  DEFAULT_COALESCE_QUIET_MS,
  findConfigIssues,
  type WooBridgeConfig,
} from "./config.js";

// The bridge's configuration from environment variables: what the deployable app and the CLI's
// `neuroon woocommerce` commands both read. What each variable means is in config.ts.

type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function milliseconds(env: Env, name: string, issues: ConfigIssue[]): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    issues.push({
      variable: name,
      problem: `must be a whole number of milliseconds, 0 or more; received ${JSON.stringify(raw.slice(0, 40))}.`,
      fix: `Set ${name}=${name.endsWith("MAX_WAIT_MS") ? DEFAULT_COALESCE_MAX_WAIT_MS : DEFAULT_COALESCE_QUIET_MS}, for example.`,
    });
    return undefined;
  }
  return value;
}

function seconds(
  env: Env,
  name: string,
  issues: ConfigIssue[],
  { allowZero }: { allowZero: boolean },
): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    issues.push({
      variable: name,
      problem: `must be a number of seconds${allowZero ? " (0 turns it off)" : " above 0"}; received ${JSON.stringify(raw.slice(0, 40))}.`,
      fix: `Set ${name}=300, for example.`,
    });
    return undefined;
  }
  return value * 1000;
}

/**
 * Builds the bridge configuration from environment variables (`process.env` by default), with
 * `overrides` (e.g. command-line flags) taking precedence. Validates with {@link findConfigIssues}
 * for `purpose` and throws {@link BridgeConfigError} listing every problem.
 */
export function loadBridgeConfig(
  env: Env = process.env,
  overrides: Partial<WooBridgeConfig> = {},
  purpose: ConfigPurpose = "serve",
): WooBridgeConfig {
  const issues: ConfigIssue[] = [];
  const secrets = [
    text(env, "WOOCOMMERCE_WEBHOOK_SECRET"),
    text(env, "WOOCOMMERCE_WEBHOOK_SECRET_PREVIOUS"),
  ].filter((secret): secret is string => secret !== undefined);
  if (
    text(env, "WOOCOMMERCE_WEBHOOK_SECRET") === undefined &&
    text(env, "WOOCOMMERCE_WEBHOOK_SECRET_PREVIOUS") !== undefined
  ) {
    issues.push({
      variable: "WOOCOMMERCE_WEBHOOK_SECRET",
      problem: "is not set, while WOOCOMMERCE_WEBHOOK_SECRET_PREVIOUS is.",
      fix: "Set the current secret in WOOCOMMERCE_WEBHOOK_SECRET; the previous one only verifies deliveries during a rotation.",
    });
  }
  const portText = text(env, "BRIDGE_PORT") ?? text(env, "PORT");
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      issues.push({
        variable: text(env, "BRIDGE_PORT") !== undefined ? "BRIDGE_PORT" : "PORT",
        problem: `must be a TCP port from 0 to 65535; received ${JSON.stringify(portText.slice(0, 20))}.`,
        fix: "WooCommerce delivers only to ports 80, 443 and 8080 of a public host; put a proxy in front or use 8080.",
      });
      port = undefined;
    }
  }
  const reconcileHourText = text(env, "BRIDGE_RECONCILE_HOUR_UTC");
  let reconcileHourUtc: number | false | undefined;
  if (reconcileHourText !== undefined) {
    if (reconcileHourText === "off") reconcileHourUtc = false;
    else {
      const hour = Number(reconcileHourText);
      if (Number.isInteger(hour) && hour >= 0 && hour <= 23) reconcileHourUtc = hour;
      else
        issues.push({
          variable: "BRIDGE_RECONCILE_HOUR_UTC",
          problem: `must be an hour from 0 to 23 (UTC) or "off"; received ${JSON.stringify(reconcileHourText.slice(0, 20))}.`,
          fix: "Set BRIDGE_RECONCILE_HOUR_UTC=3 for a nightly reconcile at 03:00 UTC.",
        });
    }
  }
  const schedule: NonNullable<WooBridgeConfig["schedule"]> = {};
  const poll = seconds(env, "BRIDGE_POLL_INTERVAL_SEC", issues, { allowZero: true });
  if (poll !== undefined) schedule.pollIntervalMs = poll;
  const check = seconds(env, "BRIDGE_WEBHOOK_CHECK_INTERVAL_SEC", issues, { allowZero: true });
  if (check !== undefined) schedule.webhookCheckIntervalMs = check;
  const taxCheck = seconds(env, "BRIDGE_TAX_CHECK_INTERVAL_SEC", issues, { allowZero: true });
  if (taxCheck !== undefined) schedule.taxCheckIntervalMs = taxCheck;
  if (reconcileHourUtc !== undefined) schedule.reconcileHourUtc = reconcileHourUtc;

  const coalesce: NonNullable<WooBridgeConfig["coalesce"]> = {};
  const quietMs = milliseconds(env, "BRIDGE_COALESCE_QUIET_MS", issues);
  if (quietMs !== undefined) coalesce.quietMs = quietMs;
  const maxWaitMs = milliseconds(env, "BRIDGE_COALESCE_MAX_WAIT_MS", issues);
  if (maxWaitMs !== undefined) coalesce.maxWaitMs = maxWaitMs;

  const orderMetaKeys = list(text(env, "NEUROON_ORDER_META_KEYS"));
  const lineMetaKeys = list(text(env, "NEUROON_LINE_META_KEYS"));
  const conversions: NonNullable<WooBridgeConfig["conversions"]> = {};
  if (orderMetaKeys) conversions.orderMetaKeys = orderMetaKeys;
  if (lineMetaKeys) conversions.lineMetaKeys = lineMetaKeys;

  const fromEnv: WooBridgeConfig = {
    woocommerce: {
      url: text(env, "WOOCOMMERCE_URL") ?? "",
      consumerKey: text(env, "WOOCOMMERCE_CONSUMER_KEY") ?? "",
      consumerSecret: text(env, "WOOCOMMERCE_CONSUMER_SECRET") ?? "",
      webhookSecrets: secrets,
      ...(text(env, "WOOCOMMERCE_QUERY_STRING_AUTH") === "true" ? { queryStringAuth: true } : {}),
    },
    neuroon: {
      shopId: text(env, "NEUROON_SHOP_ID") ?? "",
      apiKey: text(env, "NEUROON_API_KEY") ?? "",
      ...(text(env, "NEUROON_API_URL") ? { apiUrl: text(env, "NEUROON_API_URL") as string } : {}),
    },
    dataDir: text(env, "BRIDGE_DATA_DIR") ?? "",
    ...(text(env, "BRIDGE_PUBLIC_URL")
      ? { publicUrl: text(env, "BRIDGE_PUBLIC_URL") as string }
      : {}),
    ...(text(env, "BRIDGE_HOST") ? { host: text(env, "BRIDGE_HOST") as string } : {}),
    ...(port !== undefined ? { port } : {}),
    schedule,
    conversions,
    ...(Object.keys(coalesce).length > 0 ? { coalesce } : {}),
  };
  const config: WooBridgeConfig = {
    ...fromEnv,
    ...overrides,
    woocommerce: { ...fromEnv.woocommerce, ...overrides.woocommerce },
    neuroon: { ...fromEnv.neuroon, ...overrides.neuroon },
    schedule: { ...fromEnv.schedule, ...overrides.schedule },
    conversions: { ...fromEnv.conversions, ...overrides.conversions },
    ...(fromEnv.coalesce || overrides.coalesce
      ? { coalesce: { ...fromEnv.coalesce, ...overrides.coalesce } }
      : {}),
  };
  const all = [...issues, ...findConfigIssues(config, purpose)];
  if (all.length > 0) throw new BridgeConfigError(all);
  return config;
}
