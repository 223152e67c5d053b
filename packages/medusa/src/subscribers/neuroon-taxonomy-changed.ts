import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import { ContainerRegistrationKeys } from "@medusajs/framework/utils";
import { idsFromEvent } from "../lib/event-ids";
import { NeuroonSync } from "../lib/sync";

/**
 * A category or collection was renamed or changed: its products' documents (category breadcrumbs,
 * a collection used as brand) changed too. Membership changes emit no event; the nightly
 * reconcile catches those.
 */
export default async function neuroonTaxonomyChanged({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER);
  try {
    const sync = new NeuroonSync(container);
    if (sync.options.disableLiveSync) return;
    const ids = idsFromEvent(event.data);
    const productIds = event.name.startsWith("product-category.")
      ? await sync.productIdsInCategories(ids)
      : await sync.productIdsInCollections(ids);
    await sync.enqueueAndDeliver(productIds, `event:${event.name}`);
  } catch (error) {
    logger.error(
      `[neuroon] ${event.name} not recorded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export const config: SubscriberConfig = {
  event: ["product-category.updated", "product-collection.updated"],
  context: { subscriberId: "neuroon-taxonomy-changed" },
};
