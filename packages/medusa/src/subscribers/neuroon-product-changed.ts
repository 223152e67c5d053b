import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import { ContainerRegistrationKeys } from "@medusajs/framework/utils";
import { idsFromEvent } from "../lib/event-ids";
import { NeuroonSync } from "../lib/sync";

/**
 * Product created, updated or deleted: record the change durably, then deliver it at once. A
 * failure is kept in the module's state and retried by the `neuroon-retry` job (Medusa does not
 * retry subscribers), so this handler never throws.
 */
export default async function neuroonProductChanged({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER);
  try {
    const sync = new NeuroonSync(container);
    if (sync.options.disableLiveSync) return;
    const ids = idsFromEvent(event.data);
    await sync.enqueueProducts(ids, `event:${event.name}`);
    await sync.processProducts(ids);
  } catch (error) {
    logger.error(
      `[neuroon] ${event.name} not recorded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export const config: SubscriberConfig = {
  event: ["product.created", "product.updated", "product.deleted"],
  context: { subscriberId: "neuroon-product-changed" },
};
