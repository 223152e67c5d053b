import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import { enqueueProductsOfEvent } from "../lib/resolve";

/**
 * A category or collection was renamed or changed: its products' records (category breadcrumbs,
 * a collection used as brand) changed too, so they are queued. Membership changes emit no event;
 * the nightly reconcile catches those.
 */
export default async function neuroonTaxonomyChanged({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  await enqueueProductsOfEvent(event, container, (source, ids) =>
    event.name.startsWith("product-category.")
      ? source.productIdsInCategories(ids)
      : source.productIdsInCollections(ids),
  );
}

export const config: SubscriberConfig = {
  event: ["product-category.updated", "product-collection.updated"],
  context: { subscriberId: "neuroon-taxonomy-changed" },
};
