import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EmulatorHandle, startEmulator, verifyWidgetTokenWith } from "@neuroon/emulator";
import { type FakeShopify, startFakeShopify } from "@neuroon/fake-shopify";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loader as proxyTokenLoader } from "../app/routes/proxy.token.js";
import { createRuntime, type Runtime } from "../app/runtime.server.js";
import { setRuntime } from "../app/runtime-instance.server.js";
import { launchChromium, screenshot, type TestBrowser } from "./browser.js";
import { serveRoute, TEST_TIMEOUT_MS } from "./harness.js";

// The theme app embed's shipped script in a real Chromium, on a storefront page served locally the
// way the Liquid block renders it. `/apps/neuroon/token` on the storefront is Shopify's app proxy:
// the fake Shopify signs the request and forwards it to the running app's `/proxy/token` route.

const API_KEY = "browser-client-id";
const API_SECRET = "browser-client-secret-for-tests";
const SHOP = "neuroon-browser-test.myshopify.com";
const NEUROON_SHOP_ID = "shop_browser01";
const NEUROON_KEY = `sk_${"c3d4".repeat(8)}`;
const ASSET = fileURLToPath(
  new URL("../extensions/neuroon-search/assets/neuroon-embed.js", import.meta.url),
);
const TOKEN_CACHE_KEY = "neuroon:widget-token";

/** The storefront page as the app embed block renders it (blocks/neuroon-embed.liquid). */
const STOREFRONT_HTML = `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Test storefront</title>
<style>body{font:16px system-ui;margin:2rem}#neuroon-search{border:2px dashed #888;padding:1rem;min-height:3rem}</style>
</head><body>
<h1>Test storefront (${SHOP})</h1>
<div id="neuroon-search">Search box container</div>
<pre id="status">waiting for the embed…</pre>
<script
  src="/cdn/shop/t/1/assets/neuroon-embed.js"
  defer
  data-neuroon-embed
  data-proxy-path="/apps/neuroon"
  data-root="/"
  data-container="#neuroon-search"
  data-theme="dark"
  data-locale="es"
  data-position="inline"
  data-cart-clicks=""
></script>
</body></html>`;

