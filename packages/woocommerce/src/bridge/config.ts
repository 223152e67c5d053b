import { isIP } from "node:net";
import { resolve } from "node:path";
import { parseNeuroonSettings } from "@neuroon/core/settings";

/** The topics the bridge subscribes to (notes §3.1; `product.*` also fires for variations). */
export const BRIDGE_WEBHOOK_TOPICS = [
  "product.created",
  "product.updated",
  "product.deleted",
  "product.restored",
  "order.created",
  "order.updated",
] as const;

/** Where WooCommerce posts deliveries, under the bridge's public URL. */
export const DEFAULT_WEBHOOK_PATH = "/woocommerce/webhooks";
/** 8080 is one of the three ports WordPress' `wp_safe_remote_request` delivers to (80, 443, 8080). */
export const DEFAULT_PORT = 8080;
/** Webhook bodies above this get 413; a product with hundreds of variation ids stays far below. */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
export const DEFAULT_POLL_INTERVAL_MS = 5 * 60_000;
/** How far back each poll re-reads before the high-water mark (clock skew, same-second edits). */
export const DEFAULT_POLL_OVERLAP_MS = 2 * 60_000;
export const DEFAULT_WEBHOOK_CHECK_INTERVAL_MS = 60 * 60_000;
/** Tax settings send no webhook: they are read again this often, and a change re-prices the catalog. */
export const DEFAULT_TAX_CHECK_INTERVAL_MS = 5 * 60_000;
/** The nightly reconcile runs at this UTC hour. */
export const DEFAULT_RECONCILE_HOUR_UTC = 3;
export const DEFAULT_WORKER_IDLE_MS = 1_000;
/** The worker's coalescing window (core's `waitForCoalescedBatch`): quiet time before a drain. */
export const DEFAULT_COALESCE_QUIET_MS = 1_000;
/** …and the longest a change waits for the queue to go quiet. */
export const DEFAULT_COALESCE_MAX_WAIT_MS = 10_000;

/** Configuration of {@link createWooBridge}. Secrets are never printed. */
export interface WooBridgeConfig {
  woocommerce: {
    /** `WOOCOMMERCE_URL`: the store's home URL exactly as WordPress knows it. */
    url: string;
    /** `WOOCOMMERCE_CONSUMER_KEY` (`ck_…`, Read/Write to manage webhooks). */
    consumerKey: string;
    /** `WOOCOMMERCE_CONSUMER_SECRET` (`cs_…`). */
    consumerSecret: string;
    /**
     * `WOOCOMMERCE_WEBHOOK_SECRET` (plus `WOOCOMMERCE_WEBHOOK_SECRET_PREVIOUS` during a rotation):
     * the first one is given to the webhooks `setup` creates; any of them verifies a delivery.
     */
    webhookSecrets?: readonly string[];
    /** Over https, send the key in the query string (hosts that strip `Authorization`). */
    queryStringAuth?: boolean;
    /** Per-attempt timeout of store calls. Default 30 000. */
    timeoutMs?: number;
    /** Where brands come from (`@neuroon/woocommerce`); default `"core"`. */
    brandSource?: "core" | "none" | { attribute: string } | { meta: string };
  };
  neuroon: {
    /** `NEUROON_API_URL`; production when unset. */
    apiUrl?: string;
    /** `NEUROON_SHOP_ID`. */
    shopId: string;
    /** `NEUROON_API_KEY` (`sk_` + 32 hex). */
    apiKey: string;
  };
  /** `BRIDGE_PUBLIC_URL`: the bridge's URL as the store reaches it; deliveries go to `<publicUrl><webhookPath>`. */
  publicUrl?: string;
  /** `BRIDGE_DATA_DIR`: where the SQLite queue, sync state and delivery log live. */
  dataDir: string;
  /** `BRIDGE_PORT` / `PORT`. Default 8080; 0 picks a free port. */
  port?: number;
  /** `BRIDGE_HOST`. Default `0.0.0.0`. */
  host?: string;
  /** Default {@link DEFAULT_WEBHOOK_PATH}. */
  webhookPath?: string;
  /** Default {@link DEFAULT_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  conversions?: {
    /** `NEUROON_ORDER_META_KEYS`: order meta keys holding the `neuroon_clicks` JSON. */
    orderMetaKeys?: readonly string[];
    /** `NEUROON_LINE_META_KEYS`: line-item meta keys holding one search log id. */
    lineMetaKeys?: readonly string[];
    /** Statuses that mean paid. Default processing, completed. */
    paidStatuses?: readonly string[];
  };
  schedule?: {
    /** `BRIDGE_POLL_INTERVAL_SEC`; 0 turns polling off. Default 5 min. */
    pollIntervalMs?: number;
    pollOverlapMs?: number;
    /** `BRIDGE_WEBHOOK_CHECK_INTERVAL_SEC`; 0 turns the check off. Default 1 h. */
    webhookCheckIntervalMs?: number;
    /** `BRIDGE_RECONCILE_HOUR_UTC`; `false` turns the nightly reconcile off. Default 3. */
    reconcileHourUtc?: number | false;
    /** `BRIDGE_TAX_CHECK_INTERVAL_SEC`; 0 turns the tax-settings check off. Default 5 min. */
    taxCheckIntervalMs?: number;
  };
  engine?: {
    batchSize?: number;
    maxDeleteRatio?: number;
    retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
    leaseMs?: number;
  };
  /** Sleep between drains when the queue is empty. Default 1 000. */
  workerIdleMs?: number;
  /**
   * The worker's coalescing window: after changes arrive it drains once nothing new was enqueued
   * for `quietMs` (`BRIDGE_COALESCE_QUIET_MS`, default 1 000; 0 drains at once) or `maxWaitMs`
   * after it first saw them (`BRIDGE_COALESCE_MAX_WAIT_MS`, default 10 000), so a burst of
   * webhooks goes out in few full batches. Conversions are reported without waiting.
   */
  coalesce?: { quietMs?: number; maxWaitMs?: number };
}

