import {
  createStep,
  createWorkflow,
  StepResponse,
  WorkflowResponse,
} from "@medusajs/framework/workflows-sdk";
import { NeuroonSync, type SyncOutcome } from "../lib/sync";

export interface SyncNeuroonProductsInput {
  product_ids: string[];
  /** Send even when the product's document did not change since the last sync. */
  force?: boolean;
}

/** Records the products as changed, then brings Neuroon in line with them. */
export const syncNeuroonProductsStep = createStep(
  "neuroon-sync-products",
  async (input: SyncNeuroonProductsInput, { container }) => {
    const sync = new NeuroonSync(container);
    await sync.enqueueProducts(input.product_ids, "workflow");
    const outcome = await sync.processProducts(input.product_ids, { force: input.force === true });
    return new StepResponse(outcome);
  },
);

/**
 * Sends the given products to Neuroon (or deletes them there when they are no longer published).
 * Use it from your own workflows or hooks for changes Medusa emits no event for.
 */
export const syncNeuroonProductsWorkflow = createWorkflow(
  "neuroon-sync-products",
  (input: SyncNeuroonProductsInput) => {
    const outcome = syncNeuroonProductsStep(input);
    return new WorkflowResponse<SyncOutcome>(outcome);
  },
);
