import { signWidgetToken, WIDGET_TOKEN_TTL_SEC } from "@neuroon/core";
import type { LoaderFunctionArgs } from "react-router";
import { getRuntime } from "../runtime-instance.server.js";

const NO_STORE = { "cache-control": "no-store", "content-type": "application/json" };

/**
 * `https://<shop>/apps/neuroon/token`, forwarded by Shopify's app proxy: verifies the signature
 * (never trusting `shop` before that) and returns a Widget Token for the shop's Neuroon account,
 * signed locally with its Shop API key (the key itself never leaves the server). `apiUrl` is set only
 * when the app talks to a non-default Neuroon API (`NEUROON_API_URL`), so the theme embed points the
 * widget at the API that accepts this token.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const runtime = getRuntime();
  const verified = runtime.bridge.verifyAppProxy(new URL(request.url).searchParams);
  if (!verified.ok)
    return new Response(JSON.stringify({ error: "unauthorized" }), {
      status: 401,
      headers: NO_STORE,
    });
  const settings = await runtime.settings.get(verified.shop);
  if (!settings)
    return new Response(JSON.stringify({ error: "not_connected" }), {
      status: 404,
      headers: NO_STORE,
    });
  const nowSeconds = Math.floor(Date.now() / 1000);
  const token = signWidgetToken({
    shopId: settings.neuroonShopId,
    apiKey: settings.neuroonApiKey,
    nowSeconds,
  });
  return new Response(
    JSON.stringify({
      token,
      shopId: settings.neuroonShopId,
      expiresAt: nowSeconds + WIDGET_TOKEN_TTL_SEC,
      ...(runtime.config.neuroonBaseUrl ? { apiUrl: runtime.config.neuroonBaseUrl } : {}),
    }),
    { status: 200, headers: NO_STORE },
  );
}
