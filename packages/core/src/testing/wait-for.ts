import { vi } from "vitest";

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /**
   * How long to keep polling before the wait fails. Default: `NEUROON_TEST_TIMEOUT_MS` (the
   * suite's one timeout, which the repository's shared vitest config sets), or 60,000 ms.
   */
  timeoutMs?: number;
  /** Time between two calls of `check`. Default 25 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout message ("an empty queue"). Default `condition`. */
  what?: string;
}

/** Fallback of {@link WaitForOptions.timeoutMs} outside the repository's vitest config. */
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_INTERVAL_MS = 25;

/**
 * Waits for a condition instead of a duration: calls `check` (vitest's `vi.waitFor`) until it
 * returns a truthy value, and resolves with that value. A `check` that throws, or keeps returning
 * a falsy value until the timeout, fails the wait with the last error or a message naming `what`.
 *
 * @example
 * ```ts
 * import { waitFor } from "@neuroon/core/testing";
 *
 * const product = await waitFor(() => emulator.snapshot(shopId).find((p) => p.externalId === "42"), {
 *   what: "product 42 in Neuroon",
 * });
 * ```
 */
export function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs =
    options.timeoutMs ?? Number(process.env.NEUROON_TEST_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS);
  const what = options.what ?? "condition";
  return vi.waitFor(
    async () => {
      const value = await check();
      if (!value) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      return value as NonNullable<T>;
    },
    { timeout: timeoutMs, interval: options.intervalMs ?? DEFAULT_INTERVAL_MS },
  );
}
