import type { MedusaContainer } from "@medusajs/framework/types";
import { resolveNeuroon } from "../lib/resolve";

/**
 * Every minute: drains the queue through core's engine (changes whose retry delay passed,
 * conversions, anything queued by another process), and starts this process's worker if no
 * subscriber has yet, so changes left from before a restart go out.
 */
export default async function neuroonDrain(container: MedusaContainer): Promise<void> {
  const { runtime } = resolveNeuroon(container);
  await runtime.startWorker(container);
  await runtime.drain(container);
}

export const config = {
  name: "neuroon-drain",
  schedule: "* * * * *",
};
