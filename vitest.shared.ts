import { defineConfig } from "vitest/config";

/**
 * The one knob for every timeout of the suite: a test on a loaded machine waits for a condition
 * up to this long before it fails. `NEUROON_TEST_TIMEOUT_SCALE=3 ./dev test` on a slow or busy
 * machine triples every timeout at once; tests read the result from `NEUROON_TEST_TIMEOUT_MS`
 * (their own waits, child processes) instead of writing durations of their own.
 */
const TIMEOUT_SCALE = Number(process.env.NEUROON_TEST_TIMEOUT_SCALE ?? 1);
if (!Number.isFinite(TIMEOUT_SCALE) || TIMEOUT_SCALE <= 0) {
  throw new Error(
    `NEUROON_TEST_TIMEOUT_SCALE must be a positive number such as 2; received ${JSON.stringify(process.env.NEUROON_TEST_TIMEOUT_SCALE)}.`,
  );
}
/** Longest a test, or one of its waits for a condition, may take. */
export const TEST_TIMEOUT_MS = Math.round(60_000 * TIMEOUT_SCALE);

// Every package's vitest.config.ts merges this: one place for test defaults, and a JSON report per
// package that scripts/test-all.mjs sums into the closing line of `./dev test`.
export const sharedTestConfig = defineConfig({
  test: {
    clearMocks: true,
    restoreMocks: true,
    unstubEnvs: true,
    testTimeout: TEST_TIMEOUT_MS,
    hookTimeout: 2 * TEST_TIMEOUT_MS,
    env: { NEUROON_TEST_TIMEOUT_MS: String(TEST_TIMEOUT_MS) },
    reporters: ["default", ["json", { outputFile: "reports/vitest.json" }]],
  },
});
