import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type RealHarness,
  type RealStoreInfo,
  realStore,
  shownAmount,
  startRealHarness,
} from "./store.js";

const store = realStore();
const ENTITY = /&(?:amp|lt|gt|quot|#0?39|#8217|nbsp);/;

describe.skipIf(store === null)("real store: setup and the full sync", () => {
  let h: RealHarness;
  beforeAll(async () => {
    h = await startRealHarness(store as RealStoreInfo);
  });
  afterAll(async () => {
    await h?.close();
  });

  test("a second setup changes nothing and says so, although WooCommerce never returns the secret", async () => {
    const first = await h.makeBridge().setup();
    expect(first.webhooks.length).toBeGreaterThan(0);
    const second = await h.makeBridge().setup();
    expect(second.webhooks.map((w) => w.action)).toEqual(second.webhooks.map(() => "unchanged"));
    // The bridge on 127.0.0.1:8080 beside a store on 127.0.0.1 is delivered to: no loopback warning.
    expect(second.warnings.filter((w) => /loopback/.test(w))).toEqual([]);
    const listed = await h.reader.request<{ id: number; secret?: string }[]>("get", "webhooks", {
      context: "edit",
    });
    expect(listed.data.every((webhook) => webhook.secret === undefined)).toBe(true);
  });

  test("term names, attribute values and variation names reach Neuroon decoded", async () => {
    await h.makeBridge().syncAll();
    const products = [...h.indexed().values()];
    const strings = products.flatMap((p) => [
      p.name,
      ...(p.categories ?? []),
      ...(p.tags ?? []),
      ...(p.brands ?? []),
      ...Object.entries(p.attributes ?? {}).flat(),
    ]);
    expect(strings.filter((s) => ENTITY.test(s))).toEqual([]);
    const studio = products.find((p) => p.sku === "SON-STUDIO");
    expect(studio?.categories).toContain("Fish & Chips < 5 €");
    expect(studio?.tags).toEqual(['Rock & "Roll" <3']);
    expect(products.find((p) => p.sku === "ACME-SPK")?.brands).toEqual(["Acme & Co"]);
    expect(products.find((p) => p.sku === "SALT-PEP")?.name).toBe("Salt & Pepper Grinder");
    const gold = products.find((p) => p.sku === "SON-EAR-BLACK-GOLD-SPORT");
    expect(gold?.name).toBe("Sonora Earbuds - Black & Gold, Sport");
    expect(gold?.attributes).toMatchObject({ Color: "Black & Gold" });
  });

  test("the grouped Logo Collection is indexed like a parent, from its lowest child as the storefront shows it", async () => {
    const grouped = await h.reader.request<{ id: number; name: string; price_html: string }[]>(
      "get",
      "products",
      { type: "grouped", _fields: "id,name,price_html" },
    );
    const logo = grouped.data.find((p) => p.name === "Logo Collection");
    if (!logo) throw new Error("WooCommerce's sample data has no Logo Collection");
    expect(h.indexed().get(String(logo.id))).toMatchObject({
      name: "Logo Collection",
      price: shownAmount(logo.price_html),
    });
  });
});
