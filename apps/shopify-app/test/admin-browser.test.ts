import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { type EmulatorHandle, startEmulator } from "@neuroon/emulator";
import { type FakeShopify, startFakeShopify } from "@neuroon/fake-shopify";
import { createRequestListener } from "@react-router/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import type { Page } from "playwright-core";
import type { ServerBuild } from "react-router";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { launchChromium, screenshot, type TestBrowser } from "./browser.js";
import { TEST_TIMEOUT_MS } from "./harness.js";
import { appBridgeStandIn, POLARIS_STAND_IN } from "./shopify-cdn-stand-ins.js";

// The embedded admin page as shipped (`react-router build` output: server render, client bundles,
// hydration) in Chromium, against a test session: the fake Shopify's session token on the first
// document request (as the admin's iframe URL carries it) and on every data request (App Bridge).

const API_KEY = "admin-browser-client-id";
const API_SECRET = "admin-browser-client-secret";
const SHOP = "neuroon-admin-browser.myshopify.com";
const NEUROON_SHOP_ID = "shop_adminui01";
const NEUROON_KEY = `sk_${"e5f6".repeat(8)}`;
const BUILD_DIRECTORY = fileURLToPath(new URL("../build/", import.meta.url));
const CONTENT_TYPES: Record<string, string> = { ".js": "text/javascript", ".css": "text/css" };

