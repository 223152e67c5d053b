import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import { enqueueProductsOfEvent } from "../lib/resolve";

/**
 * A price list was created, changed or deleted, or a price was added, changed or removed (a
 * price-list price or a variant's own): the products whose variants carry those prices are
 * queued. Medusa's price-list workflows emit no workflow event, only these Pricing Module events,
 * so without them a sale would wait for the nightly reconcile. A price list that starts or ends
 * by its dates emits nothing at all; the reconcile catches that.
 */
export default async function neuroonPriceChanged({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  await enqueueProductsOfEvent(event, container, (source, ids) =>
    event.name.startsWith("pricing.price-list.")
      ? source.productIdsOfPriceLists(ids)
      : source.productIdsOfPrices(ids),
  );
}

export const config: SubscriberConfig = {
  event: [
    "pricing.price-list.created",
    "pricing.price-list.updated",
    "pricing.price-list.deleted",
    "pricing.price.created",
    "pricing.price.updated",
    "pricing.price.deleted",
  ],
  context: { subscriberId: "neuroon-price-changed" },
};
