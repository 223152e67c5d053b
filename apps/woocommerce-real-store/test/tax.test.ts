import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type RealHarness,
  type RealStoreInfo,
  realStore,
  shownAmount,
  startRealHarness,
} from "./store.js";

const store = realStore();

const MODES = [
  { name: "net prices shown gross", pricesIncludeTax: "no", display: "incl" },
  { name: "gross prices shown gross", pricesIncludeTax: "yes", display: "incl" },
  { name: "gross prices shown net", pricesIncludeTax: "yes", display: "excl" },
] as const;
// A 19 % product on sale, a 7 % book, an untaxed gift card, a plain 19 % product.
const SKUS = ["SON-STUDIO", "BOOK-1", "GIFT-50", "SALT-PEP"];

describe.skipIf(store === null)("real store: tax settings", () => {
  let h: RealHarness;
  const setTax = async (id: string, value: string) =>
    await h.reader.request("put", `settings/tax/${id}`, {}, { value });
  beforeAll(async () => {
    h = await startRealHarness(store as RealStoreInfo);
  });
  afterAll(async () => {
    await setTax("woocommerce_prices_include_tax", "no");
    await setTax("woocommerce_tax_display_shop", "incl");
    await h?.close();
  });

  test("a tax-mode switch re-prices the catalog; prices match the store's price_html in each mode", async () => {
    const bridge = h.makeBridge();
    await bridge.syncAll();
    const storePrices = async () => {
      const products = await h.reader.request<{ sku: string; price_html: string }[]>(
        "get",
        "products",
        { sku: SKUS.join(","), _fields: "sku,price_html", per_page: 100 },
      );
      return Object.fromEntries(products.data.map((p) => [p.sku, shownAmount(p.price_html)]));
    };
    const indexedPrices = () =>
      Object.fromEntries(
        [...h.indexed().values()]
          .filter((p) => p.sku !== undefined && SKUS.includes(p.sku))
          .map((p) => [p.sku as string, p.salePrice ?? p.price]),
      );
    const seen: Record<string, Record<string, number>> = {};
    for (const [index, mode] of MODES.entries()) {
      if (index > 0) {
        await setTax("woocommerce_prices_include_tax", mode.pricesIncludeTax);
        await setTax("woocommerce_tax_display_shop", mode.display);
        const check = await bridge.checkTaxSettings();
        expect(check.changed).toBe(true);
        await bridge.drain();
      }
      const expected = await storePrices();
      expect(Object.keys(expected).sort()).toEqual([...SKUS].sort());
      expect(indexedPrices(), mode.name).toEqual(expected);
      seen[mode.name] = expected;
    }
    // The modes really differ: the book is 21.40, 20.00 and 18.69.
    expect(MODES.map((m) => seen[m.name]?.["BOOK-1"])).toEqual([21.4, 20, 18.69]);
    // Nothing changed since: a second check queues nothing.
    expect(await bridge.checkTaxSettings()).toEqual({ changed: false, products: 0 });
  });
});
