import { describe, expect, it } from "vitest";
import { runDemo } from "../src/commands/demo.js";
import { TEST_TIMEOUT_MS } from "./helpers.js";

describe("neuroon demo", () => {
  it(
    "syncs the sample store, follows its events, reports one conversion and ends with the index equal to the store",
    async () => {
      const out: string[] = [];
      const err: string[] = [];
      const report = await runDemo(
        // Kept running until waitForStop resolves, at once here: the servers' block is printed.
        { products: 150, seed: 3, keepRunning: true, json: false },
        {
          stdout: (text) => out.push(text),
          stderr: (text) => err.push(text),
          isInteractive: false,
          waitForStop: async () => {},
        },
      );

      expect(report.indexMatchesStore).toBe(true);
      expect(report.indexedProducts).toBeGreaterThan(150);
      expect(report.fullSync.syncRequests).toBe(report.fullSync.floorRequests);
      expect(report.events.webhooksDelivered).toBe(125);
      expect(report.events.changesProcessed).toBeLessThan(report.events.webhooksDelivered);
      // 25 products edited once and one product edited 100 times: the worker's coalescing window
      // sends each once (one slow delivery may split the window once: the hot product twice).
      expect(report.events.changesProcessed).toBeLessThanOrEqual(27);
      expect(report.events.syncRequests).toBeLessThanOrEqual(2);
      expect(report.deletedWithoutWebhook.removedByReconcile).toBe(true);
      expect(report.conversionsReported).toBe(1);
      expect(report.widgetTokenValid).toBe(true);
      expect(report.rateLimited).toBe(0);
      expect(out.join("")).toContain("Products in the index");
      expect(err.join("")).not.toContain("\r");
      expect(err.join("")).toMatch(
        /^ {2}export WOOCOMMERCE_URL=http:\/\/127\.0\.0\.1:\d+ WOOCOMMERCE_CONSUMER_KEY=ck_demo\w+ /m,
      );
      expect(err.join("")).toMatch(/^ {2}export NEUROON_API_URL=http:\/\/127\.0\.0\.1:\d+ /m);
    },
    2 * TEST_TIMEOUT_MS,
  );
});
