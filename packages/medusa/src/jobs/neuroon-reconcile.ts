import type { MedusaContainer } from "@medusajs/framework/types";
import { resolveNeuroon } from "../lib/resolve";

/**
 * Nightly: compares the whole catalog with Neuroon. Sends what changed without an event
 * (category and collection membership, price lists, standalone price edits, stock) and deletes
 * what Medusa no longer publishes, unless core's safety valve refuses (`SafetyValveError`, logged
 * and recorded on the run).
 */
export default async function neuroonReconcile(container: MedusaContainer): Promise<void> {
  await resolveNeuroon(container).runtime.runCatalog(container, "reconcile");
}

export const config = {
  name: "neuroon-reconcile",
  schedule: "0 3 * * *",
};