/** One problem with the configuration: which setting, what is wrong, how to fix it. */
export interface ConfigIssue {
  /** The environment variable (or option) at fault. */
  variable: string;
  problem: string;
  fix: string;
}

/** Thrown when the configuration cannot work; `issues` lists every problem found, not just the first. */
export class BridgeConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      `The WooCommerce bridge is not configured correctly:\n${issues
        .map((issue) => `  - ${issue.variable}: ${issue.problem} ${issue.fix}`)
        .join("\n")}`,
    );
    this.name = "BridgeConfigError";
    this.issues = issues;
  }
}

/** Which parts of the configuration an operation needs. */
export type ConfigPurpose = "serve" | "setup" | "sync" | "reconcile";

function parseHttpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Every problem in `config` for `purpose`, without throwing. Messages never include secret values. */
export function findConfigIssues(
  config: WooBridgeConfig,
  purpose: ConfigPurpose = "serve",
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const woo = config.woocommerce;
  if (!woo?.url) {
    issues.push({
      variable: "WOOCOMMERCE_URL",
      problem: "is not set.",
      fix: "Set it to the store's home URL exactly as WordPress shows it (Settings → General → Site Address), e.g. https://shop.example.",
    });
  } else if (!parseHttpUrl(woo.url)) {
    issues.push({
      variable: "WOOCOMMERCE_URL",
      problem: `must be an http(s) URL; received ${JSON.stringify(woo.url.slice(0, 80))}.`,
      fix: "Use the full home URL with its scheme, e.g. https://shop.example or https://example.com/store.",
    });
  }
  if (!woo?.consumerKey) {
    issues.push({
      variable: "WOOCOMMERCE_CONSUMER_KEY",
      problem: "is not set.",
      fix: "Create a REST API key in WooCommerce → Settings → Advanced → REST API (Read/Write) and set its Consumer key (ck_…).",
    });
  } else if (!woo.consumerKey.startsWith("ck_")) {
    issues.push({
      variable: "WOOCOMMERCE_CONSUMER_KEY",
      problem: "does not start with ck_ (it may be the secret or another value).",
      fix: "Copy the Consumer key (ck_…) shown when the REST API key was created.",
    });
  }
  if (!woo?.consumerSecret) {
    issues.push({
      variable: "WOOCOMMERCE_CONSUMER_SECRET",
      problem: "is not set.",
      fix: "Set the Consumer secret (cs_…) shown once when the REST API key was created; create a new key if it was lost.",
    });
  } else if (!woo.consumerSecret.startsWith("cs_")) {
    issues.push({
      variable: "WOOCOMMERCE_CONSUMER_SECRET",
      problem: "does not start with cs_ (it may be the key or another value).",
      fix: "Copy the Consumer secret (cs_…) of the same REST API key.",
    });
  }
  const needsWebhooks = purpose === "serve" || purpose === "setup";
  if (needsWebhooks) {
    const secrets = woo?.webhookSecrets ?? [];
    if (secrets.length === 0 || secrets.some((secret) => secret.length === 0)) {
      issues.push({
        variable: "WOOCOMMERCE_WEBHOOK_SECRET",
        problem: "is not set.",
        fix: "Generate one (openssl rand -hex 32) and set it; `neuroon woocommerce setup` gives it to the store's webhooks.",
      });
    } else if ((secrets[0] as string).length < 16) {
      issues.push({
        variable: "WOOCOMMERCE_WEBHOOK_SECRET",
        problem: `is too short (${(secrets[0] as string).length} characters; at least 16).`,
        fix: "Generate a strong one: openssl rand -hex 32.",
      });
    }
    if (!config.publicUrl) {
      issues.push({
        variable: "BRIDGE_PUBLIC_URL",
        problem: "is not set.",
        fix: `Set it to the bridge's URL as the store reaches it, e.g. https://bridge.example.com; deliveries go to <BRIDGE_PUBLIC_URL>${config.webhookPath ?? DEFAULT_WEBHOOK_PATH}.`,
      });
    } else if (!parseHttpUrl(config.publicUrl)) {
      issues.push({
        variable: "BRIDGE_PUBLIC_URL",
        problem: `must be an http(s) URL; received ${JSON.stringify(config.publicUrl.slice(0, 80))}.`,
        fix: "Use the full URL with its scheme, e.g. https://bridge.example.com.",
      });
    }
  }
  // The Neuroon settings follow core's one schema (the CLI and Medusa use the same).
  const neuroon = parseNeuroonSettings({
    shopId: config.neuroon?.shopId ?? "",
    apiKey: config.neuroon?.apiKey ?? "",
    ...(config.neuroon?.apiUrl !== undefined ? { apiUrl: config.neuroon.apiUrl } : {}),
  });
  if (!neuroon.success) {
    for (const issue of neuroon.issues) {
      issues.push({
        variable: issue.variable ?? issue.path,
        problem: `${issue.message}${issue.received === undefined ? "" : `; received ${issue.received}`}.`,
        fix: issue.fix ?? "See the Configuration table in the bridge's README.",
      });
    }
  }
  if (!config.dataDir) {
    issues.push({
      variable: "BRIDGE_DATA_DIR",
      problem: "is not set.",
      fix: "Point it at a persistent directory (a mounted volume): it holds the durable queue, the sync state and the delivery log.",
    });
  }
  const coalesce = config.coalesce;
  for (const [variable, value] of [
    ["BRIDGE_COALESCE_QUIET_MS", coalesce?.quietMs],
    ["BRIDGE_COALESCE_MAX_WAIT_MS", coalesce?.maxWaitMs],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      issues.push({
        variable,
        problem: `must be a whole number of milliseconds, 0 or more; received ${JSON.stringify(value)}.`,
        fix: `Leave it unset for the default (${variable === "BRIDGE_COALESCE_QUIET_MS" ? DEFAULT_COALESCE_QUIET_MS : DEFAULT_COALESCE_MAX_WAIT_MS}).`,
      });
    }
  }
  const quietMs = coalesce?.quietMs ?? DEFAULT_COALESCE_QUIET_MS;
  const maxWaitMs = coalesce?.maxWaitMs ?? DEFAULT_COALESCE_MAX_WAIT_MS;
  if (
    Number.isSafeInteger(quietMs) &&
    Number.isSafeInteger(maxWaitMs) &&
    quietMs > 0 &&
    maxWaitMs >= 0 &&
    maxWaitMs < quietMs
  ) {
    issues.push({
      variable: "BRIDGE_COALESCE_MAX_WAIT_MS",
      problem: `(${maxWaitMs}) is shorter than BRIDGE_COALESCE_QUIET_MS (${quietMs}), so the queue could never be seen quiet.`,
      fix: "Make the longest wait at least the quiet time (defaults 10000 and 1000), or set BRIDGE_COALESCE_QUIET_MS=0 to drain at once.",
    });
  }
  return issues;
}

