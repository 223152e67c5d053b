import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { NEUROON_PRODUCTION_BASE_URL } from "@neuroon/core";
import {
  NEUROON_SETTINGS_ENV,
  PartialNeuroonSettingsSchema,
  parseNeuroonSettings,
  readNeuroonSettingsFromEnv,
} from "@neuroon/core/settings";
import * as v from "valibot";
import { UsageError } from "./errors.js";
import { registerSecret, registerSecretsIn } from "./redact.js";

/** Looked up in the working directory when neither `--config` nor `NEUROON_CONFIG` is given. */
export const DEFAULT_CONFIG_FILE = "neuroon.config.json";
/** Where the durable queue and sync state live, relative to the working directory. */
export const DEFAULT_DATA_DIR = ".neuroon";
/** Per request attempt, as in the core client. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Retries of 429/5xx/connection failures after the first attempt, as in the core client. */
export const DEFAULT_MAX_RETRIES = 2;
/** Products per sync request: the API's maximum. */
export const DEFAULT_BATCH_SIZE = 500;
/** Largest share of Neuroon's catalog one reconcile deletes without `--force`, as in the engine. */
export const DEFAULT_MAX_DELETE_RATIO = 0.1;

/** The `neuroon.config.json` schema (every field optional). */
export interface ConfigFile {
  $schema?: string;
  /** Plugin API origin; default `https://api.neuroon.ai`. */
  apiUrl?: string;
  shopId?: string;
  /** Allowed, but prefer `NEUROON_API_KEY`: a key in a file ends up in backups and commits. */
  apiKey?: string;
  /** Relative paths are resolved against the config file's directory. */
  dataDir?: string;
  timeoutMs?: number;
  maxRetries?: number;
  sync?: { batchSize?: number };
  reconcile?: { maxDeleteRatio?: number };
  /** Sections of other commands (`woocommerce`, …), validated by them. */
  [section: string]: unknown;
}

/** Where a setting's value came from, in precedence order. */
export type ConfigSource = "flag" | "env" | "file" | "default";

/** The options every command accepts (`--config`, `--api-url`, …), as commander parsed them. */
export interface GlobalFlags {
  config?: string | undefined;
  apiUrl?: string | undefined;
  shopId?: string | undefined;
  apiKey?: string | undefined;
  dataDir?: string | undefined;
  json?: boolean | undefined;
}

/** The configuration a command runs with: flags over environment over file over defaults. */
export interface ResolvedConfig {
  apiUrl: string;
  shopId: string | undefined;
  apiKey: string | undefined;
  /** Absolute. */
  dataDir: string;
  timeoutMs: number;
  maxRetries: number;
  batchSize: number;
  maxDeleteRatio: number;
  /** The config file read, absolute; undefined when there was none. */
  configPath: string | undefined;
  /** The file's whole content, for commands with their own section. */
  file: ConfigFile;
  sources: Record<
    | "apiUrl"
    | "shopId"
    | "apiKey"
    | "dataDir"
    | "timeoutMs"
    | "maxRetries"
    | "batchSize"
    | "maxDeleteRatio",
    ConfigSource
  >;
}

const UNKNOWN_SETTING = "is not a known setting";

const TOP_LEVEL_SCALARS = ["$schema", ...Object.keys(NEUROON_SETTINGS_ENV), "dataDir"];

/** A strict section: unknown keys are named with the known ones; anything but an object is refused. */
function section<TEntries extends v.ObjectEntries>(entries: TEntries) {
  const known = Object.keys(entries).join(", ");
  return v.optional(
    v.strictObject(entries, (issue) =>
      issue.expected === "never" ? `${UNKNOWN_SETTING} (known: ${known})` : "must be an object",
    ),
  );
}

/**
 * `neuroon.config.json`: core's Neuroon settings (each optional here; flags and the environment
 * fill the rest), the CLI's own settings, and object sections of other commands (`woocommerce`).
 */
