import { loadEnv } from "@medusajs/framework/utils";
import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../../vitest.shared.ts";

// .env.test: DB_HOST must be exactly "localhost", or test-utils force SSL and every test hangs.
loadEnv("test", process.cwd());

export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      globals: true,
      include: ["integration-tests/**/*.spec.mts"],
      pool: "forks",
      execArgv: ["--require", "ts-node/register/transpile-only"],
      fileParallelism: false,
      testTimeout: 180_000,
      hookTimeout: 180_000,
    },
  }),
);
