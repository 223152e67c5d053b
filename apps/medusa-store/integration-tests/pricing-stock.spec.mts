import type { MedusaContainer } from "@medusajs/framework/types";
import { ContainerRegistrationKeys } from "@medusajs/framework/utils";
import {
  createInventoryLevelsWorkflow,
  createPriceListsWorkflow,
  createProductsWorkflow,
  createSalesChannelsWorkflow,
  createStockLocationsWorkflow,
  createTaxRegionsWorkflow,
  deletePriceListsWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
  upsertVariantPricesWorkflow,
} from "@medusajs/medusa/core-flows";
import { medusaIntegrationTestRunner } from "@medusajs/test-utils";
import { eventually, queueSettled, runtimeOf, startTestNeuroon } from "./support/neuroon.js";

// A German storefront: EUR prices stored net, shown with 19 % VAT.
const neuroon = await startTestNeuroon({
  NEUROON_CURRENCY: "eur",
  NEUROON_TAX_INCLUSIVE: "true",
  NEUROON_TAX_COUNTRY: "de",
});

async function createStockedProduct(container: MedusaContainer, stocked: number) {
  const { result: channels } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: "Webshop DE" }] },
  });
  const channelId = channels[0]?.id as string;
  const { result: locations } = await createStockLocationsWorkflow(container).run({
    input: { locations: [{ name: "Berlin warehouse" }] },
  });
  const locationId = locations[0]?.id as string;
  await linkSalesChannelsToStockLocationWorkflow(container).run({
    input: { id: locationId, add: [channelId] },
  });
  const { result } = await createProductsWorkflow(container).run({
    input: {
      products: [
        {
          title: "Wool Coat",
          handle: "wool-coat",
          status: "published",
          sales_channels: [{ id: channelId }],
          options: [{ title: "Size", values: ["M"] }],
          variants: [
            {
              title: "M",
              sku: "COAT-M",
              options: { Size: "M" },
              manage_inventory: true,
              prices: [{ amount: 100, currency_code: "eur" }],
            },
          ],
        },
      ],
    },
  });
  const productId = result[0]?.id as string;
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({
    entity: "product_variant",
    fields: ["id", "inventory_items.inventory_item_id"],
    filters: { product_id: productId },
  });
  const variant = data[0] as { id: string; inventory_items: Array<{ inventory_item_id: string }> };
  await createInventoryLevelsWorkflow(container).run({
    input: {
      inventory_levels: [
        {
          inventory_item_id: variant.inventory_items[0]?.inventory_item_id as string,
          location_id: locationId,
          stocked_quantity: stocked,
        },
      ],
    },
  });
  return { productId, variantId: variant.id };
}

medusaIntegrationTestRunner({
  cwd: process.cwd(),
  testSuite: ({ getContainer }) => {
    afterAll(() => neuroon.close());
    beforeEach(() => neuroon.reset());
    afterEach(() => queueSettled(getContainer()));

    it("sends prices with VAT as the storefront shows them, sale prices from price lists, and stock", async () => {
      const container = getContainer();
      await createTaxRegionsWorkflow(container).run({
        input: [
          {
            country_code: "de",
            provider_id: "tp_system",
            default_tax_rate: { rate: 19, code: "DE19", name: "MwSt" },
          },
        ],
      });
      const { productId, variantId } = await createStockedProduct(container, 0);
      await eventually(() =>
        expect(neuroon.products().get(productId)).toMatchObject({
          price: 119,
          currency: "EUR",
          inStock: false,
          stockQuantity: 0,
        }),
      );

      // A price list emits only Pricing Module events; the plugin maps them to the list's products.
      const { result: priceLists } = await createPriceListsWorkflow(container).run({
        input: {
          price_lists_data: [
            {
              title: "Winter sale",
              description: "20 % off coats",
              status: "active",
              prices: [{ amount: 80, currency_code: "eur", variant_id: variantId }],
            },
          ],
        },
      });
      await eventually(() =>
        expect(neuroon.products().get(productId)).toMatchObject({ price: 119, salePrice: 95.2 }),
      );

      // A stock change emits no product event: the nightly reconcile sends it.
      const query = container.resolve(ContainerRegistrationKeys.QUERY);
      const { data } = await query.graph({
        entity: "inventory_level",
        fields: ["id", "inventory_item_id", "location_id"],
        filters: {},
      });
      const level = data[0] as { inventory_item_id: string; location_id: string };
      const inventory = container.resolve("inventory") as {
        updateInventoryLevels(u: unknown[]): Promise<unknown>;
      };
      await inventory.updateInventoryLevels([
        {
          inventory_item_id: level.inventory_item_id,
          location_id: level.location_id,
          stocked_quantity: 7,
        },
      ]);

      const { summary } = await runtimeOf(container).runCatalog(container, "reconcile");
      expect(summary).toMatchObject({ sent: 1, failed: 0 });
      expect(neuroon.products().get(productId)).toMatchObject({
        price: 119,
        salePrice: 95.2,
        inStock: true,
        stockQuantity: 7,
      });

      // Ending the sale (deleting the price list) reaches Neuroon without a reconcile too.
      await deletePriceListsWorkflow(container).run({
        input: { ids: [priceLists[0]?.id as string] },
      });
      await eventually(() => {
        const product = neuroon.products().get(productId);
        expect(product).toMatchObject({ price: 119 });
        expect(product?.salePrice ?? undefined).toBeUndefined();
      });
    });

    it("sends a changed variant price from its Pricing Module event", async () => {
      const container = getContainer();
      const { productId, variantId } = await createStockedProduct(container, 3);
      await eventually(() =>
        expect(neuroon.products().get(productId)).toMatchObject({ price: 100 }),
      );
      // upsertVariantPricesWorkflow on its own emits no product or variant event.
      const query = container.resolve(ContainerRegistrationKeys.QUERY);
      const { data } = await query.graph({
        entity: "product_variant",
        fields: ["id", "price_set.prices.id"],
        filters: { id: variantId },
      });
      const priceId = (data[0] as { price_set: { prices: Array<{ id: string }> } }).price_set
        .prices[0]?.id as string;
      await upsertVariantPricesWorkflow(container).run({
        input: {
          variantPrices: [
            {
              variant_id: variantId,
              product_id: productId,
              prices: [{ id: priceId, amount: 150, currency_code: "eur" }],
            },
          ],
          previousVariantIds: [variantId],
        },
      });
      await eventually(() =>
        expect(neuroon.products().get(productId)).toMatchObject({ price: 150 }),
      );
    });
  },
});
