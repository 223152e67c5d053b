import { randomBytes } from "node:crypto";
import type { ShopSpec } from "./types.js";

/** Shop id of the demo shop created when no shop is configured. */
export const DEMO_SHOP_ID = "shop_demo0001";
/** Fixed, documented Shop API Key of the demo shop (never valid against the real service). */
export const DEMO_API_KEY = "sk_0123456789abcdef0123456789abcdef";
/** Registered storefront URL of the demo shop. */
export const DEMO_SHOP_URL = "https://demo-shop.example";

/** The demo shop spec. */
export const DEMO_SHOP: ShopSpec = {
  shopId: DEMO_SHOP_ID,
  apiKey: DEMO_API_KEY,
  url: DEMO_SHOP_URL,
  name: "Demo Shop",
};

const API_KEY_PATTERN = /^sk_[0-9a-f]{32}$/;
const SHOP_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Whether a string has the Shop API Key format: `sk_` followed by 32 lower-case hex digits. */
export function isApiKeyFormat(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

/** A fresh random Shop API Key in the real format. */
export function generateApiKey(): string {
  return `sk_${randomBytes(16).toString("hex")}`;
}

/** `sk_…` plus the last four characters, for logs and the CLI banner. */
export function maskApiKey(apiKey: string): string {
  return `sk_…${apiKey.slice(-4)}`;
}

/**
 * Checks a shop spec and throws a message that says what to fix. Keys must have the real format
 * so tests cannot pass with keys production would refuse.
 */
export function assertValidShopSpec(spec: ShopSpec): void {
  if (!SHOP_ID_PATTERN.test(spec.shopId)) {
    throw new TypeError(
      `Invalid shop id ${JSON.stringify(spec.shopId)}: expected 1-128 characters of [A-Za-z0-9_-], e.g. "shop_ab12cd34".`,
    );
  }
  if (!isApiKeyFormat(spec.apiKey)) {
    throw new TypeError(
      `Invalid Shop API Key for ${spec.shopId}: expected "sk_" + 32 lower-case hex digits (35 characters), received ${JSON.stringify(spec.apiKey.slice(0, 40))}. Generate one with generateApiKey().`,
    );
  }
  if (normaliseDomain(spec.url) === "") {
    throw new TypeError(`Invalid shop URL for ${spec.shopId}: ${JSON.stringify(spec.url)}.`);
  }
  for (const field of ["maxProducts", "maxSearchesPerMonth"] as const) {
    const value = spec[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new TypeError(`Invalid ${field} for ${spec.shopId}: expected an integer >= 0.`);
    }
  }
}

/**
 * Parses `<shopId>:<apiKey>:<shopUrl>`. The URL itself contains `:`, so only the first two colons
 * split the spec.
 */
export function parseShopSpec(text: string): ShopSpec {
  const first = text.indexOf(":");
  const second = first < 0 ? -1 : text.indexOf(":", first + 1);
  if (first < 0 || second < 0) {
    throw new TypeError(
      `Invalid shop spec ${JSON.stringify(text)}: expected "<shopId>:<apiKey>:<shopUrl>", e.g. "shop_ab12cd34:sk_<32 hex>:https://shop.example".`,
    );
  }
  const spec: ShopSpec = {
    shopId: text.slice(0, first),
    apiKey: text.slice(first + 1, second),
    url: text.slice(second + 1),
  };
  assertValidShopSpec(spec);
  return spec;
}

/**
 * The backend's domain normalisation (contract §1.4): strip the scheme, a leading `www.` and
 * trailing slashes; compared case-insensitively because host names are.
 */
export function normaliseDomain(value: string): string {
  const text = value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
    .replace(/^www\./, "");
  // A loop rather than /\/+$/, which backtracks quadratically on long runs of slashes.
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 47) end -= 1;
  return text.slice(0, end);
}

/** The host (with port) of a URL or bare domain, normalised like {@link normaliseDomain}. */
export function normaliseHost(value: string): string {
  const domain = normaliseDomain(value);
  const end = domain.search(/[/?#]/);
  return end < 0 ? domain : domain.slice(0, end);
}
