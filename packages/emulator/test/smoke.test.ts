import { describe, expect, it } from "vitest";
import * as emulator from "../src/index.js";

describe("public exports", () => {
  it("exposes the documented surface", () => {
    expect(typeof emulator.startEmulator).toBe("function");
    expect(typeof emulator.parseShopSpec).toBe("function");
    expect(typeof emulator.FaultController).toBe("function");
    expect(emulator.DEMO_SHOP_ID).toBe("shop_demo0001");
    expect(emulator.isApiKeyFormat(emulator.DEMO_API_KEY)).toBe(true);
    expect(emulator.VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(emulator.DEFAULT_RATE_LIMITS.sync).toEqual({ limit: 100, windowMs: 60_000 });
    expect(emulator.MAX_BATCH_SIZE).toBe(500);
  });
});