describe("the embedded admin page in Chromium (built app, test session)", () => {
  let fake: FakeShopify;
  let emulator: EmulatorHandle;
  let dataDir: string;
  let server: Server;
  let appUrl: string;
  let chromium: TestBrowser;
  let page: Page;
  const dataRequests: { url: string; authorized: boolean; status?: number }[] = [];

  beforeAll(async () => {
    if (!existsSync(join(BUILD_DIRECTORY, "server", "index.js"))) {
      throw new Error(
        "apps/shopify-app/build is missing: run `pnpm --filter @neuroon/shopify-app build` (./dev test builds it first).",
      );
    }
    fake = await startFakeShopify({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      shops: [{ domain: SHOP, products: { products: 4 } }],
    });
    emulator = await startEmulator({
      port: 0,
      shops: [{ shopId: NEUROON_SHOP_ID, apiKey: NEUROON_KEY, url: `https://${SHOP}` }],
      rateLimits: false,
    });
    dataDir = await mkdtemp(join(tmpdir(), "neuroon-shopify-admin-"));
    // The built app reads its configuration from the environment, as `shopify app dev` sets it.
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    vi.stubEnv("SHOPIFY_API_KEY", API_KEY);
    vi.stubEnv("SHOPIFY_API_SECRET", API_SECRET);
    vi.stubEnv("SHOPIFY_APP_URL", appUrl);
    vi.stubEnv("SCOPES", "read_products,read_inventory,read_orders");
    vi.stubEnv("NEUROON_DATA_DIR", dataDir);
    vi.stubEnv("NEUROON_API_URL", emulator.url);
    const build = (await import(
      /* @vite-ignore */ new URL("../build/server/index.js", import.meta.url).href
    )) as ServerBuild;
    // After the build's import of the library's node adapter, which installs the global fetch.
    setAbstractFetchFunc(fake.fetch);
    const handle = createRequestListener({ build, mode: "production" });
    server.on("request", (request, response) => {
      const path = new URL(request.url ?? "/", appUrl).pathname;
      if (path.startsWith("/assets/")) {
        const file = normalize(join(BUILD_DIRECTORY, "client", path));
        if (!file.startsWith(join(BUILD_DIRECTORY, "client")))
          return void response.writeHead(404).end();
        void readFile(file).then(
          (body) =>
            response
              .writeHead(200, {
                "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
              })
              .end(body),
          () => response.writeHead(404).end(),
        );
        return;
      }
      void handle(request, response);
    });
    // As shopify.app.toml subscribes: the import's bulk_operations/finish reaches the app's /webhooks.
    fake.subscribe(`${appUrl}/webhooks`, [
      "products/update",
      "app/uninstalled",
      "bulk_operations/finish",
    ]);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    const sessionToken = await fake.sessionToken(SHOP);
    await page.route("https://cdn.shopify.com/shopifycloud/app-bridge.js", (route) =>
      route.fulfill({ contentType: "text/javascript", body: appBridgeStandIn(sessionToken) }),
    );
    await page.route("https://cdn.shopify.com/shopifycloud/polaris.js", (route) =>
      route.fulfill({ contentType: "text/javascript", body: POLARIS_STAND_IN }),
    );
    page.on("response", (response) => {
      const request = response.request();
      if (new URL(request.url()).pathname.endsWith(".data"))
        dataRequests.push({
          url: request.url(),
          authorized: request.headers().authorization === `Bearer ${sessionToken}`,
          status: response.status(),
        });
    });
    const host = Buffer.from(`admin.shopify.com/store/${SHOP.split(".")[0]}`).toString("base64url");
    await page.goto(
      `${appUrl}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${encodeURIComponent(sessionToken)}`,
    );
    // Hydrated: React Router's client runtime has taken over the server-rendered page.
    await page.waitForFunction(
      () => "__reactRouterRouteModules" in window && document.readyState === "complete",
    );
  });

  afterAll(async () => {
    await chromium?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeAllConnections();
    await emulator?.close();
    await fake?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The text of the page's banner of that tone, once there is one. */
  const bannerText = (tone: string) => page.locator(`s-banner[tone="${tone}"]`).textContent();
  /** Waits until an element with this attribute value is on the page. */
  const waitForAttribute = (selector: string, name: string, value: string) =>
    page
      .locator(`${selector}[${name}=${JSON.stringify(value)}]`)
      .first()
      .waitFor({ timeout: TEST_TIMEOUT_MS });
  const fill = async (name: string, value: string) => {
    await page.locator(`[name="${name}"] input`).fill(value);
  };
  const save = async () => {
    await page
      .locator('form:has(input[name="intent"][value="save"]) s-button[type="submit"] button')
      .click();
  };

  it("renders the connect form for a shop that is not connected", async () => {
    await waitForAttribute("s-page", "heading", "Neuroon Search");
    await waitForAttribute("s-section", "heading", "Connect your Neuroon shop");
    // The token exchange happened on the document request (expiring offline token).
    expect(
      fake.grants.some(
        (g) => g.grantType === "urn:ietf:params:oauth:grant-type:token-exchange" && g.ok,
      ),
    ).toBe(true);
    await screenshot(page, "admin-connect-form");
  });

  it("shows the app's error for a key in the wrong format and for one Neuroon refuses", async () => {
    await fill("neuroonShopId", NEUROON_SHOP_ID);
    await fill("neuroonApiKey", "not-a-key");
    await save();
    await expect
      .poll(() => bannerText("critical"), { timeout: TEST_TIMEOUT_MS })
      .toMatch(/^The Shop API key is sk_ followed by 32 hex digits/);
    await fill("neuroonApiKey", `sk_${"0".repeat(32)}`);
    await save();
    await expect
      .poll(() => bannerText("critical"), { timeout: TEST_TIMEOUT_MS })
      .toContain("Neuroon refused these credentials");
    await screenshot(page, "admin-error-shown");
    expect(dataRequests.length).toBeGreaterThanOrEqual(2);
    expect(dataRequests.every((request) => request.authorized && request.status === 200)).toBe(
      true,
    );
  });

  it("saves working credentials, imports the catalog and never renders the key", async () => {
    await fill("neuroonApiKey", NEUROON_KEY);
    await save();
    await expect
      .poll(() => bannerText("success"), { timeout: TEST_TIMEOUT_MS })
      .toBe("Connected. The catalog import has started.");
    await waitForAttribute("s-section", "heading", `Connected to ${NEUROON_SHOP_ID}`);
    await vi.waitFor(() => expect(emulator.snapshot(NEUROON_SHOP_ID).length).toBeGreaterThan(0), {
      timeout: TEST_TIMEOUT_MS,
      interval: 100,
    });
    // The built app verified and handled the signed bulk_operations/finish webhook.
    expect(
      fake.deliveries.filter((d) => d.topic === "bulk_operations/finish").map((d) => d.status),
    ).toContain(200);
    await screenshot(page, "admin-settings-saved-banner");
    // Saved for good: a new document request renders the connected shop, and never the key.
    await page.reload();
    await waitForAttribute("s-section", "heading", `Connected to ${NEUROON_SHOP_ID}`);
    const html = await page.content();
    expect(html).toContain(NEUROON_SHOP_ID);
    expect(html).not.toContain(NEUROON_KEY);
    expect(html).not.toContain(API_SECRET);
    expect(await page.locator('[name="neuroonApiKey"] input').inputValue()).toBe("");
    await screenshot(page, "admin-settings-saved");
  });
});
