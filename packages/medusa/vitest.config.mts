import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

// biome-ignore lint/style/noDefaultExport: vitest loads the config's default export.
export default mergeConfig(
  sharedTestConfig,
  defineConfig({ test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"] } }),
);
