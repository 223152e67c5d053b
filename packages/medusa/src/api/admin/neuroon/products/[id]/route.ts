import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http";
import { NEUROON_MODULE_KEY, NeuroonSync } from "../../../../../lib/sync";
import type NeuroonModuleService from "../../../../../modules/neuroon/service";

/** GET /admin/neuroon/products/:id — the product's sync state (`null` when never seen). */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const neuroon = req.scope.resolve<NeuroonModuleService>(NEUROON_MODULE_KEY);
  const [state] = await neuroon.listNeuroonProductSyncs(
    { product_id: req.params.id as string },
    { take: 1 },
  );
  res.json({ sync: state ?? null });
}

/** POST /admin/neuroon/products/:id — re-sends this product now. */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const id = req.params.id as string;
  const sync = new NeuroonSync(req.scope);
  await sync.enqueueProducts([id], "admin");
  const outcome = await sync.processProducts([id], { force: true });
  const [state] = await sync.module.listNeuroonProductSyncs({ product_id: id }, { take: 1 });
  res.json({ outcome, sync: state ?? null });
}
