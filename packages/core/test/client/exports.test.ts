import { describe, expect, expectTypeOf, it } from "vitest";
import type { NeuroonClient, ProductPage, StoredProduct, SyncApi } from "../../src/index.js";
import * as core from "../../src/index.js";
import { API_KEY, SHOP_ID } from "./helpers.js";

describe("public surface of the Plugin API client", () => {
  it("exports the client, errors, helpers and constants by name", () => {
    const functions = {
      NeuroonClient: core.NeuroonClient,
      NeuroonError: core.NeuroonError,
      ApiError: core.ApiError,
      ValidationError: core.ValidationError,
      AuthenticationError: core.AuthenticationError,
      PermissionError: core.PermissionError,
      NotFoundError: core.NotFoundError,
      ConflictError: core.ConflictError,
      UnprocessableEntityError: core.UnprocessableEntityError,
      RateLimitError: core.RateLimitError,
      ServerError: core.ServerError,
      ConnectionError: core.ConnectionError,
      TimeoutError: core.TimeoutError,
      ConfigurationError: core.ConfigurationError,
      signWidgetToken: core.signWidgetToken,
      WidgetTokenCache: core.WidgetTokenCache,
      defaultSyncIdempotencyKey: core.defaultSyncIdempotencyKey,
      PageList: core.PageList,
    };
    for (const [name, value] of Object.entries(functions))
      expect(typeof value, name).toBe("function");
    expect(core.NEUROON_PRODUCTION_BASE_URL).toBe("https://api.neuroon.ai");
    expect(core.DEFAULT_MAX_RETRIES).toBe(2);
    expect(core.VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("satisfies the slice the sync engine codes against", () => {
    const client = new core.NeuroonClient({
      shopId: SHOP_ID,
      apiKey: API_KEY,
      baseUrl: "http://127.0.0.1:9",
    });
    const api: SyncApi = client;
    expect(api.products).toBe(client.products);
    expectTypeOf(client.products.list()).toMatchTypeOf<PromiseLike<ProductPage>>();
    expectTypeOf(client.products.list()).toMatchTypeOf<AsyncIterable<StoredProduct>>();
    expectTypeOf<NeuroonClient["shopId"]>().toEqualTypeOf<string>();
    // Never called: these lines only have to fail to compile.
    const negativeCases = () => {
      // @ts-expect-error shopId is readonly
      client.shopId = "other";
      // @ts-expect-error syncType is a closed union
      void client.products.sync({ syncType: "PARTIAL", products: [] });
    };
    expect(typeof negativeCases).toBe("function");
  });
});
