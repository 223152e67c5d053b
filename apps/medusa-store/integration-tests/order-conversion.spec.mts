import type { MedusaContainer } from "@medusajs/framework/types";
import { Modules } from "@medusajs/framework/utils";
import {
  completeCartWorkflow,
  createCartWorkflow,
  createPaymentCollectionForCartWorkflow,
  createPaymentSessionsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
} from "@medusajs/medusa/core-flows";
import { medusaIntegrationTestRunner } from "@medusajs/test-utils";
import { createProduct } from "./support/fixtures.js";
import { eventually, queueSettled, runtimeOf, startTestNeuroon } from "./support/neuroon.js";

const neuroon = await startTestNeuroon({ NEUROON_CURRENCY: "eur" });

/** Places an order the way a storefront does: cart → payment session → complete. */
async function placeOrder(container: MedusaContainer, metadata: Record<string, unknown>) {
  const { result: regions } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        {
          name: "Europe",
          currency_code: "eur",
          countries: ["de"],
          payment_providers: ["pp_system_default"],
        },
      ],
    },
  });
  const { result: channels } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: "Webshop" }] },
  });
  const channel = { id: channels[0]?.id as string };
  const clicked = await createProduct(container, {
    title: "Searched Jacket",
    prices: [{ amount: 80, currency_code: "eur" }],
    sales_channels: [channel],
  });
  const other = await createProduct(container, {
    title: "Browsed Socks",
    prices: [{ amount: 5, currency_code: "eur" }],
    sales_channels: [channel],
  });
  const query = container.resolve("query");
  const { data: variants } = await query.graph({
    entity: "product_variant",
    fields: ["id", "product_id"],
    filters: { product_id: [clicked, other] },
  });
  const variantOf = (productId: string) =>
    variants.find((v) => v.product_id === productId)?.id as string;

  const { result: cart } = await createCartWorkflow(container).run({
    input: {
      region_id: regions[0]?.id as string,
      sales_channel_id: channel.id,
      currency_code: "eur",
      email: "shopper@example.com",
      items: [
        { variant_id: variantOf(clicked), quantity: 2 },
        { variant_id: variantOf(other), quantity: 1 },
      ],
      metadata: { ...metadata, neuroon_clicks: JSON.stringify({ [clicked]: "log_jacket_1" }) },
    },
  });
  const { result: collection } = await createPaymentCollectionForCartWorkflow(container).run({
    input: { cart_id: cart.id },
  });
  await createPaymentSessionsWorkflow(container).run({
    input: { payment_collection_id: collection.id, provider_id: "pp_system_default" },
  });
  const { result: order } = await completeCartWorkflow(container).run({ input: { id: cart.id } });
  return { orderId: order.id, clicked, other };
}

medusaIntegrationTestRunner({
  cwd: process.cwd(),
  testSuite: ({ getContainer }) => {
    afterAll(() => neuroon.close());
    beforeEach(() => neuroon.reset());
    afterEach(() => queueSettled(getContainer()));

    describe("order.placed", () => {
      it("reports exactly one conversion with the search log ids stored on the cart", async () => {
        const container = getContainer();
        const { orderId, clicked } = await placeOrder(container, {});
        await eventually(() => expect(neuroon.conversions()).toHaveLength(1));
        expect(neuroon.conversions()[0]).toEqual({
          orderId,
          orderValue: 165,
          currency: "EUR",
          conversions: [
            { productId: clicked, searchLogId: "log_jacket_1", quantity: 2, lineTotal: 160 },
          ],
        });

        // A redelivered event queues it again; Neuroon dedupes by order id (contract §3), so it
        // still counts once.
        await queueSettled(container);
        const events = container.resolve(Modules.EVENT_BUS);
        await events.emit({ name: "order.placed", data: { id: orderId } });
        await eventually(() =>
          expect(
            neuroon.requests().filter((r) => r.path.endsWith("/track/conversion")),
          ).toHaveLength(2),
        );
        expect(neuroon.conversions().map((c) => c.orderId)).toEqual([orderId]);
      });

      it("keeps the conversion through an outage and sends it once Neuroon is back", async () => {
        const container = getContainer();
        neuroon.setDown(true);
        const { orderId } = await placeOrder(container, {});
        const { queue } = await runtimeOf(container).storage();
        // Tried, refused with 503, and put back for a later attempt.
        await eventually(async () => {
          expect(neuroon.requests().some((r) => r.path.endsWith("/track/conversion"))).toBe(true);
          expect((await queue.stats()).delayed).toBeGreaterThan(0);
        }, 30_000);
        expect(neuroon.conversions()).toEqual([]);
        neuroon.setDown(false);
        await eventually(
          () => expect(neuroon.conversions().map((c) => c.orderId)).toEqual([orderId]),
          60_000,
        );
      });
    });
  },
});
