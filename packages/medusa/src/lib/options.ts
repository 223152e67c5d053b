import { MedusaError } from "@medusajs/framework/utils";
import { NEUROON_PRODUCTION_BASE_URL, type NeuroonProduct } from "@neuroon/core";
import {
  isHttpUrl,
  parseNeuroonSettings,
  readNeuroonSettingsFromEnv,
} from "@neuroon/core/settings";
import type { MedusaProductRecord } from "./medusa-types";

/** Where a product's brand comes from; Medusa has no brand field of its own. */
export type BrandSource =
  | { source: "metadata"; key: string }
  | { source: "link"; field: string }
  | { source: "type" }
  | { source: "collection" }
  | { source: "none" };

/**
 * Called with every mapped product before it is sent, on the live path and in full syncs alike.
 * Return the product to send (changed or not), or `null` to keep it out of Neuroon.
 */
export type TransformHook = (
  product: NeuroonProduct,
  source: MedusaProductRecord,
) => NeuroonProduct | null | Promise<NeuroonProduct | null>;

/** The `options` object of the plugin entry in `medusa-config.ts`. */
export interface NeuroonPluginOptions {
  /** Neuroon shop id (`shop_…`). */
  shopId: string;
  /** Shop API key (`sk_` + 32 hex). Server-side only; never sent to a browser. */
  apiKey: string;
  /** Neuroon API base URL. Default: `NEUROON_API_URL`, else `https://api.neuroon.ai`. */
  apiUrl?: string;
  /** Public storefront origin, used to build product URLs, e.g. `https://shop.example.com`. */
  storefrontUrl: string;
  /** Product page path; `{handle}` and `{id}` are replaced. Default `/products/{handle}`. */
  productPath?: string;
  /** Region whose currency, price rules and tax settings are sent. Takes precedence over `currencyCode`. */
  regionId?: string;
  /** Currency whose prices are sent when no region is set, e.g. `eur`. */
  currencyCode?: string;
  /** Send prices with tax included (as a storefront in a tax-inclusive market shows them). Default: the price's own inclusivity. */
  taxInclusive?: boolean;
  /**
   * Country whose tax rates convert prices when `taxInclusive` is set; default: the region's only
   * country. Required with `taxInclusive` when the region has several countries or no region is set.
   */
  taxCountryCode?: string;
  /** Sales channel whose stock decides `inStock`; default: the product's first sales channel. */
  salesChannelId?: string;
  /** Where the brand comes from. Default `{ source: "metadata", key: "brand" }`. */
  brand?: BrandSource;
  /** Last-chance hook on every mapped product. */
  transform?: TransformHook;
  /** Products per sync request, 1–500. Default 100. */
  batchSize?: number;
  /** Delivery attempts before a change is given up (it stays visible in the admin). Default 8. */
  maxAttempts?: number;
  /** HTTP retries inside one delivery attempt (429/5xx/network, with backoff). Default 2. */
  maxRetries?: number;
  /**
   * Largest share of Neuroon's catalog a catalog run may delete as orphans, 0–1. A run that would
   * delete more (e.g. after a wrong currency made every product unsendable) deletes nothing and
   * fails with an explanation. Default 0.5.
   */
  maxOrphanDeleteRatio?: number;
  /** Turns the live subscribers off (full syncs and the nightly reconcile still run). Default false. */
  disableLiveSync?: boolean;
}

/** Options after validation and defaults. */
export interface ResolvedNeuroonOptions {
  shopId: string;
  apiKey: string;
  apiUrl: string;
  storefrontUrl: string;
  productPath: string;
  regionId: string | undefined;
  currencyCode: string | undefined;
  taxInclusive: boolean | undefined;
  taxCountryCode: string | undefined;
  salesChannelId: string | undefined;
  brand: BrandSource;
  transform: TransformHook | undefined;
  batchSize: number;
  maxAttempts: number;
  maxRetries: number;
  maxOrphanDeleteRatio: number;
  disableLiveSync: boolean;
}

