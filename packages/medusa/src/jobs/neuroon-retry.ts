import type { MedusaContainer } from "@medusajs/framework/types";
import { NeuroonSync } from "../lib/sync";

/** Every minute: delivers changes and conversions that failed earlier and are due for a retry. */
export default async function neuroonRetry(container: MedusaContainer): Promise<void> {
  await new NeuroonSync(container).drain();
}

export const config = {
  name: "neuroon-retry",
  schedule: "* * * * *",
};
