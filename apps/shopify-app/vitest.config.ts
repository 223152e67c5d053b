import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      // The built server (test/admin-browser.test.ts) is loaded by Node itself, as in production:
      // transformed by Vite it would resolve react-router apart from the Shopify package's copy.
      server: { deps: { external: [/\/build\/server\//] } },
    },
  }),
);
