import { type NeuroonProduct, validateProduct } from "@neuroon/core";
import { generateCatalog } from "@neuroon/fake-woocommerce";
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  createWooCatalogSource,
  isWooProductIndexable,
  type WooCatalogWarning,
} from "../src/index.js";
import { AT, type Harness, startStore } from "./helpers.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.fake.close();
  harness = undefined;
});

/** The numbers out of `price_html`, e.g. `<del>119.00 €</del> <ins>95.20 €</ins>` → [119, 95.2]. */
function priceHtmlAmounts(html: string): number[] {
  return [...html.matchAll(/<bdi>([\d.]+)&nbsp;/g)].map((m) => Number(m[1]));
}

describe("streamCatalog", () => {
  test("streams every indexable product page by page, variations after their parent", async () => {
    harness = await startStore({ catalog: generateCatalog({ products: 300, seed: 11, at: AT }) });
    const { fake, reader } = harness;
    const source = createWooCatalogSource(reader, { pageSize: 50 });
    const pages: (readonly NeuroonProduct[])[] = [];
    for await (const page of source.streamCatalog()) pages.push(page);
    const all = pages.flat();
    const store = fake.store;
    const expectedParents = [...store.products.values()]
      .filter((p) => isWooProductIndexable(p) && p.type !== "grouped")
      .filter((p) =>
        p.type === "variable"
          ? store.variationsOf(p.id).some((v) => v.status === "publish" && v.regular_price !== "")
          : p.regular_price !== "",
      )
      .map((p) => String(p.id));
    expect(all.filter((p) => p.parentExternalId === undefined).map((p) => p.externalId)).toEqual(
      expectedParents,
    );
    // Bounded memory: one store page (and its variations) per yielded batch.
    for (const page of pages) {
      expect(page.filter((p) => p.parentExternalId === undefined).length).toBeLessThanOrEqual(50);
      const seen = new Set<string>();
      for (const product of page) {
        if (product.parentExternalId) expect(seen.has(product.parentExternalId)).toBe(true);
        seen.add(product.externalId);
      }
    }
    // Everything mapped passes core's Plugin API validation.
    const invalid = all.map((p) => ({ p, r: validateProduct(p) })).filter(({ r }) => !r.ok);
    expect(invalid).toEqual([]);
    const listCalls = fake.requests.filter(
      (r) => r.route === "/products" && r.query.context !== "edit",
    );
    expect(listCalls.every((r) => r.query.status === "publish")).toBe(true);
    expect(fake.requests.filter((r) => r.route === "/products/categories")).toHaveLength(1);
  });

  test.each([
    { include: false, display: "incl" as const },
    { include: true, display: "excl" as const },
    { include: true, display: "incl" as const },
    { include: false, display: "excl" as const },
  ])(
    "prices agree with the store's own price_html (prices_include_tax=$include, display=$display)",
    async ({ include, display }) => {
      harness = await startStore({
        catalog: generateCatalog({ products: 150, seed: 5, at: AT }),
        settings: { pricesIncludeTax: include, taxDisplayShop: display },
      });
      const { fake, reader } = harness;
      const products: NeuroonProduct[] = [];
      for await (const page of createWooCatalogSource(reader).streamCatalog())
        products.push(...page);
      let compared = 0;
      for (const mapped of products.filter((p) => p.parentExternalId === undefined)) {
        const stored = fake.store.products.get(Number(mapped.externalId));
        if (!stored || stored.type === "variable") continue;
        const html = fake.store.serializeProduct(stored).price_html as string;
        const amounts = priceHtmlAmounts(html);
        const [shownRegular, shownSale] = amounts;
        // The fake rounds in floating point, core in exact decimals: allow one cent on half-way cases.
        expect(Math.abs(mapped.price - (shownRegular as number))).toBeLessThanOrEqual(0.0101);
        if (shownSale === undefined) expect(mapped.salePrice).toBeUndefined();
        else expect(Math.abs((mapped.salePrice as number) - shownSale)).toBeLessThanOrEqual(0.0101);
        compared++;
      }
      expect(compared).toBeGreaterThan(50);
    },
  );
});

