import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmulatorHandle, startEmulator } from "@neuroon/emulator";
import { type FakeShopify, startFakeShopify } from "@neuroon/fake-shopify";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { action as settingsAction, loader as settingsLoader } from "../app/routes/app._index.js";
import { loader as proxyTokenLoader } from "../app/routes/proxy.token.js";
import { action as webhooksAction } from "../app/routes/webhooks.js";
import { createRuntime, type Runtime } from "../app/runtime.server.js";
import { setRuntime } from "../app/runtime-instance.server.js";
import { resetShopifyApp } from "../app/shopify.server.js";
import { eventually, serveRoute } from "./harness.js";

// The Shop API Key never reaches a page, a widget-token answer, an error shown in the admin or the
// process output — also when Neuroon refuses it mid-life (rotated key) or at connection time.

const API_KEY = "app-client-id";
const API_SECRET = "app-client-secret-for-secrets";
const SHOP = "neuroon-secrets-test.myshopify.com";
const NEUROON_SHOP_ID = "shop_secrets01";
const NEUROON_KEY = `sk_${"9f8e".repeat(8)}`;
const WRONG_KEY = `sk_${"1234".repeat(8)}`;

describe("the Shopify app never shows the Shop API Key", () => {
  let fake: FakeShopify;
  let emulator: EmulatorHandle;
  let runtime: Runtime;
  let dataDir: string;
  let webhooks: { url: string; close(): Promise<void> };
  let proxy: { url: string; close(): Promise<void> };
  let admin: { url: string; close(): Promise<void> };
  let page: { url: string; close(): Promise<void> };
  const output: string[] = [];
  const originalWrites = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };
  const seen: string[] = [];

  beforeAll(async () => {
    for (const stream of ["stdout", "stderr"] as const) {
      process[stream].write = ((chunk: unknown, ...rest: unknown[]) => {
        output.push(String(chunk));
        return (originalWrites[stream] as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stdout.write;
    }
    fake = await startFakeShopify({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      shops: [{ domain: SHOP, products: { products: 8 } }],
    });
    setAbstractFetchFunc(fake.fetch);
    emulator = await startEmulator({
      port: 0,
      shops: [{ shopId: NEUROON_SHOP_ID, apiKey: NEUROON_KEY, url: `https://${SHOP}` }],
      rateLimits: false,
    });
    dataDir = await mkdtemp(join(tmpdir(), "neuroon-shopify-secrets-"));
    process.env.SHOPIFY_API_KEY = API_KEY;
    runtime = createRuntime({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      appUrl: "https://app.example.test",
      scopes: ["read_products", "read_inventory", "read_orders"],
      dataDir,
      neuroonBaseUrl: emulator.url,
    });
    setRuntime(runtime);
    resetShopifyApp();
    webhooks = await serveRoute(webhooksAction);
    proxy = await serveRoute(proxyTokenLoader);
    admin = await serveRoute(settingsAction);
    page = await serveRoute(settingsLoader);
    fake.subscribe(`${webhooks.url}/webhooks`, [
      "products/update",
      "bulk_operations/finish",
      "app/uninstalled",
    ]);
  });
  afterAll(async () => {
    process.stdout.write = originalWrites.stdout;
    process.stderr.write = originalWrites.stderr;
    await Promise.all([webhooks?.close(), proxy?.close(), admin?.close(), page?.close()]);
    await runtime?.close();
    setRuntime(undefined);
    await emulator?.close();
    await fake?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const adminRequest = async (url: string, fields?: Record<string, string>) => {
    const response = await fetch(`${url}/app?shop=${SHOP}`, {
      signal: AbortSignal.timeout(10_000),
      method: fields ? "POST" : "GET",
      headers: {
        authorization: `Bearer ${await fake.sessionToken(SHOP)}`,
        "user-agent": "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Safari/605.1.15",
      },
      ...(fields ? { body: new URLSearchParams(fields) } : {}),
    });
    const text = await response.text();
    seen.push(text);
    return { status: response.status, text };
  };

  it("connecting with a refused key, then the right one: no answer repeats the key", async () => {
    const refused = await adminRequest(admin.url, {
      neuroonShopId: NEUROON_SHOP_ID,
      neuroonApiKey: WRONG_KEY,
    });
    expect(JSON.parse(refused.text)).toMatchObject({ ok: false });
    expect(refused.text).toMatch(/refused/);
    const connected = await adminRequest(admin.url, {
      neuroonShopId: NEUROON_SHOP_ID,
      neuroonApiKey: NEUROON_KEY,
    });
    expect(JSON.parse(connected.text)).toMatchObject({ ok: true });
    await eventually(async () =>
      expect((await runtime.settings.get(SHOP))?.lastFullSyncAt).toBeDefined(),
    );
  });

  it("the widget-token answer of the app proxy carries a token, not the key", async () => {
    const response = await fake.proxyRequest(SHOP, `${proxy.url}/proxy/token`);
    const text = await response.text();
    seen.push(text);
    expect(response.status).toBe(200);
    const { token } = JSON.parse(text) as { token: string };
    expect(emulator.verifyWidgetToken(token)).toMatchObject({ ok: true });
  });

  it("after Neuroon stops accepting the key, the error the admin page shows does not contain it", async () => {
    emulator.rotateApiKey(NEUROON_SHOP_ID);
    const product = fake.products(SHOP).find((p) => p.status === "ACTIVE");
    await fake.updateProduct(SHOP, product?.id as string, { title: "After rotation" });
    await runtime.drainAll();
    // A full import with the refused key fails, and the app records the error for its page.
    const error = await runtime.importCatalog(SHOP).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toMatch(/401/);
    seen.push(String(error), error?.stack ?? "", JSON.stringify(error));
    expect((await runtime.settings.get(SHOP))?.lastError).toBeTruthy();
    const settingsPage = await adminRequest(page.url);
    expect(settingsPage.status).toBe(200);
    expect(JSON.parse(settingsPage.text)).toMatchObject({ connected: true });
    expect(JSON.parse(settingsPage.text).lastError).toBeTruthy();
  });

  it("nothing the app answered or printed contains a key", () => {
    // (The settings store holds the key at rest by design; it is not an answer or an output.)
    const everything = [...seen, ...output].join("\n");
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const secret of [NEUROON_KEY, WRONG_KEY, API_SECRET]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice(3));
    }
  });
});
