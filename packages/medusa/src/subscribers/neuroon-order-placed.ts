import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework";
import type { MedusaContainer } from "@medusajs/framework/types";
import { ContainerRegistrationKeys } from "@medusajs/framework/utils";
import type { ChangeInput } from "@neuroon/core";
import type { GraphQuery } from "../lib/catalog-source";
import { buildConversion, type OrderRecord } from "../lib/conversions";
import { idsFromEvent } from "../lib/event-ids";
import { resolveNeuroon } from "../lib/resolve";

async function readOrder(
  container: MedusaContainer,
  orderId: string,
): Promise<OrderRecord | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY) as unknown as GraphQuery;
  const { data } = await query.graph<OrderRecord>({
    entity: "order",
    fields: [
      "id",
      "currency_code",
      "total",
      "metadata",
      "items.product_id",
      "items.quantity",
      "items.total",
    ],
    filters: { id: orderId },
  });
  return data[0];
}

/**
 * An order was placed: queue its conversion (keyed by order id, so a redelivered event reports
 * it once) with the search log ids the storefront stored on the cart, and queue its products,
 * whose stock changed.
 */
export default async function neuroonOrderPlaced({
  event,
  container,
}: SubscriberArgs<unknown>): Promise<void> {
  const neuroon = resolveNeuroon(container);
  const changes: ChangeInput[] = [];
  for (const orderId of idsFromEvent(event.data)) {
    const order = await readOrder(container, orderId);
    if (!order) continue;
    const conversion = buildConversion(order);
    if (conversion)
      changes.push({ kind: "conversion", key: orderId, payload: conversion, origin: event.name });
    if (neuroon.options.disableLiveSync) continue;
    for (const item of order.items ?? []) {
      if (item?.product_id)
        changes.push({ kind: "product", key: item.product_id, origin: `event:${event.name}` });
    }
  }
  await neuroon.runtime.enqueue(container, changes);
}

export const config: SubscriberConfig = {
  event: "order.placed",
  context: { subscriberId: "neuroon-order-placed" },
};
