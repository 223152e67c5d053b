import type { WooBridge } from "@neuroon/woocommerce-bridge";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type NewProduct, type StoreTarget, shownAmount, waitFor } from "./store.js";

const ENTITY = /&(?:amp|lt|gt|quot|#0?39|#8217|nbsp);/;

/**
 * One scenario battery for the fake and the real store (issue 14): the same steps, read back the
 * same way, so a behaviour only the fake has (or lacks) fails a test.
 */
export function describeStoreBattery(
  label: string,
  start: () => Promise<StoreTarget>,
  options: { skip?: boolean } = {},
): void {
  describe.skipIf(options.skip === true)(`scenario battery on ${label}`, () => {
    let t: StoreTarget;
    let bridge: WooBridge;
    const runId = Date.now().toString(36);
    const storePrices = async (ids: readonly number[]) => {
      const answer = await t.reader.request<{ id: number; price_html: string }[]>(
        "get",
        "products",
        { include: ids.join(","), _fields: "id,price_html", per_page: 100 },
      );
      return new Map(answer.data.map((p) => [String(p.id), shownAmount(p.price_html)]));
    };
    const indexedPrices = (ids: readonly number[]) =>
      new Map(
        ids.map((id) => {
          const product = t.indexed().get(String(id));
          return [String(id), product ? (product.salePrice ?? product.price) : undefined];
        }),
      );

    beforeAll(async () => {
      t = await start();
      bridge = t.makeBridge();
      await bridge.setup();
      await bridge.start();
    });
    afterAll(async () => {
      await t?.setTaxMode(false, "incl");
      await t?.close();
    });

    test("a second setup changes nothing; no webhook answer carries the secret", async () => {
      const again = await t.makeBridge().setup();
      expect(again.webhooks.map((w) => w.action)).toEqual(again.webhooks.map(() => "unchanged"));
      expect(again.warnings.filter((w) => /loopback/.test(w))).toEqual([]);
      const listed = await t.reader.request<{ secret?: string }[]>("get", "webhooks", {
        context: "edit",
      });
      expect(listed.data.length).toBeGreaterThanOrEqual(6);
      expect(listed.data.filter((w) => w.secret !== undefined)).toEqual([]);
    });

    test("200 products created in one batch and 50 prices updated in another, sent in a burst with polling off, all reach Neuroon", async () => {
      const products: NewProduct[] = Array.from({ length: 200 }, (_, i) => ({
        name: `Burst ${runId} ${String(i).padStart(3, "0")}`,
        sku: `BURST-${runId}-${i}`,
        regular_price: "10.00",
      }));
      const ids = await t.createProducts(products);
      expect(ids).toHaveLength(200);
      await t.deliverQueued();
      await waitFor(() => ids.every((id) => t.indexed().has(String(id))), {
        what: "all 200 created products in Neuroon",
      });
      const repriced = ids.slice(0, 50);
      await t.updatePrices(repriced.map((id) => ({ id, regular_price: "20.00" })));
      await t.deliverQueued();
      // Entered net, shown gross (19 %): 20.00 is 23.80 in the shop, 10.00 is 11.90.
      await waitFor(() => repriced.every((id) => t.indexed().get(String(id))?.price === 23.8), {
        what: "the 50 new prices in Neuroon",
      });
      expect(ids.slice(50).every((id) => t.indexed().get(String(id))?.price === 11.9)).toBe(true);
    });

    test("draft, publish, password, hide, show, trash and a force delete found by reconcile", async () => {
      const [id] = await t.createProducts([
        { name: `Lifecycle ${runId}`, sku: `LIFE-${runId}`, regular_price: "5.00" },
      ]);
      const key = String(id);
      const step = async (
        what: string,
        change: () => Promise<void>,
        present: boolean,
      ): Promise<void> => {
        await change();
        await t.deliverQueued();
        await waitFor(() => t.indexed().has(key) === present, {
          what: `${what}: product ${present ? "in" : "absent from"} Neuroon`,
        });
      };
      await step("created", async () => {}, true);
      await step("draft", () => t.updateProduct(id as number, { status: "draft" }), false);
      await step("published", () => t.updateProduct(id as number, { status: "publish" }), true);
      await step(
        "password",
        () => t.updateProduct(id as number, { post_password: "s3cret" }),
        false,
      );
      await step("no password", () => t.updateProduct(id as number, { post_password: "" }), true);
      await step(
        "hidden",
        () => t.updateProduct(id as number, { catalog_visibility: "hidden" }),
        false,
      );
      await step(
        "visible",
        () => t.updateProduct(id as number, { catalog_visibility: "visible" }),
        true,
      );
      await step("trashed", () => t.trashProduct(id as number), false);
      await step("restored", () => t.updateProduct(id as number, { status: "publish" }), true);
      await t.forceDeleteProduct(id as number);
      await t.deliverQueued();
      expect(t.indexed().has(key)).toBe(true);
      // Forced: run alone (`-t`), this product can be the whole index, which the safety valve
      // rightly refuses to empty.
      await bridge.reconcile({ force: true });
      expect(t.indexed().has(key)).toBe(false);
    });

    test('a category named with &, < and " reaches Neuroon as typed', async () => {
      const name = `Fish & Chips < 5 € "${runId}"`;
      const category = await t.createCategory(name);
      const [id] = await t.createProducts([
        {
          name: `Cod ${runId}`,
          sku: `COD-${runId}`,
          regular_price: "8.00",
          categoryIds: [category],
        },
      ]);
      await t.deliverQueued();
      const product = await waitFor(() => t.indexed().get(String(id)), {
        what: "the product in Neuroon",
      });
      expect(product.categories).toEqual([name]);
      const strings = [...t.indexed().values()].flatMap((p) => [
        p.name,
        ...(p.categories ?? []),
        ...(p.tags ?? []),
        ...(p.brands ?? []),
      ]);
      expect(strings.filter((s) => ENTITY.test(s))).toEqual([]);
    });

    test("a tax-mode switch re-prices the catalog, equal to the store's price_html in three modes", async () => {
      const ids = await t.createProducts([
        { name: `Tax standard ${runId}`, sku: `TAX-S-${runId}`, regular_price: "10.00" },
        {
          name: `Tax reduced ${runId}`,
          sku: `TAX-R-${runId}`,
          regular_price: "20.00",
          tax_class: "reduced-rate",
        },
      ]);
      await t.deliverQueued();
      await waitFor(() => ids.every((id) => t.indexed().has(String(id))), {
        what: "the tax products in Neuroon",
      });
      await bridge.checkTaxSettings();
      const modes = [
        { pricesIncludeTax: false, display: "incl" },
        { pricesIncludeTax: true, display: "incl" },
        { pricesIncludeTax: true, display: "excl" },
      ] as const;
      const reduced: number[] = [];
      for (const [index, mode] of modes.entries()) {
        if (index > 0) {
          await t.setTaxMode(mode.pricesIncludeTax, mode.display);
          expect((await bridge.checkTaxSettings()).changed).toBe(true);
        }
        const expected = await storePrices(ids);
        await waitFor(
          () => {
            const actual = indexedPrices(ids);
            return [...expected].every(([id, price]) => actual.get(id) === price);
          },
          { what: `prices equal to price_html (${JSON.stringify(mode)})` },
        );
        reduced.push(expected.get(String(ids[1])) as number);
      }
      // The modes really differ: 20.00 at 7 % is shown 21.40, 20.00 and 18.69.
      expect(reduced).toEqual([21.4, 20, 18.69]);
      expect(await bridge.checkTaxSettings()).toEqual({ changed: false, products: 0 });
    });
  });
}
