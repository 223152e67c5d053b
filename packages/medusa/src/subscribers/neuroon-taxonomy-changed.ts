import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import { idsFromEvent } from "../lib/event-ids";
import { resolveNeuroon } from "../lib/resolve";

/**
 * A category or collection was renamed or changed: its products' records (category breadcrumbs,
 * a collection used as brand) changed too, so they are queued. Membership changes emit no event;
 * the nightly reconcile catches those.
 */
export default async function neuroonTaxonomyChanged({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  const neuroon = resolveNeuroon(container);
  if (neuroon.options.disableLiveSync) return;
  const source = neuroon.runtime.source(container);
  const ids = idsFromEvent(event.data);
  const productIds = event.name.startsWith("product-category.")
    ? await source.productIdsInCategories(ids)
    : await source.productIdsInCollections(ids);
  const origin = `event:${event.name}`;
  await neuroon.runtime.enqueue(
    container,
    productIds.map((key) => ({ kind: "product" as const, key, origin })),
  );
}

export const config: SubscriberConfig = {
  event: ["product-category.updated", "product-collection.updated"],
  context: { subscriberId: "neuroon-taxonomy-changed" },
};
