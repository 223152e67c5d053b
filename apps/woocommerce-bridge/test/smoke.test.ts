import { describe, expect, it } from "vitest";
import * as bridge from "../src/index.js";

describe("public surface", () => {
  it("exports the factory, config loader and version", () => {
    expect(typeof bridge.createWooBridge).toBe("function");
    expect(typeof bridge.loadBridgeConfig).toBe("function");
    expect(bridge.VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(bridge.BRIDGE_WEBHOOK_TOPICS).toHaveLength(6);
  });

  it("creating a bridge opens and contacts nothing", async () => {
    const instance = bridge.createWooBridge({
      woocommerce: { url: "https://shop.example", consumerKey: "ck_x", consumerSecret: "cs_x" },
      neuroon: { shopId: "shop_ab12cd34", apiKey: "sk_0123456789abcdef0123456789abcdef" },
      dataDir: "/nonexistent/never-created",
    });
    expect(instance.url).toBeUndefined();
    await instance.stop();
  });
});
