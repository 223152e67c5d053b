import type { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ConfigurationError,
  NEUROON_DEVELOPMENT_BASE_URL,
  NEUROON_PRODUCTION_BASE_URL,
  NeuroonClient,
  NotFoundError,
  VERSION,
} from "../../src/index.js";
import {
  API_KEY,
  createMockAgent,
  createTestClient,
  ORIGIN,
  SHOP_ID,
  SHOP_PATH,
} from "./helpers.js";

const JSON_HEADERS = { headers: { "content-type": "application/json" } };

let agent: MockAgent;

beforeEach(() => {
  agent = createMockAgent();
});

afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

function lastCall() {
  const call = agent.getCallHistory()?.lastCall();
  if (!call) throw new Error("no request was sent");
  return call;
}

function headersOf(call: ReturnType<typeof lastCall>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(call.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
}

describe("configuration", () => {
  it("exports the two hosts", () => {
    expect(NEUROON_PRODUCTION_BASE_URL).toBe("https://api.neuroon.ai");
    expect(NEUROON_DEVELOPMENT_BASE_URL).toBe("https://dev-api.neuroon.ai");
  });

  it("reads NEUROON_SHOP_ID, NEUROON_API_KEY and NEUROON_API_URL as defaults", () => {
    vi.stubEnv("NEUROON_SHOP_ID", "shop_env");
    vi.stubEnv("NEUROON_API_KEY", API_KEY);
    vi.stubEnv("NEUROON_API_URL", `${NEUROON_DEVELOPMENT_BASE_URL}/`);
    const client = new NeuroonClient();
    expect(client.shopId).toBe("shop_env");
    expect(client.baseUrl).toBe(NEUROON_DEVELOPMENT_BASE_URL);
  });

  it("defaults to production", () => {
    vi.stubEnv("NEUROON_API_URL", "");
    expect(new NeuroonClient({ shopId: SHOP_ID, apiKey: API_KEY }).baseUrl).toBe(
      NEUROON_PRODUCTION_BASE_URL,
    );
  });

  it("explains a missing shop id", () => {
    vi.stubEnv("NEUROON_SHOP_ID", "");
    expect(() => new NeuroonClient({ apiKey: API_KEY })).toThrow(ConfigurationError);
    expect(() => new NeuroonClient({ apiKey: API_KEY })).toThrow(/NEUROON_SHOP_ID/);
  });

  it.each([
    ["a placeholder", "sk_live_abc123", /does not start|characters long/],
    ["a trailing newline", `${API_KEY}\n`, /whitespace/],
    ["a missing prefix", "0123456789abcdef0123456789abcdef", /does not start with "sk_"/],
    ["non-hex characters", "sk_0123456789abcdef0123456789abcdeg", /other than hex/],
  ])("rejects a key with %s without printing it", (_, apiKey, reason) => {
    let caught: unknown;
    try {
      new NeuroonClient({ shopId: SHOP_ID, apiKey });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    const message = (caught as Error).message;
    expect(message).toMatch(reason);
    expect(message).toMatch(/NEUROON_API_KEY/);
    expect(message).not.toContain(apiKey.trim());
  });

  it("explains a missing key", () => {
    vi.stubEnv("NEUROON_API_KEY", "");
    expect(() => new NeuroonClient({ shopId: SHOP_ID })).toThrow(/Missing Neuroon Shop API Key/);
  });

  it.each([
    [{ baseUrl: "not a url" }, /not a URL/],
    [{ baseUrl: "ftp://api.neuroon.ai" }, /http\(s\)/],
    [{ baseUrl: "https://api.neuroon.ai/?x=1" }, /query/],
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ maxRetries: -1 }, /maxRetries/],
    [{ maxRetries: 1.5 }, /maxRetries/],
    [{ rateLimits: { sync: { limit: 0, windowMs: 1 } } }, /rateLimits/],
    [
      { rateLimits: { verify: { limit: 1, windowMs: 1 } } as never },
      /Unknown rate-limit bucket "verify"/,
    ],
    [{ appInfo: "x\r\ny" }, /line breaks/],
  ])("rejects %o", (options, message) => {
    expect(() => new NeuroonClient({ shopId: SHOP_ID, apiKey: API_KEY, ...options })).toThrow(
      message,
    );
  });

  it("builds the User-Agent from the package, Node and appInfo", () => {
    const base = `@neuroon/core/${VERSION} node/${process.versions.node}`;
    expect(createTestClient(agent).userAgent).toBe(base);
    expect(createTestClient(agent, { appInfo: "neuroon-medusa/1.2.0" }).userAgent).toBe(
      `${base} neuroon-medusa/1.2.0`,
    );
    expect(
      createTestClient(agent, { appInfo: { name: "neuroon-shopify", version: "0.3.0" } }).userAgent,
    ).toBe(`${base} neuroon-shopify/0.3.0`);
    expect(createTestClient(agent, { userAgent: "custom/1" }).userAgent).toBe("custom/1");
  });
});