export const DEFAULT_API_URL = NEUROON_PRODUCTION_BASE_URL;

export const MAX_BATCH_SIZE = 500;
/** HTTP retries inside one delivery attempt; the queue's retries take over after them. */
export const DEFAULT_MAX_RETRIES = 2;
/** The options core's settings schema checks. */
const NEUROON_SETTING_NAMES = ["shopId", "apiKey", "apiUrl", "maxRetries"] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === undefined) return "nothing";
  try {
    return JSON.stringify(value)?.slice(0, 60) ?? String(value);
  } catch {
    return typeof value;
  }
}

/**
 * Validates the plugin options once, when Medusa instantiates the module, so a misconfiguration
 * stops the boot with a message that says which option is wrong and how to fix it.
 */
export function resolveOptions(raw: unknown): ResolvedNeuroonOptions {
  const problems: string[] = [];
  const o = isRecord(raw) ? raw : {};
  if (!isRecord(raw)) problems.push(`options must be an object, received ${describe(raw)}`);

  const str = (key: string): string | undefined => {
    const v = o[key];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string") {
      problems.push(`"${key}" must be a string, received ${describe(v)}`);
      return undefined;
    }
    return v.trim();
  };

  // Core's one schema of the Neuroon settings (the CLI and the WooCommerce bridge use it too).
  // Options given in medusa-config win; NEUROON_* variables fill the gaps, so a newcomer pointing
  // NEUROON_API_URL at the emulator does not silently talk to production.
  const fromOptions = Object.fromEntries(
    NEUROON_SETTING_NAMES.filter(
      (name) => o[name] !== undefined && o[name] !== null && o[name] !== "",
    ).map((name) => [name, o[name]]),
  );
  const settings = parseNeuroonSettings({
    ...readNeuroonSettingsFromEnv(process.env),
    ...fromOptions,
  });
  if (!settings.success) {
    for (const issue of settings.issues) {
      const received = issue.received === undefined ? "" : `, received ${issue.received}`;
      problems.push(
        `"${issue.path}" (or ${issue.variable}) ${issue.message}${received}. ${issue.fix ?? ""}`.trimEnd(),
      );
    }
  }
  const shopId = settings.success ? settings.output.shopId : undefined;
  const apiKey = settings.success ? settings.output.apiKey : undefined;
  const apiUrl = (
    (settings.success ? settings.output.apiUrl : undefined) ?? DEFAULT_API_URL
  ).replace(/\/+$/, "");
  const maxRetries =
    (settings.success ? settings.output.maxRetries : undefined) ?? DEFAULT_MAX_RETRIES;

  const storefrontUrl = str("storefrontUrl")?.replace(/\/+$/, "");
  if (!storefrontUrl)
    problems.push(
      `"storefrontUrl" is required to build product URLs, e.g. "https://shop.example.com"`,
    );
  else if (!isHttpUrl(storefrontUrl))
    problems.push(`"storefrontUrl" must be an http(s) URL, received ${describe(storefrontUrl)}`);

  const productPath = str("productPath") ?? "/products/{handle}";
  if (!productPath.includes("{handle}") && !productPath.includes("{id}")) {
    problems.push(`"productPath" must contain {handle} or {id}, received ${describe(productPath)}`);
  }

  const regionId = str("regionId");
  const currencyCode = str("currencyCode")?.toLowerCase();
  if (!regionId && !currencyCode)
    problems.push(
      `set "regionId" (preferred: prices and taxes as that region's storefront shows them) or "currencyCode"`,
    );
  if (currencyCode && !/^[a-z]{3}$/.test(currencyCode))
    problems.push(
      `"currencyCode" must be an ISO 4217 code such as "eur", received ${describe(o.currencyCode)}`,
    );

  let taxInclusive: boolean | undefined;
  if (o.taxInclusive !== undefined) {
    if (typeof o.taxInclusive !== "boolean")
      problems.push(`"taxInclusive" must be true or false, received ${describe(o.taxInclusive)}`);
    else taxInclusive = o.taxInclusive;
  }
  const taxCountryCode = str("taxCountryCode")?.toLowerCase();
  if (taxCountryCode && !/^[a-z]{2}$/.test(taxCountryCode))
    problems.push(
      `"taxCountryCode" must be an ISO 3166-1 alpha-2 code such as "de", received ${describe(o.taxCountryCode)}`,
    );

  if (taxInclusive !== undefined && !regionId && !taxCountryCode)
    problems.push(
      `"taxInclusive" needs a country whose tax rates convert the prices: set "taxCountryCode" (e.g. "de"), or "regionId" of a region with one country`,
    );

  const salesChannelId = str("salesChannelId");

  let brand: BrandSource = { source: "metadata", key: "brand" };
  if (o.brand !== undefined) {
    const b = o.brand;
    if (!isRecord(b) || typeof b.source !== "string") {
      problems.push(
        `"brand" must be { source: "metadata", key } | { source: "link", field } | { source: "type" } | { source: "collection" } | { source: "none" }, received ${describe(b)}`,
      );
    } else if (b.source === "metadata") {
      if (typeof b.key !== "string" || !b.key)
        problems.push(`"brand.key" is required with source "metadata", e.g. "brand"`);
      else brand = { source: "metadata", key: b.key };
    } else if (b.source === "link") {
      if (typeof b.field !== "string" || !/^[a-zA-Z_][\w]*(\.[a-zA-Z_][\w]*)+$/.test(b.field))
        problems.push(
          `"brand.field" is required with source "link": the linked field path, e.g. "brand.name"`,
        );
      else brand = { source: "link", field: b.field };
    } else if (b.source === "type" || b.source === "collection" || b.source === "none") {
      brand = { source: b.source };
    } else {
      problems.push(
        `"brand.source" must be "metadata", "link", "type", "collection" or "none", received ${describe(b.source)}`,
      );
    }
  }

  let transform: TransformHook | undefined;
  if (o.transform !== undefined) {
    if (typeof o.transform !== "function")
      problems.push(
        `"transform" must be a function (product, medusaProduct) => product | null, received ${describe(typeof o.transform)}`,
      );
    else transform = o.transform as TransformHook;
  }

  const int = (key: string, fallback: number, min: number, max: number): number => {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`"${key}" must be an integer from ${min} to ${max}, received ${describe(v)}`);
      return fallback;
    }
    return v;
  };
  const batchSize = int("batchSize", 100, 1, MAX_BATCH_SIZE);
  const maxAttempts = int("maxAttempts", 8, 1, 100);
  let maxOrphanDeleteRatio = 0.5;
  if (o.maxOrphanDeleteRatio !== undefined) {
    const r = o.maxOrphanDeleteRatio;
    if (typeof r !== "number" || !(r >= 0 && r <= 1))
      problems.push(`"maxOrphanDeleteRatio" must be a number from 0 to 1, received ${describe(r)}`);
    else maxOrphanDeleteRatio = r;
  }
  const disableLiveSync = o.disableLiveSync === true;

  if (problems.length > 0) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `@neuroon/medusa: invalid plugin options in medusa-config (plugins → { resolve: "@neuroon/medusa", options }):\n  - ${problems.join("\n  - ")}`,
    );
  }
  return {
    shopId: shopId as string,
    apiKey: apiKey as string,
    apiUrl,
    storefrontUrl: storefrontUrl as string,
    productPath,
    regionId,
    currencyCode,
    taxInclusive,
    taxCountryCode,
    salesChannelId,
    brand,
    transform,
    batchSize,
    maxAttempts,
    maxRetries,
    maxOrphanDeleteRatio,
    disableLiveSync,
  };
}
