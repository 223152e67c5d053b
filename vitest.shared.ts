import { defineConfig } from "vitest/config";

// Every package's vitest.config.ts merges this: one place for test defaults, and a JSON report per
// package that scripts/test-all.mjs sums into the closing line of `./dev test`.
export const sharedTestConfig = defineConfig({
  test: {
    clearMocks: true,
    restoreMocks: true,
    unstubEnvs: true,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    reporters: ["default", ["json", { outputFile: "reports/vitest.json" }]],
  },
});
