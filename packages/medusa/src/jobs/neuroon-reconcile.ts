import type { MedusaContainer } from "@medusajs/framework/types";
import { NeuroonSync } from "../lib/sync";

/**
 * Nightly: compares the whole catalog with Neuroon. Sends what changed without an event (category
 * and collection membership, price lists, standalone price edits) and deletes orphans.
 */
export default async function neuroonReconcile(container: MedusaContainer): Promise<void> {
  await new NeuroonSync(container).syncCatalog("reconcile");
}

export const config = {
  name: "neuroon-reconcile",
  schedule: "0 3 * * *",
};
