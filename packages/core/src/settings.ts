import * as v from "valibot";
import { describeApiKeyProblem } from "./config.js";

/**
 * The one schema of the Neuroon settings (`apiUrl`, `shopId`, `apiKey`, `timeoutMs`,
 * `maxRetries`) that the CLI, the WooCommerce bridge and the Medusa plugin validate their
 * configuration with, so a value one accepts the others accept too. Built with valibot (a few kB,
 * loaded only through this `@neuroon/core/settings` entry point, never by the plain client).
 *
 * Messages name the problem and the fix and never contain the API key.
 */

/** The environment variable of each setting. */
export const NEUROON_SETTINGS_ENV = {
  apiUrl: "NEUROON_API_URL",
  shopId: "NEUROON_SHOP_ID",
  apiKey: "NEUROON_API_KEY",
  timeoutMs: "NEUROON_TIMEOUT_MS",
  maxRetries: "NEUROON_MAX_RETRIES",
} as const;

/** A setting's name: `apiUrl`, `shopId`, `apiKey`, `timeoutMs` or `maxRetries`. */
export type NeuroonSettingName = keyof typeof NEUROON_SETTINGS_ENV;

/** How to fix each setting, for messages. */
export const NEUROON_SETTINGS_FIX: Readonly<Record<NeuroonSettingName, string>> = {
  apiUrl:
    "Leave it unset for production (https://api.neuroon.ai), or use https://dev-api.neuroon.ai.",
  shopId: "Copy the shop id (shop_…) from the Neuroon dashboard (Dashboard → Shop).",
  apiKey:
    "Copy the Shop API Key (sk_ followed by 32 hex characters) again from Dashboard → Shop → API Keys; development and production keys differ.",
  timeoutMs: "Use a whole number of milliseconds, such as 30000.",
  maxRetries: "Use 0 or more, such as 2.",
};

/**
 * Whether `value` parses as an absolute `http:` or `https:` URL: the check of every URL setting
 * (`apiUrl`, a storefront URL). Products' URLs get the stricter check of `validateProduct`.
 */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

const apiUrl = v.pipe(v.string("must be a string"), v.check(isHttpUrl, "must be an http(s) URL"));
const shopId = v.pipe(
  v.string("must be a string"),
  v.nonEmpty("is not set"),
  v.check((value) => value === value.trim(), "has leading or trailing whitespace"),
);
const apiKey = v.pipe(
  v.string("must be a string"),
  v.nonEmpty("is not set"),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = describeApiKeyProblem(dataset.value);
    if (problem !== undefined) {
      addIssue({
        message: `is not a Shop API Key (expected sk_ followed by 32 hex characters; ${problem})`,
      });
    }
  }),
);
const timeoutMs = v.pipe(
  v.number("must be a positive number of milliseconds"),
  v.check((n) => Number.isFinite(n) && n > 0, "must be a positive number of milliseconds"),
);
const maxRetries = v.pipe(
  v.number("must be an integer >= 0"),
  v.check((n) => Number.isInteger(n) && n >= 0, "must be an integer >= 0"),
);

/**
 * The entries of {@link NeuroonSettingsSchema}, to spread into a larger schema (a config file
 * with its own sections) so the Neuroon part follows the same rules.
 *
 * @example
 * const FileSchema = v.object({ ...v.partial(NeuroonSettingsSchema).entries, dataDir: v.optional(v.string()) });
 */
export const neuroonSettingsEntries = {
  apiUrl: v.optional(apiUrl),
  shopId,
  apiKey,
  timeoutMs: v.optional(timeoutMs),
  maxRetries: v.optional(maxRetries),
};

/** The Neuroon settings: `shopId` and `apiKey` required, the rest optional. */
export const NeuroonSettingsSchema = v.object(neuroonSettingsEntries);

/** Every setting optional, each present one checked: for a config file that is merged later. */
export const PartialNeuroonSettingsSchema = v.partial(NeuroonSettingsSchema);

/** Valid Neuroon settings. */
export type NeuroonSettings = v.InferOutput<typeof NeuroonSettingsSchema>;

