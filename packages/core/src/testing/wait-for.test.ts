import { describe, expect, it, vi } from "vitest";
import { waitFor } from "./wait-for.js";

describe("waitFor", () => {
  it("resolves with the first truthy value check returns", async () => {
    let calls = 0;
    const value = await waitFor(async () => {
      calls += 1;
      return calls >= 3 ? { calls } : undefined;
    });
    expect(value).toEqual({ calls: 3 });
  });

  it("fails naming what it waited for once the timeout passes", async () => {
    await expect(waitFor(() => false, { timeoutMs: 40, what: "an empty queue" })).rejects.toThrow(
      "Timed out after 40 ms waiting for an empty queue",
    );
  });

  it("waits up to NEUROON_TEST_TIMEOUT_MS by default", async () => {
    vi.stubEnv("NEUROON_TEST_TIMEOUT_MS", "30");
    await expect(waitFor(() => 0)).rejects.toThrow("Timed out after 30 ms waiting for condition");
  });

  it("fails with the check's own error when it keeps throwing", async () => {
    await expect(
      waitFor(
        () => {
          throw new Error("queue not drained");
        },
        { timeoutMs: 40 },
      ),
    ).rejects.toThrow("queue not drained");
  });
});
