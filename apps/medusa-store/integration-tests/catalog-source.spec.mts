import { ContainerRegistrationKeys } from "@medusajs/framework/utils";
import { deleteProductsWorkflow, updateProductsWorkflow } from "@medusajs/medusa/core-flows";
import { medusaIntegrationTestRunner } from "@medusajs/test-utils";
import { runCatalogSourceConformance } from "@neuroon/core/testing";
import { MedusaCatalogSource } from "@neuroon/medusa/lib/catalog-source";
import { resolveNeuroon } from "@neuroon/medusa/lib/resolve";
import { createProduct } from "./support/fixtures.js";
import { startTestNeuroon } from "./support/neuroon.js";

// The battery drives the source and its own engine; the live subscribers stay out of its way.
const neuroon = await startTestNeuroon({
  NEUROON_CURRENCY: "eur",
  NEUROON_DISABLE_LIVE_SYNC: "true",
});

/** Core's CatalogSource conformance battery on the real Medusa catalog (PostgreSQL, Query, pricing). */
medusaIntegrationTestRunner({
  cwd: process.cwd(),
  testSuite: ({ getContainer }) => {
    afterAll(() => neuroon.close());

    runCatalogSourceConformance("medusa", async () => {
      const container = getContainer();
      const source = new MedusaCatalogSource(container, resolveNeuroon(container).options);
      let created = 0;
      const create = () => createProduct(container, { title: `Conformance Product ${++created}` });
      for (let i = 0; i < 3; i++) await create();
      return {
        source,
        createProduct: create,
        async updateProduct(key) {
          const title = `Renamed ${key.slice(-6)}`;
          await updateProductsWorkflow(container).run({
            input: { products: [{ id: key, title }] },
          });
          return { name: title };
        },
        async deleteProduct(key) {
          await deleteProductsWorkflow(container).run({ input: { ids: [key] } });
        },
        async unpublishProduct(key) {
          await updateProductsWorkflow(container).run({
            input: { products: [{ id: key, status: "draft" }] },
          });
        },
        // What the store holds, read straight from Medusa rather than through the mapper.
        async expectedCatalog() {
          const query = container.resolve(ContainerRegistrationKeys.QUERY);
          const { data } = await query.graph({
            entity: "product",
            fields: ["id", "title", "status", "variants.prices.amount"],
          });
          return (
            data as Array<{
              id: string;
              title: string;
              status: string;
              variants: Array<{ prices: Array<{ amount: number }> }>;
            }>
          )
            .filter((p) => p.status === "published")
            .map((p) => ({
              externalId: p.id,
              name: p.title,
              price: Math.min(...p.variants.flatMap((v) => v.prices.map((x) => Number(x.amount)))),
            }));
        },
        unknownKey: "prod_01JUNKNOWNPRODUCT0000000000",
        async close() {},
      };
    });
  },
});
