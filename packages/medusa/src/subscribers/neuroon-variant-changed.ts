import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import { enqueueProductsOfEvent } from "../lib/resolve";

/**
 * A variant changed: its product is queued (variants are folded into their product's record).
 * The queue merges it with the product's own event, so one admin edit is one change.
 */
export default async function neuroonVariantChanged({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  await enqueueProductsOfEvent(event, container, (source, variantIds) =>
    source.productIdsOfVariants(variantIds),
  );
}

export const config: SubscriberConfig = {
  event: ["product-variant.created", "product-variant.updated", "product-variant.deleted"],
  context: { subscriberId: "neuroon-variant-changed" },
};