describe("readProducts", () => {
  test("re-reads families by parent id; gone, trashed, unpublished and hidden ones are missing", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const store = fake.store;
    const simple = store.addProduct({ name: "Kept", regular_price: "10.00", categories: [] });
    const draft = store.addProduct({ name: "Draft", regular_price: "10.00", status: "draft" });
    const hidden = store.addProduct({
      name: "Hidden",
      regular_price: "10.00",
      catalog_visibility: "hidden",
    });
    const catalogOnly = store.addProduct({
      name: "Shop only",
      regular_price: "10.00",
      catalog_visibility: "catalog",
    });
    const trashed = store.addProduct({ name: "Trashed", regular_price: "10.00" });
    store.trashProduct(trashed.id);
    const deleted = store.addProduct({ name: "Deleted", regular_price: "10.00" });
    store.deleteProduct(deleted.id);
    const variable = store.addProduct({ name: "Variable", type: "variable" });
    const red = store.addVariation(variable.id, {
      regular_price: "20.00",
      attributes: [{ id: 1, name: "Color", option: "Red" }],
    });
    store.addVariation(variable.id, {
      regular_price: "15.00",
      attributes: [{ id: 1, name: "Color", option: "Blue" }],
    });

    const source = createWooCatalogSource(reader);
    const keys = [simple, draft, hidden, catalogOnly, trashed, deleted, variable].map((p) =>
      String(p.id),
    );
    const result = await source.readProducts([...keys, "not-an-id"]);
    expect(result.products.map((p) => p.externalId)).toEqual([
      String(simple.id),
      String(variable.id),
      `${variable.id}:${red.id}`,
      `${variable.id}:${red.id + 1}`,
    ]);
    expect(result.missing.sort()).toEqual(
      [draft, hidden, catalogOnly, trashed, deleted].map((p) => String(p.id)).sort(),
    );
    expect(result.products[1]).toMatchObject({ price: 17.85 });
  });

  test("a variation id or a variant key resolves to the whole family", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const variable = fake.store.addProduct({ name: "Variable", type: "variable" });
    const v = fake.store.addVariation(variable.id, {
      regular_price: "20.00",
      attributes: [{ id: 1, name: "Size", option: "M" }],
    });
    const source = createWooCatalogSource(reader);
    for (const key of [String(v.id), `${variable.id}:${v.id}`]) {
      const result = await source.readProducts([key]);
      expect(result.products.map((p) => p.externalId)).toEqual([
        String(variable.id),
        `${variable.id}:${v.id}`,
      ]);
      expect(result.missing).toEqual([]);
    }
  });

  test("a variable product whose variations were all deleted is missing", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const variable = fake.store.addProduct({ name: "Variable", type: "variable" });
    const v = fake.store.addVariation(variable.id, { regular_price: "20.00" });
    fake.store.deleteVariation(v.id);
    const result = await createWooCatalogSource(reader).readProducts([String(variable.id)]);
    expect(result).toEqual({ products: [], missing: [String(variable.id)] });
  });

  test("a category created after the tree was cached triggers one reload", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const source = createWooCatalogSource(reader);
    await source.readProducts(["100"]);
    const parent = fake.store.putCategory({ name: "Gifts" });
    const child = fake.store.putCategory({ name: "Under 20 €", parent: parent.id });
    const p = fake.store.addProduct({
      name: "Gift",
      regular_price: "15.00",
      categories: [child.id],
    });
    const result = await source.readProducts([String(p.id)]);
    expect(result.products[0]?.categories).toEqual(["Under 20 €", "Gifts"]);
    expect(fake.requests.filter((r) => r.route === "/products/categories")).toHaveLength(2);
  });

  test("an unmappable product is reported and skipped, neither indexed nor missing", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const bad = fake.store.addProduct({ name: "Bad", regular_price: "12,50" });
    const errors: number[] = [];
    const source = createWooCatalogSource(reader, { onMappingError: (id) => errors.push(id) });
    expect(await source.readProducts([String(bad.id)])).toEqual({ products: [], missing: [] });
    expect(errors).toEqual([bad.id]);
  });

  test("store failures propagate as WooCommerceError for the engine to retry", async () => {
    harness = await startStore({}, { maxRetries: 0 });
    harness.fake.faults.add({ path: "/products", status: 502 });
    await expect(
      createWooCatalogSource(harness.reader).readProducts(["100"]),
    ).rejects.toMatchObject({
      name: "WooCommerceError",
      status: 502,
      isRetryable: true,
    });
  });
});

