import type { MedusaContainer } from "@medusajs/framework/types";
import type NeuroonModuleService from "../modules/neuroon/service";
import type { MedusaCatalogSource } from "./catalog-source";
import { idsFromEvent } from "./event-ids";

/** The module's registration name in Medusa's container. */
export const NEUROON_MODULE_KEY = "neuroon";

/** The plugin's module service, which holds the options and the sync runtime. */
export function resolveNeuroon(container: MedusaContainer): NeuroonModuleService {
  return container.resolve<NeuroonModuleService>(NEUROON_MODULE_KEY);
}

/**
 * What the product subscribers share: unless live sync is off, turns the event's ids into the
 * product ids it affects and queues those, resolving once they are stored (Medusa's
 * acknowledgement of the event).
 */
export async function enqueueProductsOfEvent(
  event: { name: string; data: unknown },
  container: MedusaContainer,
  productIdsOf: (source: MedusaCatalogSource, ids: string[]) => Promise<string[]> | string[],
): Promise<void> {
  const { options, runtime } = resolveNeuroon(container);
  if (options.disableLiveSync) return;
  const productIds = await productIdsOf(runtime.source(container), idsFromEvent(event.data));
  const origin = `event:${event.name}`;
  await runtime.enqueue(
    container,
    productIds.map((key) => ({ kind: "product" as const, key, origin })),
  );
}
