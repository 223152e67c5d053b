import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import { ContainerRegistrationKeys } from "@medusajs/framework/utils";
import { idsFromEvent } from "../lib/event-ids";
import { NeuroonSync } from "../lib/sync";

/** A variant changed: its product is re-read and re-sent (variants are not separate documents). */
export default async function neuroonVariantChanged({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER);
  try {
    const sync = new NeuroonSync(container);
    if (sync.options.disableLiveSync) return;
    const productIds = await sync.productIdsOfVariants(idsFromEvent(event.data));
    await sync.enqueueProducts(productIds, `event:${event.name}`);
    await sync.processProducts(productIds);
  } catch (error) {
    logger.error(
      `[neuroon] ${event.name} not recorded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export const config: SubscriberConfig = {
  event: ["product-variant.created", "product-variant.updated", "product-variant.deleted"],
  context: { subscriberId: "neuroon-variant-changed" },
};