/** One problem found by {@link parseNeuroonSettings}; safe to print (never holds the key). */
export interface NeuroonSettingsIssue {
  /** The setting's path (`shopId`, or `sync.batchSize` in a larger schema). */
  path: string;
  /** Its environment variable when it has one (`NEUROON_SHOP_ID`). */
  variable: string | undefined;
  /** What is wrong, without the setting's name (`is not set`). */
  message: string;
  /** How to fix it, for the Neuroon settings ({@link NEUROON_SETTINGS_FIX}); else undefined. */
  fix: string | undefined;
  /** The value received, as JSON, truncated; `undefined` for the API key. */
  received: string | undefined;
}

/** The outcome of {@link parseNeuroonSettings}. */
export type NeuroonSettingsResult<T> =
  | { success: true; output: T }
  | { success: false; issues: NeuroonSettingsIssue[] };

const MAX_RECEIVED_CHARS = 80;

/**
 * Turns valibot issues into {@link NeuroonSettingsIssue}s: one per path, dotted, with the
 * received value (never for `apiKey`).
 */
export function describeSettingsIssues(
  issues: readonly v.BaseIssue<unknown>[],
): NeuroonSettingsIssue[] {
  const seen = new Set<string>();
  const described: NeuroonSettingsIssue[] = [];
  for (const issue of issues) {
    const path = (issue.path ?? []).map((item) => String(item.key)).join(".");
    if (seen.has(path)) continue;
    seen.add(path);
    const name = path.split(".").at(-1) as NeuroonSettingName;
    const isSecret = name === "apiKey";
    const json = JSON.stringify(issue.input);
    described.push({
      path,
      variable: Object.hasOwn(NEUROON_SETTINGS_ENV, name) ? NEUROON_SETTINGS_ENV[name] : undefined,
      // valibot reports a missing key as the object's issue; say it plainly.
      message: issue.input === undefined ? "is not set" : issue.message,
      fix: Object.hasOwn(NEUROON_SETTINGS_FIX, name) ? NEUROON_SETTINGS_FIX[name] : undefined,
      received:
        isSecret || json === undefined
          ? undefined
          : json.length > MAX_RECEIVED_CHARS
            ? `${json.slice(0, MAX_RECEIVED_CHARS)}…`
            : json,
    });
  }
  return described;
}

/**
 * Validates Neuroon settings against `schema` ({@link NeuroonSettingsSchema} by default, or
 * {@link PartialNeuroonSettingsSchema}, or a larger schema that spreads
 * {@link neuroonSettingsEntries}). Returns every problem at once, never throws.
 *
 * @example
 * const result = parseNeuroonSettings(readNeuroonSettingsFromEnv(process.env));
 * if (!result.success) {
 *   for (const issue of result.issues) console.error(`${issue.variable}: ${issue.message}`);
 *   process.exit(2);
 * }
 * const client = new NeuroonClient({ ...result.output, baseUrl: result.output.apiUrl });
 */
export function parseNeuroonSettings<
  TSchema extends v.GenericSchema<unknown, unknown> = typeof NeuroonSettingsSchema,
>(
  input: unknown,
  schema: TSchema = NeuroonSettingsSchema as unknown as TSchema,
): NeuroonSettingsResult<v.InferOutput<TSchema>> {
  const result = v.safeParse(schema, input);
  if (result.success) return { success: true, output: result.output };
  return { success: false, issues: describeSettingsIssues(result.issues) };
}

/**
 * The settings as given in `env` (`NEUROON_API_URL`, `NEUROON_SHOP_ID`, `NEUROON_API_KEY`,
 * `NEUROON_TIMEOUT_MS`, `NEUROON_MAX_RETRIES`): trimmed, blank ones left out, numbers converted
 * (a value that is not a number stays a string, so the schema reports it as received). Validate
 * the result with {@link parseNeuroonSettings}.
 */
export function readNeuroonSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Partial<Record<NeuroonSettingName, string | number>> {
  const settings: Partial<Record<NeuroonSettingName, string | number>> = {};
  for (const [name, variable] of Object.entries(NEUROON_SETTINGS_ENV) as [
    NeuroonSettingName,
    string,
  ][]) {
    const value = env[variable]?.trim();
    if (value === undefined || value === "") continue;
    const isNumeric = name === "timeoutMs" || name === "maxRetries";
    const number = Number(value);
    settings[name] = isNumeric && Number.isFinite(number) ? number : value;
  }
  return settings;
}
