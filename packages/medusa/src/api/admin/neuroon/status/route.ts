import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http";
import { NEUROON_MODULE_KEY } from "../../../../lib/sync";
import type NeuroonModuleService from "../../../../modules/neuroon/service";

const PRODUCT_STATUSES = ["pending", "synced", "deleted", "skipped", "failed", "dead"] as const;
const CONVERSION_STATUSES = ["pending", "sent", "skipped", "failed", "dead"] as const;

/** GET /admin/neuroon/status — totals per state, the latest errors and the latest sync runs. */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const neuroon = req.scope.resolve<NeuroonModuleService>(NEUROON_MODULE_KEY);
  const products: Record<string, number> = {};
  for (const status of PRODUCT_STATUSES) {
    const [, count] = await neuroon.listAndCountNeuroonProductSyncs({ status }, { take: 1 });
    products[status] = count;
  }
  const conversions: Record<string, number> = {};
  for (const status of CONVERSION_STATUSES) {
    const [, count] = await neuroon.listAndCountNeuroonConversions({ status }, { take: 1 });
    conversions[status] = count;
  }
  const lastErrors = await neuroon.listNeuroonProductSyncs(
    { status: ["failed", "dead"] },
    {
      take: 10,
      order: { updated_at: "DESC" },
      select: ["product_id", "status", "attempts", "last_error", "next_attempt_at", "updated_at"],
    },
  );
  const runs = await neuroon.listNeuroonSyncRuns({}, { take: 5, order: { started_at: "DESC" } });
  res.json({
    shop_id: neuroon.options.shopId,
    api_url: neuroon.options.apiUrl,
    products,
    conversions,
    last_errors: lastErrors,
    runs,
  });
}