const ConfigFileSchema = v.objectWithRest(
  {
    $schema: v.optional(v.string("must be a string")),
    ...PartialNeuroonSettingsSchema.entries,
    dataDir: v.optional(v.string("must be a string")),
    sync: section({
      batchSize: v.optional(
        v.pipe(
          v.number("must be an integer from 1 to 500"),
          v.check(
            (n) => Number.isInteger(n) && n >= 1 && n <= 500,
            "must be an integer from 1 to 500",
          ),
        ),
      ),
    }),
    reconcile: section({
      maxDeleteRatio: v.optional(
        v.pipe(
          v.number("must be a number from 0 to 1"),
          v.check((n) => n >= 0 && n <= 1, "must be a number from 0 to 1"),
        ),
      ),
    }),
  },
  v.custom<Record<string, unknown>>(
    (value) => typeof value === "object" && value !== null && !Array.isArray(value),
    `${UNKNOWN_SETTING} (known: ${TOP_LEVEL_SCALARS.join(", ")}, sync, reconcile, or an object section such as "woocommerce")`,
  ),
);

const ENV_NUMBERS_SCHEMA = v.pick(PartialNeuroonSettingsSchema, ["timeoutMs", "maxRetries"]);

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Reads and checks a config file; every problem is a {@link UsageError} naming the file and field. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `Cannot read the config file ${path} (${code ?? String(error)}).`,
      code === "ENOENT"
        ? "Check the path given to --config or NEUROON_CONFIG, or create the file (see `neuroon --help`)."
        : "Check the file's permissions.",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `The config file ${path} is not valid JSON: ${(error as Error).message}.`,
      "Fix the syntax (JSON allows no comments and no trailing commas).",
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(
      `The config file ${path} must hold a JSON object such as {"shopId": "shop_…"}; it holds ${Array.isArray(parsed) ? "an array" : typeof parsed}.`,
    );
  }
  const file = parsed as Record<string, unknown>;
  registerSecretsIn(file);
  const result = parseNeuroonSettings(file, ConfigFileSchema);
  if (!result.success) {
    const problems = result.issues.map(
      (issue) =>
        `"${issue.path}" ${issue.message}${issue.received === undefined || issue.message.startsWith(UNKNOWN_SETTING) ? "" : `, received ${issue.received}`}`,
    );
    throw new UsageError(
      `The config file ${path} is invalid: ${problems.join("; ")}.`,
      "See the configuration schema in the @neuroon/cli README.",
    );
  }
  return file as ConfigFile;
}

/** The numeric settings read from the environment, checked by core's schema. */
function readEnvNumbers(env: NodeJS.ProcessEnv): {
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
} {
  const { timeoutMs, maxRetries } = readNeuroonSettingsFromEnv(env);
  const result = parseNeuroonSettings({ timeoutMs, maxRetries }, ENV_NUMBERS_SCHEMA);
  if (!result.success) {
    const [issue] = result.issues;
    const variable = issue?.variable ?? "NEUROON_TIMEOUT_MS";
    throw new UsageError(
      `${variable} ${issue?.message}, received ${JSON.stringify(String(env[variable]?.trim()))}.`,
      `Fix or unset ${variable}.`,
    );
  }
  return result.output;
}

/**
 * Resolves the configuration: command-line flags, then environment variables, then the config
 * file (`--config`, `NEUROON_CONFIG`, or `neuroon.config.json` in `cwd` when present), then
 * defaults. Does not check that the shop id and key are present; commands that need them call
 * {@link requireCredentials}.
 */
