import type { CreateRegionDTO } from "@medusajs/framework/types";
import { Modules } from "@medusajs/framework/utils";
import { createProductsWorkflow, createTaxRegionsWorkflow } from "@medusajs/medusa/core-flows";
import { medusaIntegrationTestRunner } from "@medusajs/test-utils";
import { eventually, queueSettled, startTestNeuroon } from "./support/neuroon.js";

const REGION_ID = "reg_neuroon_de";
// The preferred setup: a region decides currency, region price rules and tax.
const neuroon = await startTestNeuroon({
  NEUROON_REGION_ID: REGION_ID,
  NEUROON_TAX_INCLUSIVE: "true",
});

medusaIntegrationTestRunner({
  cwd: process.cwd(),
  testSuite: ({ getContainer }) => {
    afterAll(() => neuroon.close());
    beforeEach(() => neuroon.reset());
    afterEach(() => queueSettled(getContainer()));

    it("sends the region's price (region rules win over currency prices) with the region's tax", async () => {
      const container = getContainer();
      // A fixed id so medusa-config can name the region before the test creates it.
      // The DTO type omits `id`, which the Region Module accepts.
      const region = {
        id: REGION_ID,
        name: "Germany",
        currency_code: "eur",
        countries: ["de"],
        automatic_taxes: true,
      } as CreateRegionDTO;
      await container.resolve(Modules.REGION).createRegions([region]);
      await createTaxRegionsWorkflow(container).run({
        input: [
          {
            country_code: "de",
            provider_id: "tp_system",
            default_tax_rate: { rate: 19, code: "DE19", name: "MwSt" },
          },
        ],
      });
      const { result } = await createProductsWorkflow(container).run({
        input: {
          products: [
            {
              title: "Region Lamp",
              handle: "region-lamp",
              status: "published",
              options: [{ title: "Color", values: ["Brass"] }],
              variants: [
                {
                  title: "Brass",
                  options: { Color: "Brass" },
                  manage_inventory: false,
                  prices: [
                    { amount: 100, currency_code: "eur" },
                    // A region price rule; the Admin API accepts `rules`, the workflow's type does not list it.
                    { amount: 90, currency_code: "eur", rules: { region_id: REGION_ID } } as {
                      amount: number;
                      currency_code: string;
                    },
                    { amount: 120, currency_code: "usd" },
                  ],
                },
              ],
            },
          ],
        },
      });
      const id = result[0]?.id as string;
      await eventually(() =>
        expect(neuroon.products().get(id)).toMatchObject({ price: 107.1, currency: "EUR" }),
      );
    });
  },
});