/**
 * Warnings that do not stop the bridge but usually mean deliveries will not arrive: WordPress'
 * `wp_safe_remote_request` refuses ports other than 80, 443 and 8080, and private or loopback
 * hosts other than the store's own host (`wp_http_validate_url`: same host as `home` is allowed).
 */
export function configWarnings(config: WooBridgeConfig): string[] {
  const warnings: string[] = [];
  const url = config.publicUrl ? parseHttpUrl(config.publicUrl) : undefined;
  if (url) {
    const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
    if (![80, 443, 8080].includes(port)) {
      warnings.push(
        `BRIDGE_PUBLIC_URL uses port ${port}: WooCommerce only delivers webhooks to ports 80, 443 and 8080 unless the store filters http_allowed_safe_ports.`,
      );
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const storeHost = parseHttpUrl(config.woocommerce.url)?.hostname.replace(/^\[|\]$/g, "");
    if ((host === "localhost" || isPrivateAddress(host)) && host !== storeHost) {
      warnings.push(
        `BRIDGE_PUBLIC_URL points at ${host}, a private or loopback address: WooCommerce refuses to deliver there unless the store filters http_request_host_is_external.`,
      );
    }
    if (url.protocol === "http:") {
      warnings.push(
        "BRIDGE_PUBLIC_URL is plain http: deliveries are signed but readable in transit; prefer https.",
      );
    }
  }
  return warnings;
}

function isPrivateAddress(host: string): boolean {
  const version = isIP(host);
  if (version === 4) {
    const [a = 0, b = 0] = host.split(".").map(Number);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (version === 6) return host === "::1" || /^f[cd]/i.test(host) || /^fe80/i.test(host);
  return false;
}

/** The delivery URL for the store's webhooks. */
export function deliveryUrlOf(config: WooBridgeConfig): string {
  if (!config.publicUrl) throw new BridgeConfigError(findConfigIssues(config, "setup"));
  const base = config.publicUrl.replace(/\/+$/, "");
  return `${base}${config.webhookPath ?? DEFAULT_WEBHOOK_PATH}`;
}

/** Absolute path of the data directory. */
export function dataDirOf(config: WooBridgeConfig): string {
  return resolve(config.dataDir);
}
