import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

// One store for the whole run: the global setup brings it up (or decides to skip), the files run
// one after another because they share it and the bridge's port 8080.
export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      globalSetup: ["./test/global-setup.ts"],
      fileParallelism: false,
      testTimeout: 900_000,
      hookTimeout: 240_000,
    },
  }),
);