describe("requests on the wire", () => {
  it("GET sends key, Accept and User-Agent, no body headers, no Origin, no idempotency key", async () => {
    const shop = {
      shopId: SHOP_ID,
      name: "Test",
      url: "https://s.example",
      verified: true,
      maxProducts: 1000,
      maxSearchesPerMonth: 5000,
      productsCount: 3,
      searchesThisMonth: 9,
    };
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(200, shop, JSON_HEADERS);
    const client = createTestClient(agent, { appInfo: "neuroon-test/1.0.0" });
    await expect(client.shop.me()).resolves.toEqual(shop);
    const headers = headersOf(lastCall());
    expect(headers["x-shop-api-key"]).toBe(API_KEY);
    expect(headers.accept).toBe("application/json");
    expect(headers["user-agent"]).toBe(client.userAgent);
    expect(headers).not.toHaveProperty("content-type");
    expect(headers).not.toHaveProperty("x-idempotency-key");
    expect(headers).not.toHaveProperty("origin");
    expect(headers).not.toHaveProperty("referer");
  });

  it("products.sync posts {syncType, products} with the content-hash idempotency key", async () => {
    const products = [
      { externalId: "p-1", name: "Shirt", price: 10, url: "https://s.example/p-1" },
    ];
    const response = {
      newProducts: 1,
      updatedProducts: 0,
      failed: 0,
      errors: [],
      productsCount: 1,
      remainingProducts: 999,
    };
    agent
      .get(ORIGIN)
      .intercept({ path: `${SHOP_PATH}/products/sync`, method: "POST" })
      .reply(200, response, JSON_HEADERS);
    const client = createTestClient(agent);
    await expect(client.products.sync({ syncType: "INCREMENTAL", products })).resolves.toEqual(
      response,
    );
    const call = lastCall();
    expect(JSON.parse(call.body ?? "")).toEqual({ syncType: "INCREMENTAL", products });
    const headers = headersOf(call);
    expect(headers["content-type"]).toBe("application/json; charset=utf-8");
    const { defaultSyncIdempotencyKey } = await import("../../src/index.js");
    expect(headers["x-idempotency-key"]).toBe(
      defaultSyncIdempotencyKey(SHOP_ID, "INCREMENTAL", products),
    );
    expect(headers).not.toHaveProperty("origin");
  });

  it("products.sync uses a caller's idempotency key and defaults a missing errors array", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: `${SHOP_PATH}/products/sync`, method: "POST" })
      .reply(
        200,
        { newProducts: 0, updatedProducts: 1, failed: 0, productsCount: 1, remainingProducts: 9 },
        JSON_HEADERS,
      );
    const result = await createTestClient(agent).products.sync(
      {
        syncType: "FULL",
        products: [{ externalId: "p", name: "n", price: 0, url: "https://s.example/p" }],
      },
      { idempotencyKey: "batch-7" },
    );
    expect(result.errors).toEqual([]);
    expect(headersOf(lastCall())["x-idempotency-key"]).toBe("batch-7");
  });

  it("products.sync refuses an empty or oversized batch before sending", async () => {
    const client = createTestClient(agent);
    await expect(client.products.sync({ syncType: "INCREMENTAL", products: [] })).rejects.toThrow(
      /1\.\.500/,
    );
    const many = Array.from({ length: 501 }, (_, i) => ({
      externalId: `p${i}`,
      name: "n",
      price: 1,
      url: "https://s.example",
    }));
    await expect(client.products.sync({ syncType: "INCREMENTAL", products: many })).rejects.toThrow(
      RangeError,
    );
    await expect(
      client.products.sync({ syncType: "PARTIAL" as "FULL", products: many.slice(0, 1) }),
    ).rejects.toThrow(/syncType/);
  });

  it("products.get encodes the externalId and maps 404 to NotFoundError", async () => {
    const stored = {
      externalId: "a/b c",
      name: "n",
      price: 1,
      url: "https://s.example",
      createdAt: "2026-05-06T10:15:00",
      updatedAt: "2026-05-06T10:15:00",
    };
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: `${SHOP_PATH}/products/a%2Fb%20c`, method: "GET" })
      .reply(200, stored, JSON_HEADERS);
    pool.intercept({ path: `${SHOP_PATH}/products/gone`, method: "GET" }).reply(
      404,
      {
        timestamp: "t",
        status: 404,
        error: "Not Found",
        message: "Product not found",
        path: "/x",
      },
      JSON_HEADERS,
    );
    const client = createTestClient(agent);
    await expect(client.products.get("a/b c")).resolves.toEqual(stored);
    const error = await client.products.get("gone").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe(
      `404 Product not found (GET ${SHOP_PATH}/products/gone)`,
    );
    await expect(client.products.get("")).rejects.toThrow(/externalId must be a non-empty string/);
  });

  it("products.delete resolves on 204 and sends an idempotency key", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: `${SHOP_PATH}/products/p%3F1`, method: "DELETE" })
      .reply(204, "");
    await expect(createTestClient(agent).products.delete("p?1")).resolves.toBeUndefined();
    expect(headersOf(lastCall())["x-idempotency-key"]).toMatch(/^nrn-[0-9a-f-]{36}$/);
  });

  it.each([".", ".."])(
    "refuses the id %j, which a URL resolves to another path, before sending anything",
    async (externalId) => {
      // "/products/.." is "/shops/{id}": a 404 there would read as "product already gone".
      const client = createTestClient(agent);
      await expect(client.products.delete(externalId)).rejects.toThrow(/dot segment/);
      await expect(client.products.get(externalId)).rejects.toThrow(/dot segment/);
    },
  );

  it("encodes the shop id in every path", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/plugin/shops/shop%2F..%2Fx/verification-data", method: "GET" })
      .reply(200, { verificationCode: "vc_1", instructions: "", verified: false }, JSON_HEADERS);
    await createTestClient(agent, { shopId: "shop/../x" }).verification.data();
    expect(lastCall().path).toBe("/api/plugin/shops/shop%2F..%2Fx/verification-data");
  });

  it("verification.verify, data and unverify hit their paths", async () => {
    const pool = agent.get(ORIGIN);
    const verified = {
      shopId: SHOP_ID,
      verificationCode: "vc_1",
      domain: "https://s.example",
      name: "Shop",
    };
    pool
      .intercept({ path: `${SHOP_PATH}/verify`, method: "POST" })
      .reply(200, verified, JSON_HEADERS);
    pool
      .intercept({ path: `${SHOP_PATH}/verification-data`, method: "GET" })
      .reply(200, { verificationCode: "vc_1", instructions: "none", verified: true }, JSON_HEADERS);
    pool.intercept({ path: `${SHOP_PATH}/verify`, method: "DELETE" }).reply(204, "");
    const client = createTestClient(agent);
    await expect(client.verification.verify("https://s.example")).resolves.toEqual(verified);
    expect(JSON.parse(lastCall().body ?? "")).toEqual({ domain: "https://s.example" });
    expect(headersOf(lastCall())["x-idempotency-key"]).toMatch(/^nrn-/);
    await expect(client.verification.data()).resolves.toMatchObject({ verified: true });
    await expect(client.verification.unverify()).resolves.toBeUndefined();
    await expect(client.verification.verify("  ")).rejects.toThrow(TypeError);
  });

  it("conversions.track posts the order and tolerates an empty body", async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: `${SHOP_PATH}/track/conversion`, method: "POST" })
      .reply(200, { orderId: "ORD-1", accepted: 1, duplicate: false }, JSON_HEADERS);
    pool.intercept({ path: `${SHOP_PATH}/track/conversion`, method: "POST" }).reply(200, "");
    const request = {
      orderId: "ORD-1",
      orderValue: 199.95,
      currency: "EUR",
      conversions: [{ productId: "p-1", searchLogId: "log_1", quantity: 2, lineTotal: 79.98 }],
    };
    const client = createTestClient(agent);
    await expect(client.conversions.track(request)).resolves.toEqual({
      orderId: "ORD-1",
      accepted: 1,
      duplicate: false,
    });
    expect(JSON.parse(lastCall().body ?? "")).toEqual(request);
    await expect(client.conversions.track(request)).resolves.toEqual({});
    await expect(client.conversions.track({ ...request, orderId: "" })).rejects.toThrow(/orderId/);
  });

  it("reports each attempt to onRequest and onResponse with redacted headers", async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: `${SHOP_PATH}/products/p-1`, method: "DELETE" })
      .reply(503, "", { headers: { "x-request-id": "r-1" } });
    pool
      .intercept({ path: `${SHOP_PATH}/products/p-1`, method: "DELETE" })
      .reply(204, "", { headers: { "x-request-id": "r-2" } });
    const events: unknown[] = [];
    let nowMs = 1_000;
    const client = createTestClient(agent, {
      now: () => (nowMs += 5),
      onRequest: (event) => events.push({ type: "request", ...event }),
      onResponse: (event) => events.push({ type: "response", ...event }),
      onRetry: (attempt, delayMs, reason) =>
        events.push({
          type: "retry",
          attempt,
          delayMs,
          status: (reason as { status?: number }).status,
        }),
    });
    await client.products.delete("p-1", { idempotencyKey: "k-1" });
    const request = (attempt: number) => ({
      type: "request",
      attempt,
      method: "DELETE",
      url: `${ORIGIN}${SHOP_PATH}/products/p-1`,
      path: `${SHOP_PATH}/products/p-1`,
      idempotencyKey: "k-1",
      headers: {
        accept: "application/json",
        "user-agent": client.userAgent,
        "x-shop-api-key": "[REDACTED]",
        "x-idempotency-key": "k-1",
      },
    });
    expect(events).toEqual([
      request(1),
      expect.objectContaining({
        type: "response",
        attempt: 1,
        status: 503,
        requestId: "r-1",
        durationMs: 5,
      }),
      { type: "retry", attempt: 1, delayMs: 1_000, status: 503 },
      request(2),
      expect.objectContaining({ type: "response", attempt: 2, status: 204, requestId: "r-2" }),
    ]);
  });

  it("a 2xx body that is not JSON becomes an ApiError with a hint", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(200, "<html>login</html>");
    await expect(createTestClient(agent).shop.me()).rejects.toThrow(/not JSON .*NEUROON_API_URL/);
  });

  it("per-call options are validated", async () => {
    const client = createTestClient(agent);
    await expect(client.shop.me({ timeoutMs: -5 })).rejects.toThrow(ConfigurationError);
    await expect(client.shop.me({ maxRetries: -1 })).rejects.toThrow(/maxRetries/);
  });
});