export function resolveConfig(
  flags: GlobalFlags,
  io: { env: NodeJS.ProcessEnv; cwd: string },
): ResolvedConfig {
  const { env, cwd } = io;
  const explicitPath = nonEmpty(flags.config) ?? nonEmpty(env.NEUROON_CONFIG);
  let configPath: string | undefined;
  let file: ConfigFile = {};
  if (explicitPath !== undefined) {
    configPath = resolve(cwd, explicitPath);
    file = readConfigFile(configPath);
  } else if (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE))) {
    configPath = resolve(cwd, DEFAULT_CONFIG_FILE);
    file = readConfigFile(configPath);
  }
  const sources = {} as ResolvedConfig["sources"];
  function pick<T>(
    key: keyof ResolvedConfig["sources"],
    flag: T | undefined,
    fromEnv: T | undefined,
    fromFile: T | undefined,
    fallback: T,
  ): T {
    if (flag !== undefined) {
      sources[key] = "flag";
      return flag;
    }
    if (fromEnv !== undefined) {
      sources[key] = "env";
      return fromEnv;
    }
    if (fromFile !== undefined) {
      sources[key] = "file";
      return fromFile;
    }
    sources[key] = "default";
    return fallback;
  }
  const apiUrl = pick(
    "apiUrl",
    nonEmpty(flags.apiUrl),
    nonEmpty(env.NEUROON_API_URL),
    nonEmpty(file.apiUrl),
    NEUROON_PRODUCTION_BASE_URL,
  );
  const shopId = pick<string | undefined>(
    "shopId",
    nonEmpty(flags.shopId),
    nonEmpty(env.NEUROON_SHOP_ID),
    nonEmpty(file.shopId),
    undefined,
  );
  const apiKey = pick<string | undefined>(
    "apiKey",
    nonEmpty(flags.apiKey),
    nonEmpty(env.NEUROON_API_KEY),
    nonEmpty(file.apiKey),
    undefined,
  );
  registerSecret(apiKey);
  const fileDataDir = nonEmpty(file.dataDir);
  const dataDir = pick(
    "dataDir",
    nonEmpty(flags.dataDir) === undefined ? undefined : resolve(cwd, flags.dataDir as string),
    nonEmpty(env.NEUROON_DATA_DIR) === undefined
      ? undefined
      : resolve(cwd, env.NEUROON_DATA_DIR as string),
    fileDataDir === undefined || configPath === undefined
      ? undefined
      : isAbsolute(fileDataDir)
        ? fileDataDir
        : resolve(dirname(configPath), fileDataDir),
    resolve(cwd, DEFAULT_DATA_DIR),
  );
  const envNumbers = readEnvNumbers(env);
  const timeoutMs = pick(
    "timeoutMs",
    undefined,
    envNumbers.timeoutMs,
    file.timeoutMs,
    DEFAULT_TIMEOUT_MS,
  );
  const maxRetries = pick(
    "maxRetries",
    undefined,
    envNumbers.maxRetries,
    file.maxRetries,
    DEFAULT_MAX_RETRIES,
  );
  const batchSize = pick(
    "batchSize",
    undefined,
    undefined,
    file.sync?.batchSize,
    DEFAULT_BATCH_SIZE,
  );
  const maxDeleteRatio = pick(
    "maxDeleteRatio",
    undefined,
    undefined,
    file.reconcile?.maxDeleteRatio,
    DEFAULT_MAX_DELETE_RATIO,
  );
  return {
    apiUrl,
    shopId,
    apiKey,
    dataDir,
    timeoutMs,
    maxRetries,
    batchSize,
    maxDeleteRatio,
    configPath,
    file,
    sources,
  };
}

/** How each setting can be given, for messages. */
const HOW_TO_SET = {
  shopId:
    '--shop-id, NEUROON_SHOP_ID or "shopId" in neuroon.config.json (Dashboard → Shop; it looks like shop_xxxxxxxx)',
  apiKey:
    'NEUROON_API_KEY (or --api-key, or "apiKey" in neuroon.config.json) (Dashboard → Shop → API Keys)',
};

/** The shop id, or a usage error (exit 2) that says how to set it. */
export function requireShopId(config: ResolvedConfig): string {
  if (config.shopId === undefined) {
    throw new UsageError("No Neuroon shop id is configured.", `Set it with ${HOW_TO_SET.shopId}.`);
  }
  return config.shopId;
}

/** The shop id and API key, or a usage error (exit 2) that says how to set the missing one. */
export function requireCredentials(config: ResolvedConfig): { shopId: string; apiKey: string } {
  const shopId = requireShopId(config);
  if (config.apiKey === undefined) {
    throw new UsageError(
      "No Neuroon Shop API Key is configured.",
      `Set it with ${HOW_TO_SET.apiKey}.`,
    );
  }
  return { shopId, apiKey: config.apiKey };
}
