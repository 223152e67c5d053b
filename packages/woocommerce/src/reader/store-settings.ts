import { WooCommerceError } from "../errors.js";
import type { WooCallOptions, WooTaxSettings } from "../reader.js";
import type { WooSetting, WooTaxRate, WooTerm } from "../types.js";
import { MAX_PER_PAGE } from "./fields.js";
import type { WooTransport } from "./transport.js";

/** A loader whose answer is kept for `ttlMs`; `refresh` forces a new load, a failed load is not kept. */
export function cachedFor<T>(
  ttlMs: number,
  now: () => number,
  load: (options: WooCallOptions) => Promise<T>,
): (options?: WooCallOptions & { refresh?: boolean }) => Promise<T> {
  let entry: { value: Promise<T>; at: number } | undefined;
  return (callOptions = {}) => {
    if (!entry || callOptions.refresh || now() - entry.at > ttlMs) {
      const value = load(callOptions);
      const current = { value, at: now() };
      entry = current;
      value.catch(() => {
        if (entry === current) entry = undefined;
      });
    }
    return entry.value;
  };
}

const TERM_FIELDS = "id,name,slug,parent";

/** The whole category tree (`/products/categories`). */
export function readCategories(
  transport: WooTransport,
  callOptions: WooCallOptions,
): Promise<WooTerm[]> {
  return transport.all<WooTerm>(
    "products/categories",
    { per_page: MAX_PER_PAGE, _fields: TERM_FIELDS },
    callOptions,
  );
}

/** WooCommerce Brands (`/products/brands`); none before core Brands (WooCommerce < 9.6). */
export async function readBrands(
  transport: WooTransport,
  callOptions: WooCallOptions,
): Promise<WooTerm[]> {
  try {
    return await transport.all<WooTerm>(
      "products/brands",
      { per_page: MAX_PER_PAGE, _fields: TERM_FIELDS },
      callOptions,
    );
  } catch (error) {
    // Before core Brands (WooCommerce < 9.6, or the feature off) the route does not exist.
    if (WooCommerceError.isWooCommerceError(error) && error.status === 404) return [];
    throw error;
  }
}

/** The store's tax and price settings and tax rates, as the mapping needs them. */
export async function readTaxSettings(
  transport: WooTransport,
  callOptions: WooCallOptions,
): Promise<WooTaxSettings> {
  const settings = (group: string) =>
    transport.request<WooSetting[]>(
      "get",
      `settings/${group}`,
      { _fields: "id,value" },
      undefined,
      callOptions,
    );
  const [general, tax, rates] = await Promise.all([
    settings("general"),
    settings("tax"),
    transport.all<WooTaxRate>("taxes", { per_page: MAX_PER_PAGE }, callOptions),
  ]);
  const value = (list: WooSetting[], id: string) =>
    list.find((setting) => setting.id === id)?.value;
  const country = String(value(general.data, "woocommerce_default_country") ?? "");
  const [baseCountry = "", baseState = ""] = country.split(":");
  const decimals = Number(value(general.data, "woocommerce_price_num_decimals") ?? 2);
  return {
    calcTaxes: value(general.data, "woocommerce_calc_taxes") === "yes",
    pricesIncludeTax: value(tax.data, "woocommerce_prices_include_tax") === "yes",
    displayIncludingTax: value(tax.data, "woocommerce_tax_display_shop") === "incl",
    currency: String(value(general.data, "woocommerce_currency") ?? "USD"),
    priceDecimals: Number.isInteger(decimals) && decimals >= 0 ? decimals : 2,
    baseCountry,
    baseState,
    basePostcode: String(value(general.data, "woocommerce_store_postcode") ?? ""),
    baseCity: String(value(general.data, "woocommerce_store_city") ?? ""),
    rates,
  };
}