describe("the theme app embed in Chromium (storefront → app proxy → app)", () => {
  let fake: FakeShopify;
  let emulator: EmulatorHandle;
  let runtime: Runtime;
  let dataDir: string;
  let app: { url: string; close(): Promise<void> };
  let storefront: Server;
  let storefrontUrl: string;
  let chromium: TestBrowser;
  let page: Page;
  /** What Shopify's proxy answers instead of forwarding, when set (a failing proxy). */
  let proxyFailure: number | undefined;
  const proxyCalls: { status: number }[] = [];
  const widgetRequests: string[] = [];
  const consoleMessages: string[] = [];

  beforeAll(async () => {
    fake = await startFakeShopify({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      shops: [{ domain: SHOP, products: { products: 2 } }],
    });
    emulator = await startEmulator({
      port: 0,
      shops: [{ shopId: NEUROON_SHOP_ID, apiKey: NEUROON_KEY, url: `https://${SHOP}` }],
      rateLimits: false,
    });
    dataDir = await mkdtemp(join(tmpdir(), "neuroon-shopify-browser-"));
    runtime = createRuntime({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      appUrl: "https://app.example.test",
      scopes: ["read_products"],
      dataDir,
      neuroonBaseUrl: emulator.url,
    });
    setRuntime(runtime);
    app = await serveRoute(proxyTokenLoader);
    const asset = await readFile(ASSET);
    storefront = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://storefront");
      if (url.pathname === "/") {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        response.end(STOREFRONT_HTML);
      } else if (url.pathname === "/cdn/shop/t/1/assets/neuroon-embed.js") {
        response.writeHead(200, { "content-type": "text/javascript" });
        response.end(asset);
      } else if (url.pathname === "/apps/neuroon/token") {
        if (proxyFailure !== undefined) {
          proxyCalls.push({ status: proxyFailure });
          response.writeHead(proxyFailure, { "content-type": "text/html" });
          response.end("<h1>Bad gateway</h1>");
          return;
        }
        // Shopify's app proxy: signs shop, path_prefix, timestamp and forwards to the app.
        void fake.proxyRequest(SHOP, `${app.url}/proxy/token`).then(async (forwarded) => {
          proxyCalls.push({ status: forwarded.status });
          response.writeHead(forwarded.status, {
            "content-type": forwarded.headers.get("content-type") ?? "application/json",
          });
          response.end(Buffer.from(await forwarded.arrayBuffer()));
        });
      } else if (url.pathname === "/cart/update.js") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end("{}");
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => storefront.listen(0, "127.0.0.1", resolve));
    storefrontUrl = `http://127.0.0.1:${(storefront.address() as AddressInfo).port}/`;
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await new Promise<void>((resolve) =>
      storefront ? storefront.close(() => resolve()) : resolve(),
    );
    await app?.close();
    await runtime?.close();
    setRuntime(undefined);
    await emulator?.close();
    await fake?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    proxyFailure = undefined;
    proxyCalls.length = 0;
    widgetRequests.length = 0;
    consoleMessages.length = 0;
    page = await chromium.context.newPage();
    page.on("console", (message) => consoleMessages.push(message.text()));
    // The pinned widget lives on cdn.neuroon.ai, which this machine cannot reach: record the
    // request (its URL and the tag's attributes are what the embed is responsible for) and refuse it.
    await page.route("https://cdn.neuroon.ai/**", (route) => {
      widgetRequests.push(route.request().url());
      return route.abort("blockedbyclient");
    });
  });
  afterEach(() => page.close());

  /** The widget `<script>` the embed appended, as attributes (undefined when there is none). */
  const widgetTag = () =>
    page.evaluate(() => {
      const tag = document.querySelector("script[data-neuroon-widget]");
      return tag
        ? Object.fromEntries(
            [...tag.attributes].map((attribute) => [attribute.name, attribute.value]),
          )
        : undefined;
    });

  /** Writes what the page holds (the widget tag, the console warnings) into it, for the screenshot. */
  const showStatus = (title: string) =>
    page.evaluate(
      ([heading, warnings]) => {
        const tag = document.querySelector("script[data-neuroon-widget]");
        const lines = [heading as string];
        if (tag) {
          lines.push("widget <script> appended by the embed:");
          for (const attribute of tag.attributes) {
            const value =
              attribute.name === "data-token"
                ? `${attribute.value.slice(0, 16)}…`
                : attribute.value;
            lines.push(`  ${attribute.name}="${value}"`);
          }
        } else {
          lines.push("no widget <script> on the page");
        }
        for (const warning of warnings as string[]) lines.push(`console: ${warning}`);
        const status = document.getElementById("status");
        if (status) status.textContent = lines.join("\n");
      },
      [title, consoleMessages.filter((message) => message.startsWith("Neuroon Search"))],
    );

  it("connected shop: fetches a widget token through the app proxy and loads the pinned widget with it", async () => {
    await runtime.settings.save({
      shop: SHOP,
      neuroonShopId: NEUROON_SHOP_ID,
      neuroonApiKey: NEUROON_KEY,
    });
    await page.goto(storefrontUrl);
    await page.waitForSelector("script[data-neuroon-widget]", {
      state: "attached",
      timeout: TEST_TIMEOUT_MS,
    });
    const tag = await widgetTag();
    expect(tag).toMatchObject({
      src: "https://cdn.neuroon.ai/widget@0.9.10/widget.js",
      integrity: "sha384-JTaG/IN0Jj/ImfUj2x5QVMG4HkbFHzui7fTpLtwl1hsP+kY9W8OODeSJRFWN1ZP5",
      crossorigin: "anonymous",
      "data-container": "#neuroon-search",
      "data-theme": "dark",
      "data-locale": "es",
      "data-position": "inline",
      "data-api-url": emulator.url,
    });
    const token = tag?.["data-token"] as string;
    expect(
      verifyWidgetTokenWith(
        token,
        (id) => (id === NEUROON_SHOP_ID ? NEUROON_KEY : undefined),
        Date.now(),
      ),
    ).toMatchObject({ ok: true });
    expect(proxyCalls).toEqual([{ status: 200 }]);
    await expect
      .poll(() => widgetRequests, { timeout: TEST_TIMEOUT_MS })
      .toEqual(["https://cdn.neuroon.ai/widget@0.9.10/widget.js"]);
    // Nothing secret reaches the page: no Shop API key, no app secret, no proxy signature.
    const everything = await page.evaluate(
      () =>
        `${document.documentElement.outerHTML}\n${JSON.stringify({ ...sessionStorage })}\n${document.cookie}`,
    );
    expect(everything).toContain(token);
    for (const secret of [NEUROON_KEY, API_SECRET, "signature=", "sk_"]) {
      expect(everything).not.toContain(secret);
    }
    await showStatus("connected shop");
    await screenshot(page, "storefront-embed-connected");
  });

  it("a cached token with under an hour left is replaced by a fresh one from the proxy", async () => {
    await runtime.settings.save({
      shop: SHOP,
      neuroonShopId: NEUROON_SHOP_ID,
      neuroonApiKey: NEUROON_KEY,
    });
    const expiringSec = Math.floor(Date.now() / 1000) + 600;
    // Seeded once per tab (init scripts run on every navigation, the reload below included).
    await page.addInitScript(
      ([key, entry]) => {
        if (sessionStorage.getItem("test:seeded")) return;
        sessionStorage.setItem("test:seeded", "1");
        sessionStorage.setItem(key as string, entry as string);
      },
      [TOKEN_CACHE_KEY, JSON.stringify({ token: "c3RhbGU", expiresAt: expiringSec })],
    );
    await page.goto(storefrontUrl);
    await page.waitForSelector("script[data-neuroon-widget]", {
      state: "attached",
      timeout: TEST_TIMEOUT_MS,
    });
    const token = (await widgetTag())?.["data-token"];
    expect(token).not.toBe("c3RhbGU");
    expect(proxyCalls).toEqual([{ status: 200 }]);
    const cached = JSON.parse(
      (await page.evaluate((key) => sessionStorage.getItem(key), TOKEN_CACHE_KEY)) ?? "null",
    ) as { token: string; expiresAt: number };
    expect(cached.token).toBe(token);
    expect(cached.expiresAt).toBeGreaterThan(expiringSec + 3600);

    // The next page of the visit reuses it: no second proxy call.
    await page.reload();
    await page.waitForSelector("script[data-neuroon-widget]", {
      state: "attached",
      timeout: TEST_TIMEOUT_MS,
    });
    expect((await widgetTag())?.["data-token"]).toBe(token);
    expect(proxyCalls).toHaveLength(1);
  });

  it.each([
    ["the app proxy fails (502)", 502],
    ["the shop is not connected in the app (404 from the app)", undefined],
  ])("%s: no widget, a console warning, the page keeps working", async (name, failure) => {
    if (failure === undefined) await runtime.settings.delete(SHOP);
    proxyFailure = failure;
    await page.goto(storefrontUrl);
    await expect
      .poll(() => consoleMessages, { timeout: TEST_TIMEOUT_MS })
      .toContainEqual(expect.stringContaining("Neuroon Search: no widget token"));
    expect(await widgetTag()).toBeUndefined();
    expect(widgetRequests).toEqual([]);
    expect(proxyCalls).toEqual([{ status: failure ?? 404 }]);
    expect(await page.evaluate(() => sessionStorage.getItem("neuroon:widget-token"))).toBeNull();
    await showStatus(name);
    await screenshot(page, `storefront-embed-${failure ?? "not-connected"}`);
  });
});
