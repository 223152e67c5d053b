import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http";
import { NeuroonSync } from "../../../../lib/sync";

/** POST /admin/neuroon/resync — starts a full resync in the background (or joins the running one). */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const runId = await new NeuroonSync(req.scope).startCatalogRun("full");
  res.status(202).json({ run_id: runId });
}
