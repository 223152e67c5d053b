import { ConflictError, describeApiKeyProblem, NeuroonClient } from "@neuroon/core";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, useActionData, useLoaderData, useNavigation } from "react-router";
import { getRuntime } from "../runtime-instance.server.js";
import { getShopifyApp } from "../shopify.server.js";

/** Shop ids are `shop_` + letters, digits or underscores (`shop_dev_…` on the development API). */
const SHOP_ID_PATTERN = /^shop_\w{4,64}$/;

/** `https://host` of a storefront URL the merchant typed, or undefined when it is not one. */
function storefrontOrigin(value: string): string | undefined {
  try {
    const url = new URL(/^https?:\/\//i.test(value) ? value : `https://${value}`);
    return url.protocol === "https:" && url.hostname.includes(".") ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await getShopifyApp().authenticate.admin(request);
  const settings = await getRuntime().settings.get(session.shop);
  return {
    shop: session.shop,
    connected: settings !== undefined,
    neuroonShopId: settings?.neuroonShopId ?? "",
    lastFullSyncAt: settings?.lastFullSyncAt
      ? new Date(settings.lastFullSyncAt).toISOString()
      : null,
    lastError: settings?.lastError ?? null,
    suggestedDomain: `https://${session.shop}`,
  };
}

type ActionResult = { ok: true; message: string } | { ok: false; error: string };

/** Saves the shop's Neuroon credentials (checked against Neuroon first) and starts the import. */
export async function action({ request }: ActionFunctionArgs): Promise<ActionResult> {
  const { session } = await getShopifyApp().authenticate.admin(request);
  const runtime = getRuntime();
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "save");
  if (intent === "resync") {
    if (!(await runtime.settings.get(session.shop)))
      return { ok: false, error: "Connect the shop to Neuroon first." };
    void runtime.importCatalog(session.shop).catch(() => undefined);
    return { ok: true, message: "Full import started." };
  }
  if (intent === "verify") {
    const settings = await runtime.settings.get(session.shop);
    if (!settings) return { ok: false, error: "Connect the shop to Neuroon first." };
    const domain = storefrontOrigin(String(form.get("domain") ?? "").trim());
    if (!domain)
      return { ok: false, error: "Enter the storefront's address, like https://www.example.com." };
    const client = new NeuroonClient({
      shopId: settings.neuroonShopId,
      apiKey: settings.neuroonApiKey,
      ...(runtime.config.neuroonBaseUrl ? { baseUrl: runtime.config.neuroonBaseUrl } : {}),
      maxRetries: 0,
    });
    try {
      await client.verification.verify(domain);
      return { ok: true, message: `${domain} is verified for ${settings.neuroonShopId}.` };
    } catch (error) {
      if (error instanceof ConflictError)
        return { ok: true, message: `Neuroon reports ${domain} as already verified.` };
      return { ok: false, error: `Neuroon did not verify ${domain}: ${(error as Error).message}` };
    }
  }
  const neuroonShopId = String(form.get("neuroonShopId") ?? "").trim();
  const neuroonApiKey = String(form.get("neuroonApiKey") ?? "").trim();
  if (!SHOP_ID_PATTERN.test(neuroonShopId))
    return { ok: false, error: "The Neuroon shop id looks like shop_xxxxxxxx." };
  const keyProblem = describeApiKeyProblem(neuroonApiKey);
  if (keyProblem !== undefined)
    return {
      ok: false,
      error: `The Shop API key is sk_ followed by 32 hex digits (${keyProblem}).`,
    };
  try {
    const client = new NeuroonClient({
      shopId: neuroonShopId,
      apiKey: neuroonApiKey,
      ...(runtime.config.neuroonBaseUrl ? { baseUrl: runtime.config.neuroonBaseUrl } : {}),
      maxRetries: 0,
    });
    const info = await client.shop.me();
    if (info.shopId !== neuroonShopId)
      return { ok: false, error: "This API key belongs to another Neuroon shop." };
  } catch (error) {
    return { ok: false, error: `Neuroon refused these credentials: ${(error as Error).message}` };
  }
  await runtime.settings.save({ shop: session.shop, neuroonShopId, neuroonApiKey });
  void runtime.importCatalog(session.shop).catch(() => undefined);
  return { ok: true, message: "Connected. The catalog import has started." };
}

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <s-page heading="Neuroon Search">
      <s-section
        heading={
          data.connected ? `Connected to ${data.neuroonShopId}` : "Connect your Neuroon shop"
        }
      >
        {result && !result.ok ? <s-banner tone="critical">{result.error}</s-banner> : null}
        {result?.ok ? <s-banner tone="success">{result.message}</s-banner> : null}
        {data.lastError ? (
          <s-banner tone="warning">Last sync failed: {data.lastError}</s-banner>
        ) : null}
        <Form method="post">
          <input type="hidden" name="intent" value="save" />
          <s-text-field label="Neuroon shop id" name="neuroonShopId" value={data.neuroonShopId} />
          <s-password-field label="Shop API key" name="neuroonApiKey" />
          <s-button type="submit" variant="primary" loading={busy || undefined}>
            Save and import
          </s-button>
        </Form>
      </s-section>
      {data.connected ? (
        <s-section heading="Catalog">
          <s-paragraph>
            Last full import: {data.lastFullSyncAt ?? "not yet"}. Changes in Shopify reach Neuroon
            within seconds through webhooks; a reconcile runs daily.
          </s-paragraph>
          <Form method="post">
            <input type="hidden" name="intent" value="resync" />
            <s-button type="submit">Import the whole catalog again</s-button>
          </Form>
        </s-section>
      ) : null}
      {data.connected ? (
        <s-section heading="Storefront domain">
          <s-paragraph>
            The widget only works on the storefront URL registered for this shop in Neuroon. Enter
            the store's primary domain to verify it with Neuroon.
          </s-paragraph>
          <Form method="post">
            <input type="hidden" name="intent" value="verify" />
            <s-text-field label="Storefront URL" name="domain" value={data.suggestedDomain} />
            <s-button type="submit">Verify domain</s-button>
          </Form>
        </s-section>
      ) : null}
    </s-page>
  );
}
