import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http";
import { resolveNeuroon } from "../../../../lib/resolve";

/**
 * GET /store/neuroon/widget-token — the token for the widget's `data-token`. Signed locally with
 * the API key (which never leaves the server) and cached until 5 minutes before it expires.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const neuroon = resolveNeuroon(req.scope);
  const { token, expiresAt } = await neuroon.widgetTokens.get();
  const maxAgeSec = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000) - 5 * 60);
  res.setHeader("Cache-Control", `private, max-age=${maxAgeSec}`);
  res.json({
    token,
    expires_at: expiresAt.toISOString(),
    shop_id: neuroon.options.shopId,
    api_url: neuroon.options.apiUrl,
  });
}
