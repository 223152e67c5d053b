import {
  createStep,
  createWorkflow,
  StepResponse,
  WorkflowResponse,
} from "@medusajs/framework/workflows-sdk";
import type { SyncSummary } from "@neuroon/core";
import { resolveNeuroon } from "../lib/resolve";

export interface SyncNeuroonProductsInput {
  product_ids: string[];
  /** Send even when the product's record did not change since the last sync. */
  force?: boolean;
}

/** Queues the products, then drains the queue through core's engine. */
export const syncNeuroonProductsStep = createStep(
  "neuroon-sync-products",
  async (input: SyncNeuroonProductsInput, { container }) => {
    const { runtime } = resolveNeuroon(container);
    // Forgetting the last sent hash is what makes the engine send an unchanged product again.
    if (input.force === true) await (await runtime.storage()).state.delete(input.product_ids);
    await runtime.enqueue(
      container,
      input.product_ids.map((key) => ({ kind: "product" as const, key, origin: "workflow" })),
    );
    return new StepResponse(await runtime.drain(container));
  },
);

/**
 * Sends the given products to Neuroon (or deletes them there when they are no longer published).
 * Use it from your own workflows or hooks for changes Medusa emits no event for.
 */
export const syncNeuroonProductsWorkflow = createWorkflow(
  "neuroon-sync-products",
  (input: SyncNeuroonProductsInput) => {
    const summary = syncNeuroonProductsStep(input);
    return new WorkflowResponse<SyncSummary>(summary);
  },
);
