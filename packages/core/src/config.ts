import { ConfigurationError } from "./errors.js";

/** Production API host (contract §1.1). */
export const NEUROON_PRODUCTION_BASE_URL = "https://api.neuroon.ai";
/** Development API host; its keys and shop ids are separate from production. */
export const NEUROON_DEVELOPMENT_BASE_URL = "https://dev-api.neuroon.ai";

/** Shop API Keys are `sk_` + 32 hex characters (contract §1.3). */
const API_KEY_FORMAT = /^sk_[0-9a-fA-F]{32}$/;

/**
 * Checks the shop id and returns it. The message never contains the key, so it is safe to log.
 */
export function validateShopId(shopId: unknown): string {
  if (typeof shopId !== "string" || shopId.trim() === "") {
    throw new ConfigurationError(
      "Missing Neuroon shop id: pass { shopId } or set NEUROON_SHOP_ID " +
        "(Dashboard → Shop; it looks like shop_xxxxxxxx).",
    );
  }
  if (shopId !== shopId.trim()) {
    throw new ConfigurationError(
      `The Neuroon shop id ${JSON.stringify(shopId)} has leading or trailing whitespace; remove it.`,
    );
  }
  return shopId;
}

/**
 * What is wrong with a Shop API Key's format, or `undefined` when it is well-formed: `sk_`
 * followed by 32 hex digits, either case (contract §1.3). Names the problem (length, prefix,
 * whitespace, characters) without ever echoing the value, so the text is safe to log.
 *
 * @example
 * describeApiKeyProblem("sk_123"); // 'it is 6 characters long'
 */
export function describeApiKeyProblem(apiKey: unknown): string | undefined {
  if (typeof apiKey !== "string" || apiKey === "") return "it is missing";
  if (API_KEY_FORMAT.test(apiKey)) return undefined;
  const problems: string[] = [];
  if (apiKey !== apiKey.trim()) problems.push("it has leading or trailing whitespace");
  if (!apiKey.trim().startsWith("sk_")) problems.push('it does not start with "sk_"');
  if (apiKey.trim().length !== 35) problems.push(`it is ${apiKey.trim().length} characters long`);
  if (problems.length === 0) problems.push("it contains characters other than hex digits");
  return problems.join(", ");
}

/**
 * Checks the Shop API Key format and returns it; throws {@link ConfigurationError} saying what
 * is wrong ({@link describeApiKeyProblem}) and where to get a key, never echoing the value.
 */
export function validateApiKey(apiKey: unknown): string {
  if (typeof apiKey !== "string" || apiKey === "") {
    throw new ConfigurationError(
      "Missing Neuroon Shop API Key: pass { apiKey } or set NEUROON_API_KEY " +
        "(Dashboard → Shop → API Keys → Create new key).",
    );
  }
  const problem = describeApiKeyProblem(apiKey);
  if (problem === undefined) return apiKey;
  throw new ConfigurationError(
    `The Neuroon Shop API Key is malformed (${problem}): expected "sk_" followed by ` +
      "32 hex characters (35 in all). Copy the key again from Dashboard → Shop → API Keys into " +
      "NEUROON_API_KEY; placeholders such as sk_live_… from old docs are not real keys.",
  );
}

/** Parses the base URL into `origin + path` without a trailing slash. */
export function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigurationError(
      `NEUROON_API_URL / baseUrl ${JSON.stringify(baseUrl)} is not a URL; use ` +
        `${NEUROON_PRODUCTION_BASE_URL} or ${NEUROON_DEVELOPMENT_BASE_URL}.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigurationError(
      `baseUrl must be an http(s) URL, received protocol ${JSON.stringify(url.protocol)}.`,
    );
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new ConfigurationError(
      "baseUrl must not contain a query, fragment or credentials; pass only the API origin " +
        `such as ${NEUROON_PRODUCTION_BASE_URL}.`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
