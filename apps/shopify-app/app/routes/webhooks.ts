import type { ActionFunctionArgs } from "react-router";
import { getRuntime } from "../runtime-instance.server.js";

/**
 * Every app-specific webhook subscription (`shopify.app.toml`) points here: the HMAC is checked on
 * the raw body (401 otherwise), redeliveries are dropped, the change is queued and the answer goes
 * back at once; the background worker does the work.
 */
export async function action({ request }: ActionFunctionArgs) {
  return getRuntime().bridge.webhooks.handleRequest(request);
}

export async function loader() {
  return new Response("method not allowed", { status: 405, headers: { allow: "POST" } });
}
