import {
  batchLinkProductsToCategoryWorkflow,
  createProductsWorkflow,
  deleteProductsWorkflow,
  updateProductCategoriesWorkflow,
  updateProductsWorkflow,
} from "@medusajs/medusa/core-flows";
import { medusaIntegrationTestRunner } from "@medusajs/test-utils";
import { resolveNeuroon } from "@neuroon/medusa/lib/resolve";
import { seedCatalog } from "../src/scripts/seed.js";
import {
  adminHeaders,
  createCategoryTree,
  createProduct,
  storeHeaders,
} from "./support/fixtures.js";
import {
  API_KEY,
  eventually,
  queueSettled,
  runtimeOf,
  SHOP_ID,
  STOREFRONT_URL,
  startTestNeuroon,
  syncRequests,
} from "./support/neuroon.js";

const neuroon = await startTestNeuroon({ NEUROON_CURRENCY: "eur" });

medusaIntegrationTestRunner({
  cwd: process.cwd(),
  testSuite: ({ getContainer, api }) => {
    afterAll(() => neuroon.close());
    beforeEach(() => neuroon.reset());
    afterEach(() => queueSettled(getContainer()));

    describe("products created, updated, unpublished and deleted through Medusa's workflows", () => {
      it("reaches Neuroon with its price, URL, brand and category chain", async () => {
        const container = getContainer();
        const categories = await createCategoryTree(container);
        const { result } = await createProductsWorkflow(container).run({
          input: {
            products: [
              {
                title: "Trail Runner",
                handle: "trail-runner",
                status: "published",
                description: "<p>Light <b>trail</b> shoe</p>",
                metadata: { brand: "Acme" },
                category_ids: [categories.trail],
                options: [{ title: "Size", values: ["42", "43"] }],
                variants: [
                  {
                    title: "42",
                    sku: "TR-42",
                    options: { Size: "42" },
                    manage_inventory: false,
                    prices: [
                      { amount: 120, currency_code: "eur" },
                      { amount: 130, currency_code: "usd" },
                    ],
                  },
                  {
                    title: "43",
                    sku: "TR-43",
                    options: { Size: "43" },
                    manage_inventory: false,
                    prices: [{ amount: 110, currency_code: "eur" }],
                  },
                ],
              },
            ],
          },
        });
        const id = result[0]?.id as string;
        await eventually(() => expect(neuroon.products().get(id)).toBeDefined());
        expect(neuroon.products().get(id)).toEqual({
          externalId: id,
          name: "Trail Runner",
          price: 110,
          currency: "EUR",
          url: "https://shop.example.com/products/trail-runner",
          brands: ["Acme"],
          categories: ["Trail", "Shoes", "Apparel"],
          description: "Light trail shoe",
          inStock: true,
          isActive: true,
          attributes: { Size: "42, 43" },
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        });
      });

      it("follows an update, an unpublish, a republish and a delete", async () => {
        const container = getContainer();
        const id = await createProduct(container, { title: "Canvas Tote" });
        await eventually(() => expect(neuroon.products().get(id)?.name).toBe("Canvas Tote"));

        await updateProductsWorkflow(container).run({
          input: { products: [{ id, title: "Canvas Tote Bag" }] },
        });
        await eventually(() => expect(neuroon.products().get(id)?.name).toBe("Canvas Tote Bag"));

        await updateProductsWorkflow(container).run({
          input: { products: [{ id, status: "draft" }] },
        });
        await eventually(() => expect(neuroon.products().has(id)).toBe(false));

        await updateProductsWorkflow(container).run({
          input: { products: [{ id, status: "published" }] },
        });
        await eventually(() => expect(neuroon.products().has(id)).toBe(true));

        await deleteProductsWorkflow(container).run({ input: { ids: [id] } });
        await eventually(() => expect(neuroon.products().has(id)).toBe(false));
        expect(neuroon.requests().filter((r) => r.method === "DELETE")).toHaveLength(2);
      });

      it("follows a parent category rename into its products' breadcrumbs", async () => {
        const container = getContainer();
        const { apparel, trail } = await createCategoryTree(container);
        const id = await createProduct(container, { title: "Fell Shoe", category_ids: [trail] });
        await eventually(() =>
          expect(neuroon.products().get(id)?.categories).toEqual(["Trail", "Shoes", "Apparel"]),
        );

        await updateProductCategoriesWorkflow(container).run({
          input: { selector: { id: apparel }, update: { name: "Clothing" } },
        });
        await eventually(() =>
          expect(neuroon.products().get(id)?.categories).toEqual(["Trail", "Shoes", "Clothing"]),
        );
      });

      it("never sends draft products", async () => {
        const container = getContainer();
        const draft = await createProduct(container, {
          title: "Secret Prototype",
          status: "draft",
        });
        const published = await createProduct(container, { title: "Public Tee" });
        await eventually(() => expect(neuroon.products().has(published)).toBe(true));
        expect(neuroon.products().has(draft)).toBe(false);
        await queueSettled(container);
        // Nothing of the draft is ever in a sync request. Core's engine deletes whatever the
        // store does not index, so the draft's id may appear in a DELETE (nothing else).
        const syncBodies = neuroon
          .requests()
          .filter((r) => r.path.endsWith("/products/sync"))
          .map((r) => JSON.stringify(r.body));
        expect(syncBodies.length).toBeGreaterThan(0);
        expect(syncBodies.some((body) => body.includes(draft) || body.includes("Secret"))).toBe(
          false,
        );
        const draftCalls = neuroon.requests().filter((r) => r.path.includes(draft));
        expect(draftCalls.map((r) => r.method)).toEqual(draftCalls.map(() => "DELETE"));
      });
    });

    describe("coalescing through the engine's queue", () => {
      it("one admin edit of a 3-variant product sends one sync request", async () => {
        const container = getContainer();
        const { result } = await createProductsWorkflow(container).run({
          input: {
            products: [
              {
                title: "Three Sizes",
                handle: "three-sizes",
                status: "published",
                options: [{ title: "Size", values: ["S", "M", "L"] }],
                variants: ["S", "M", "L"].map((size) => ({
                  title: size,
                  sku: `THREE-${size}`,
                  options: { Size: size },
                  manage_inventory: false,
                  prices: [{ amount: 30, currency_code: "eur" }],
                })),
              },
            ],
          },
        });
        const product = result[0] as { id: string; variants: Array<{ id: string; title: string }> };
        await eventually(() => expect(neuroon.products().has(product.id)).toBe(true));
        await queueSettled(container);
        const before = syncRequests(neuroon);

        // What the admin's product form sends: the product and each of its variants.
        const headers = await adminHeaders(container);
        await api.post(
          `/admin/products/${product.id}`,
          {
            title: "Three Sizes, Recut",
            variants: product.variants.map((v) => ({
              id: v.id,
              title: `${v.title} (recut)`,
              prices: [{ amount: 35, currency_code: "eur" }],
            })),
          },
          { headers },
        );
        await eventually(() =>
          expect(neuroon.products().get(product.id)).toMatchObject({
            name: "Three Sizes, Recut",
            price: 35,
          }),
        );
        await queueSettled(container);
        expect(syncRequests(neuroon) - before).toBe(1);
      });

      it("60 products created at once (an import) go out in one or two sync requests", async () => {
        const container = getContainer();
        const { result } = await createProductsWorkflow(container).run({
          input: {
            products: Array.from({ length: 60 }, (_, i) => ({
              title: `Imported ${i}`,
              handle: `imported-${i}`,
              status: "published" as const,
              options: [{ title: "Size", values: ["M"] }],
              variants: [
                {
                  title: "M",
                  sku: `IMPORTED-${i}`,
                  options: { Size: "M" },
                  manage_inventory: false,
                  prices: [{ amount: 20 + i, currency_code: "eur" }],
                },
              ],
            })),
          },
        });
        expect(result).toHaveLength(60);
        await eventually(() => expect(neuroon.products().size).toBe(60), 60_000);
        await queueSettled(container);
        const requests = syncRequests(neuroon);
        console.info(`[measure] 60 products in one import → ${requests} sync request(s)`);
        expect(requests).toBeLessThanOrEqual(2);
      });

      it("products created one by one are each sent once, never twice", async () => {
        const container = getContainer();
        for (let i = 0; i < 20; i++) await createProduct(container, { title: `One By One ${i}` });
        await eventually(() => expect(neuroon.products().size).toBe(20), 60_000);
        await queueSettled(container);
        const sent = neuroon
          .requests()
          .filter((r) => r.path.endsWith("/products/sync"))
          .flatMap((r) => (r.body as { products: Array<{ externalId: string }> }).products)
          .map((p) => p.externalId);
        console.info(`[measure] 20 creates one by one → ${syncRequests(neuroon)} sync request(s)`);
        expect(sent).toHaveLength(20);
        expect(new Set(sent).size).toBe(20);
      });
    });

    describe("a failing Neuroon followed by recovery", () => {
      it("loses no change: the engine retries with backoff until Neuroon is back", async () => {
        const container = getContainer();
        const doomed = await createProduct(container, { title: "Old Stock" });
        await eventually(() => expect(neuroon.products().has(doomed)).toBe(true));
        await queueSettled(container);

        neuroon.setDown(true);
        const a = await createProduct(container, { title: "Outage Hoodie" });
        const b = await createProduct(container, { title: "Outage Cap" });
        await deleteProductsWorkflow(container).run({ input: { ids: [doomed] } });
        const { queue } = await runtimeOf(container).storage();
        // The worker tried, failed (503) and put all three back for a later attempt.
        await eventually(async () => {
          expect((await queue.stats()).delayed).toBe(3);
        }, 30_000);
        expect(neuroon.products().has(a)).toBe(false);

        neuroon.setDown(false);
        await eventually(() => {
          expect(neuroon.products().get(a)?.name).toBe("Outage Hoodie");
          expect(neuroon.products().get(b)?.name).toBe("Outage Cap");
          expect(neuroon.products().has(doomed)).toBe(false);
        }, 60_000);
        const { state } = await runtimeOf(container).storage();
        const records = await state.get([a, b, doomed]);
        expect(records.get(a)?.status).toBe("synced");
        expect(records.get(b)?.status).toBe("synced");
        expect(records.has(doomed)).toBe(false);
        expect((await queue.stats()).deadLetters).toBe(0);
      });
    });

    describe("reconcile and full resync", () => {
      it("the nightly reconcile sends category membership changes and deletes orphans", async () => {
        const container = getContainer();
        const { shoes } = await createCategoryTree(container);
        const id = await createProduct(container, { title: "Plain Sneaker" });
        await eventually(() => expect(neuroon.products().has(id)).toBe(true));
        expect(neuroon.products().get(id)?.categories).toBeUndefined();

        // The category page's "add products" emits no product event.
        await batchLinkProductsToCategoryWorkflow(container).run({
          input: { id: shoes, add: [id], remove: [] },
        });
        await neuroon.seed({
          externalId: "prod_gone",
          name: "Deleted while offline",
          price: 1,
          url: "https://x.example/p",
        });

        const { summary } = await runtimeOf(container).runCatalog(container, "reconcile");
        expect(summary).toMatchObject({ sent: 1, deleted: 1, failed: 0 });
        expect(neuroon.products().get(id)?.categories).toEqual(["Shoes", "Apparel"]);
        expect(neuroon.products().has("prod_gone")).toBe(false);

        // Nothing changed since: a second reconcile sends nothing.
        const before = neuroon.requests().filter((r) => r.method === "POST").length;
        const again = await runtimeOf(container).runCatalog(container, "reconcile");
        expect(again.summary).toMatchObject({ sent: 0, deleted: 0, unchanged: 1 });
        expect(neuroon.requests().filter((r) => r.method === "POST").length).toBe(before);
      });

      it("refuses to wipe most of Neuroon's catalog when Medusa lists far fewer products", async () => {
        const container = getContainer();
        await createProduct(container, { title: "Lonely Product" });
        for (let i = 0; i < 12; i++) {
          await neuroon.seed({
            externalId: `prod_legacy_${i}`,
            name: `Legacy ${i}`,
            price: 10,
            url: `${STOREFRONT_URL}/products/legacy-${i}`,
          });
        }
        await queueSettled(container);
        await expect(runtimeOf(container).runCatalog(container, "reconcile")).rejects.toMatchObject(
          {
            name: "SafetyValveError",
            details: { wouldDelete: 12, remoteTotal: 13, sourceTotal: 1, maxDeleteRatio: 0.5 },
            message: expect.stringMatching(/refused to delete 12 of 13 products/),
          },
        );
        expect(neuroon.products().size).toBe(13);
        const [run] = await resolveNeuroon(container).listNeuroonSyncRuns(
          {},
          { take: 1, order: { started_at: "DESC" } },
        );
        expect(run).toMatchObject({
          kind: "reconcile",
          status: "failed",
          error: expect.stringContaining("maxOrphanDeleteRatio"),
        });
      });

      it("POST /admin/neuroon/resync resends everything in the background; GET status reports it", async () => {
        const container = getContainer();
        const ids = [
          await createProduct(container, { title: "Resync One" }),
          await createProduct(container, { title: "Resync Two" }),
        ];
        await eventually(() => expect(neuroon.products().size).toBe(2));
        await queueSettled(container);
        neuroon.reset();

        const headers = await adminHeaders(container);
        await expect(api.post("/admin/neuroon/resync", {})).rejects.toMatchObject({
          response: { status: 401 },
        });
        const started = await api.post("/admin/neuroon/resync", {}, { headers });
        expect(started.status).toBe(202);
        expect(started.data.run_id).toMatch(/^nrrun_/);
        await eventually(() =>
          expect([...neuroon.products().keys()].sort()).toEqual([...ids].sort()),
        );

        await eventually(async () => {
          const status = await api.get("/admin/neuroon/status", { headers });
          expect(status.data.runs[0]).toMatchObject({
            id: started.data.run_id,
            kind: "full",
            status: "completed",
            upserted: 2,
          });
          expect(status.data).toMatchObject({
            products: { synced: 2 },
            queue: { pending: 0, retrying: 0, in_flight: 0, dead: 0 },
            dead_letters: [],
          });
        });
        const one = await api.get(`/admin/neuroon/products/${ids[0]}`, { headers });
        expect(one.data.sync).toMatchObject({
          product_id: ids[0],
          status: "synced",
          last_error: null,
        });

        // "Sync now" on the product page sends it again even though it did not change.
        const before = syncRequests(neuroon);
        const again = await api.post(`/admin/neuroon/products/${ids[0]}`, {}, { headers });
        expect(again.data.sync).toMatchObject({ product_id: ids[0], status: "synced" });
        expect(syncRequests(neuroon)).toBe(before + 1);
      });
    });

    describe("the seeded demo catalog", () => {
      it("is indexed live, and a full resync brings stock levels (which emit no event) up to date", async () => {
        const container = getContainer();
        const { productIds } = await seedCatalog(container);
        await eventually(() => expect(neuroon.products().size).toBe(12), 20_000);
        const draft = productIds.find((id) => !neuroon.products().has(id));
        expect(draft).toBeDefined();

        await queueSettled(container);
        const { summary } = await runtimeOf(container).runCatalog(container, "full");
        expect(summary).toMatchObject({ sent: 12, deleted: 0, failed: 0 });
        expect(neuroon.products().has(draft as string)).toBe(false);

        const runner = [...neuroon.products().values()].find(
          (p) => p.name === "Ridge Trail Runner",
        );
        expect(runner).toMatchObject({
          price: 149,
          currency: "EUR",
          brands: ["Altra Via"],
          categories: ["Trail", "Running", "Footwear"],
          tags: ["grip", "running"],
          url: `${STOREFRONT_URL}/products/ridge-trail-runner`,
          attributes: { Size: "40, 41, 42, 43, 44, 45" },
          inStock: true,
        });
        expect(runner?.stockQuantity).toBeGreaterThan(0);
      });
    });

    describe("GET /store/neuroon/widget-token", () => {
      it("returns a signed token, cached, and never the API key", async () => {
        const headers = await storeHeaders(getContainer());
        const first = await api.get("/store/neuroon/widget-token", { headers });
        expect(first.status).toBe(200);
        expect(first.data).toMatchObject({ shop_id: SHOP_ID, api_url: neuroon.url });
        const raw = Buffer.from(first.data.token, "base64url").toString("utf8");
        expect(raw).toMatch(new RegExp(`^${SHOP_ID}:\\d+:[0-9a-f]{64}$`));
        expect(neuroon.emulator.verifyWidgetToken(first.data.token)).toMatchObject({
          ok: true,
          shopId: SHOP_ID,
        });
        expect(JSON.stringify(first.data)).not.toContain(API_KEY);
        expect(first.headers["cache-control"]).toMatch(/^private, max-age=\d+$/);
        const second = await api.get("/store/neuroon/widget-token", { headers });
        expect(second.data.token).toBe(first.data.token);
      });
    });
  },
});