describe("password-protected products", () => {
  const editReads = (fake: Harness["fake"]) =>
    fake.requests.filter((r) => r.route === "/products" && r.query.context === "edit");
  const refuseEditContext = (fake: Harness["fake"], status: number, code: string) =>
    fake.faults.add({ path: "/products", query: { context: "edit" }, status, code });

  test("streamCatalog leaves them out, asking once per page and only about indexable products", async () => {
    harness = await startStore({ catalog: generateCatalog({ products: 200, seed: 11, at: AT }) });
    const { fake, reader } = harness;
    const store = fake.store;
    const lockedSimple = store.addProduct({
      name: "Members tee",
      regular_price: "10.00",
      post_password: "members",
    });
    const lockedVariable = store.addProduct({
      name: "Members hoodie",
      type: "variable",
      post_password: "members",
    });
    store.addVariation(lockedVariable.id, { regular_price: "30.00" });
    const ids: string[] = [];
    for await (const page of createWooCatalogSource(reader, { pageSize: 50 }).streamCatalog()) {
      ids.push(...page.map((p) => p.externalId));
    }
    expect(ids).not.toContain(String(lockedSimple.id));
    expect(ids.filter((id) => id.startsWith(`${lockedVariable.id}`))).toEqual([]);
    // The generated catalog's own protected products are left out too.
    const generatedLocked = [...store.products.values()].filter(
      (p) => p.post_password !== "" && p.status === "publish",
    );
    for (const product of generatedLocked) expect(ids).not.toContain(String(product.id));
    // Exactly what the adapter's rule says, now that it sees passwords.
    const expected = [...store.products.values()]
      .filter((p) => isWooProductIndexable(p) && p.type !== "grouped")
      .filter((p) =>
        p.type === "variable"
          ? store.variationsOf(p.id).some((v) => v.status === "publish" && v.regular_price !== "")
          : p.regular_price !== "",
      )
      .map((p) => String(p.id));
    expect(ids.filter((id) => !id.includes(":"))).toEqual(expected);
    // One trimmed edit-context read per store page, about the published, searchable products only.
    const pages = fake.requests.filter((r) => r.route === "/products" && r.query.status);
    const checks = editReads(fake);
    expect(checks).toHaveLength(pages.length);
    for (const check of checks) {
      expect(check.query).toMatchObject({ _fields: "id,post_password", per_page: "100" });
      for (const id of (check.query.include ?? "").split(",")) {
        const product = store.products.get(Number(id));
        expect(product?.status).toBe("publish");
        expect(["visible", "search"]).toContain(product?.catalog_visibility);
      }
    }
    // The protected variable product's variations were never read.
    const variationReads = fake.requests.filter((r) => r.route === "/variations");
    for (const read of variationReads) {
      expect(read.query.parent?.split(",")).not.toContain(String(lockedVariable.id));
    }
  });

  test("a product given a password goes missing on re-read; removing the password brings it back", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const store = fake.store;
    const simple = store.addProduct({ name: "Tee", regular_price: "10.00" });
    const variable = store.addProduct({ name: "Hoodie", type: "variable" });
    const variation = store.addVariation(variable.id, {
      regular_price: "30.00",
      attributes: [{ id: 1, name: "Size", option: "M" }],
    });
    const source = createWooCatalogSource(reader);
    const keys = [String(simple.id), String(variable.id)];
    expect((await source.readProducts(keys)).missing).toEqual([]);

    store.updateProduct(simple.id, { post_password: "members" });
    store.updateProduct(variable.id, { post_password: "members" });
    expect(await source.readProducts(keys)).toEqual({ products: [], missing: keys });
    // Variations follow their parent, also when the key is a variation id (a variation webhook).
    expect(await source.readProducts([String(variation.id)])).toEqual({
      products: [],
      missing: [String(variable.id)],
    });

    store.updateProduct(simple.id, { post_password: "" });
    store.updateProduct(variable.id, { post_password: "" });
    const back = await source.readProducts(keys);
    expect(back.missing).toEqual([]);
    expect(back.products.map((p) => p.externalId)).toEqual([
      String(simple.id),
      String(variable.id),
      `${variable.id}:${variation.id}`,
    ]);
  });

  test("a read of only unindexable products does not ask about passwords", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const draft = fake.store.addProduct({ name: "Draft", regular_price: "1.00", status: "draft" });
    const result = await createWooCatalogSource(reader).readProducts([String(draft.id)]);
    expect(result).toEqual({ products: [], missing: [String(draft.id)] });
    expect(editReads(fake)).toEqual([]);
  });

  test.each([
    { status: 403, code: "rest_forbidden_context" },
    { status: 401, code: "woocommerce_rest_cannot_view" },
  ])(
    "a $status refusal falls back to syncing them, warns once and asks again after an hour",
    async ({ status, code }) => {
      harness = await startStore({ catalog: generateCatalog({ products: 150, seed: 5, at: AT }) });
      const { fake, reader } = harness;
      const locked = fake.store.addProduct({
        name: "Members tee",
        regular_price: "10.00",
        post_password: "members",
      });
      const stopRefusing = refuseEditContext(fake, status, code);
      let clock = AT.getTime();
      const warnings: WooCatalogWarning[] = [];
      const source = createWooCatalogSource(reader, {
        pageSize: 40,
        now: () => clock,
        onWarning: (warning) => warnings.push(warning),
      });

      const ids: string[] = [];
      for await (const page of source.streamCatalog()) ids.push(...page.map((p) => p.externalId));
      // Syncing went on as before the check existed: the protected product is sent.
      expect(ids).toContain(String(locked.id));
      expect(ids.filter((id) => !id.includes(":")).length).toBeGreaterThan(40);
      // One refused request, not one per page, and one warning that says what to do.
      expect(editReads(fake).map((r) => r.status)).toEqual([status]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ code: "password-check-denied", error: { status, code } });
      expect(warnings[0]?.message).toContain("Read/Write REST API key");
      expect(warnings[0]?.message).toContain("password-protected products are synced");
      expect(warnings[0]?.message).toContain(`${status} ${code}`);
      expect(warnings[0]?.message).not.toContain("cs_");

      // Within the hour, re-reads do not ask.
      expect((await source.readProducts([String(locked.id)])).missing).toEqual([]);
      expect(editReads(fake)).toHaveLength(1);
      // After it, they ask again; still refused: no second warning.
      clock += 61 * 60_000;
      expect((await source.readProducts([String(locked.id)])).missing).toEqual([]);
      expect(editReads(fake)).toHaveLength(2);
      expect(warnings).toHaveLength(1);
      // Allowed again: the protected product goes missing, so the engine deletes it.
      stopRefusing();
      clock += 61 * 60_000;
      expect(await source.readProducts([String(locked.id)])).toEqual({
        products: [],
        missing: [String(locked.id)],
      });
      // A later refusal is a new episode, with a new warning.
      refuseEditContext(fake, status, code);
      await source.readProducts([String(locked.id)]);
      expect(warnings).toHaveLength(2);
    },
  );

  test("without onWarning the refusal is a process warning", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const product = fake.store.addProduct({ name: "Tee", regular_price: "10.00" });
    refuseEditContext(fake, 403, "rest_forbidden_context");
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const source = createWooCatalogSource(reader);
    await source.readProducts([String(product.id)]);
    await source.readProducts([String(product.id)]);
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(emitted.mock.calls[0]?.[0]).toContain("password-protected products");
    expect(emitted.mock.calls[0]?.[1]).toEqual({
      type: "NeuroonWooCommerceWarning",
      code: "NEUROON_WOO_PASSWORD_CHECK_DENIED",
    });
  });

  test("other failures of the check are retried by the reader, then propagate", async () => {
    harness = await startStore({}, { maxRetries: 1 });
    const { fake, reader } = harness;
    const product = fake.store.addProduct({ name: "Tee", regular_price: "10.00" });
    const source = createWooCatalogSource(reader);
    fake.faults.add({ path: "/products", query: { context: "edit" }, status: 503, times: 1 });
    expect((await source.readProducts([String(product.id)])).missing).toEqual([]);
    expect(editReads(fake).map((r) => r.status)).toEqual([503, 200]);
    fake.faults.add({ path: "/products", query: { context: "edit" }, status: 502 });
    await expect(source.readProducts([String(product.id)])).rejects.toMatchObject({
      name: "WooCommerceError",
      status: 502,
      isRetryable: true,
    });
  });
});
