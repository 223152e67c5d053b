import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import { ContainerRegistrationKeys } from "@medusajs/framework/utils";
import { idsFromEvent } from "../lib/event-ids";
import { NeuroonSync } from "../lib/sync";

/**
 * An order was placed: report it as a conversion (once, keyed by order id) with the search log
 * ids the storefront stored on the cart, and re-sync its products, whose stock changed.
 */
export default async function neuroonOrderPlaced({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER);
  try {
    const sync = new NeuroonSync(container);
    const productIds: string[] = [];
    for (const orderId of idsFromEvent(event.data))
      productIds.push(...(await sync.enqueueOrder(orderId)));
    await sync.drainConversions();
    if (!sync.options.disableLiveSync) await sync.processProducts(productIds);
  } catch (error) {
    logger.error(
      `[neuroon] ${event.name} not recorded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export const config: SubscriberConfig = {
  event: "order.placed",
  context: { subscriberId: "neuroon-order-placed" },
};
