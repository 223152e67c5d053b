import type { MedusaContainer } from "@medusajs/framework/types";
import type NeuroonModuleService from "../modules/neuroon/service";

/** The module's registration name in Medusa's container. */
export const NEUROON_MODULE_KEY = "neuroon";

/** The plugin's module service, which holds the options and the sync runtime. */
export function resolveNeuroon(container: MedusaContainer): NeuroonModuleService {
  return container.resolve<NeuroonModuleService>(NEUROON_MODULE_KEY);
}
