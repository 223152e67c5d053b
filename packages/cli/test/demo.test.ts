import { describe, expect, it } from "vitest";
import { runDemo } from "../src/commands/demo.js";

describe("neuroon demo", () => {
  it("syncs the sample store, follows its events, reports one conversion and ends with the index equal to the store", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const report = await runDemo(
      { products: 150, seed: 3, keepRunning: false, json: false },
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
    expect(report.deletedWithoutWebhook.removedByReconcile).toBe(true);
    expect(report.conversionsReported).toBe(1);
    expect(report.widgetTokenValid).toBe(true);
    expect(report.rateLimited).toBe(0);
    expect(out.join("")).toContain("Products in the index");
    expect(err.join("")).not.toContain("\r");
  }, 120_000);
});
