import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http";
import { resolveNeuroon } from "../../../../lib/resolve";

/** POST /admin/neuroon/resync — starts a full resync in the background (or joins the running one). */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const runId = await resolveNeuroon(req.scope).runtime.startCatalogRun(req.scope, "full");
  res.status(202).json({ run_id: runId });
}
