import { describe, expectTypeOf, test } from "vitest";
import { NeuroonClient } from "../../src/client.js";
import type { SyncApi } from "../../src/sync/types.js";

describe("SyncApi", () => {
  test("the real client satisfies the engine's narrow interface", () => {
    expectTypeOf<NeuroonClient>().toMatchTypeOf<SyncApi>();
    const client: SyncApi = new NeuroonClient({
      shopId: "shop_test0001",
      apiKey: `sk_${"0".repeat(32)}`,
      baseUrl: "http://127.0.0.1:9",
    });
    expectTypeOf(client.products.sync).toBeFunction();
  });
});
