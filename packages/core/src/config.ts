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
 * Checks the Shop API Key format and returns it. Describes what is wrong (length, prefix,
 * whitespace) without ever echoing the value.
 */
export function validateApiKey(apiKey: unknown): string {
  if (typeof apiKey !== "string" || apiKey === "") {
    throw new ConfigurationError(
      "Missing Neuroon Shop API Key: pass { apiKey } or set NEUROON_API_KEY " +
        "(Dashboard → Shop → API Keys → Create new key).",
    );
  }
  if (API_KEY_FORMAT.test(apiKey)) return apiKey;
  const problems: string[] = [];
  if (apiKey !== apiKey.trim()) problems.push("it has leading or trailing whitespace");
  if (!apiKey.trim().startsWith("sk_")) problems.push('it does not start with "sk_"');
  if (apiKey.trim().length !== 35) problems.push(`it is ${apiKey.trim().length} characters long`);
  if (problems.length === 0) problems.push("it contains characters other than hex digits");
  throw new ConfigurationError(
    `The Neuroon Shop API Key is malformed (${problems.join(", ")}): expected "sk_" followed by ` +
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
