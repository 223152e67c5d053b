import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import { idsFromEvent } from "../lib/event-ids";
import { resolveNeuroon } from "../lib/resolve";

/**
 * A variant changed: its product is queued (variants are folded into their product's record).
 * The queue merges it with the product's own event, so one admin edit is one change.
 */
export default async function neuroonVariantChanged({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  const neuroon = resolveNeuroon(container);
  if (neuroon.options.disableLiveSync) return;
  const source = neuroon.runtime.source(container);
  const productIds = await source.productIdsOfVariants(idsFromEvent(event.data));
  const origin = `event:${event.name}`;
  await neuroon.runtime.enqueue(
    container,
    productIds.map((key) => ({ kind: "product" as const, key, origin })),
  );
}

export const config: SubscriberConfig = {
  event: ["product-variant.created", "product-variant.updated", "product-variant.deleted"],
  context: { subscriberId: "neuroon-variant-changed" },
};
