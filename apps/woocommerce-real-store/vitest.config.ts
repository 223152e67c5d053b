import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig, TEST_TIMEOUT_MS } from "../../vitest.shared.ts";

// One store for the whole run: the global setup brings it up (or decides to skip), the files run
// one after another because they share it and the bridge's port 8080. A scenario waits for
// hundreds of webhook deliveries that WooCommerce builds one by one, hence multiples of the one
// timeout setting (NEUROON_TEST_TIMEOUT_SCALE scales them all).
export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      globalSetup: ["./test/global-setup.ts"],
      fileParallelism: false,
      testTimeout: 15 * TEST_TIMEOUT_MS,
      hookTimeout: 4 * TEST_TIMEOUT_MS,
    },
  }),
);
