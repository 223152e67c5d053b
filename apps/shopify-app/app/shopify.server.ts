import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-react-router/server";
import { getRuntime } from "./runtime-instance.server.js";

type ShopifyApp = ReturnType<typeof createShopifyApp>;

function createShopifyApp() {
  const runtime = getRuntime();
  const { config } = runtime;
  return shopifyApp({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecret,
    appUrl: config.appUrl,
    scopes: config.scopes,
    apiVersion: ApiVersion.October26,
    authPathPrefix: "/auth",
    sessionStorage: runtime.sessionStorage,
    distribution: AppDistribution.AppStore,
    future: { expiringOfflineAccessTokens: true },
    hooks: {
      afterAuth: async ({ session }) => {
        // Installed or re-authorized: import the catalog when the shop is already connected to
        // Neuroon (a reinstall); new shops import once the merchant saves their credentials.
        if (await runtime.settings.get(session.shop))
          void runtime.importCatalog(session.shop).catch(() => undefined);
      },
    },
  });
}

let app: ShopifyApp | undefined;

/** The React Router package's app object (authenticate, login, headers), built on first use. */
export function getShopifyApp(): ShopifyApp {
  app ??= createShopifyApp();
  return app;
}

/** Forgets the app object (tests). */
export function resetShopifyApp(): void {
  app = undefined;
}
