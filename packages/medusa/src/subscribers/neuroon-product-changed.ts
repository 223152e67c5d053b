import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import { enqueueProductsOfEvent } from "../lib/resolve";

/**
 * Product created, updated or deleted: queue the product for the sync worker. The handler
 * returns only once the change is durably queued; the worker re-reads the product and decides
 * between upsert and delete. A failure to queue throws, so Medusa reports the event as failed.
 */
export default async function neuroonProductChanged({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  await enqueueProductsOfEvent(event, container, (_source, ids) => ids);
}

export const config: SubscriberConfig = {
  event: ["product.created", "product.updated", "product.deleted"],
  context: { subscriberId: "neuroon-product-changed" },
};
