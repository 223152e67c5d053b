import { Agent, type MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ConnectionError,
  type NeuroonError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from "../../src/index.js";
import {
  createMockAgent,
  createTestClient,
  type LoopbackServer,
  ORIGIN,
  SHOP_ID,
  SHOP_PATH,
  sendJson,
  startServer,
} from "./helpers.js";

const SYNC_PATH = `${SHOP_PATH}/products/sync`;
const PRODUCTS = [{ externalId: "p-1", name: "Shirt", price: 10, url: "https://s.example/p-1" }];
const SYNC_OK = {
  newProducts: 1,
  updatedProducts: 0,
  failed: 0,
  errors: [],
  productsCount: 1,
  remainingProducts: 9,
};
const JSON_HEADERS = { "content-type": "application/json" };

describe("retries over MockAgent", () => {
  let agent: MockAgent;
  let sleeps: number[];
  let retries: Array<[number, number, string]>;

  beforeEach(() => {
    agent = createMockAgent();
    sleeps = [];
    retries = [];
  });

  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  function client(overrides = {}) {
    return createTestClient(agent, {
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
      onRetry: (attempt: number, delayMs: number, reason: NeuroonError) => {
        retries.push([attempt, delayMs, reason.name]);
      },
      ...overrides,
    });
  }

  function idempotencyKeys(): string[] {
    return (agent.getCallHistory()?.calls() ?? []).map((call) => {
      const headers = call.headers as Record<string, string>;
      return headers["x-idempotency-key"] ?? "";
    });
  }

  it("retries a 503 with the same idempotency key on attempt 1 and 2", async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: SYNC_PATH, method: "POST" })
      .reply(
        503,
        { status: 503, error: "Service Unavailable", message: "circuit open" },
        { headers: JSON_HEADERS },
      );
    pool
      .intercept({ path: SYNC_PATH, method: "POST" })
      .reply(200, SYNC_OK, { headers: JSON_HEADERS });
    await expect(
      client().products.sync(
        { syncType: "INCREMENTAL", products: PRODUCTS },
        { idempotencyKey: undefined },
      ),
    ).resolves.toEqual(SYNC_OK);
    const keys = idempotencyKeys();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^nrn-[0-9a-f]{64}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(retries).toEqual([[1, 1_000, "ServerError"]]);
  });

  it("keeps a random per-call key identical across retries of a DELETE", async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: `${SHOP_PATH}/products/p-1`, method: "DELETE" })
      .reply(502, "Bad Gateway");
    pool.intercept({ path: `${SHOP_PATH}/products/p-1`, method: "DELETE" }).reply(500, "");
    pool.intercept({ path: `${SHOP_PATH}/products/p-1`, method: "DELETE" }).reply(204, "");
    await client().products.delete("p-1");
    const keys = idempotencyKeys();
    expect(new Set(keys).size).toBe(1);
    expect(keys).toHaveLength(3);
    expect(sleeps).toEqual([1_000, 2_000]);
  });

  it("gives up after maxRetries (default 2 → 3 attempts) with the last error", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(
        500,
        { status: 500, error: "Internal Server Error", message: "boom" },
        { headers: JSON_HEADERS },
      )
      .times(3);
    const error = await client({ random: () => 0.5 })
      .shop.me()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).message).toBe("500 boom (GET /api/plugin/shops/me)");
    expect(sleeps).toEqual([875, 1_750]);
  });

  it("per-call maxRetries overrides the client's", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(503, "")
      .times(1);
    await expect(client().shop.me({ maxRetries: 0 })).rejects.toBeInstanceOf(ServerError);
    expect(sleeps).toEqual([]);
  });

  it("honours Retry-After seconds on 429 and reports the rate-limit fields", async () => {
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: SYNC_PATH, method: "POST" }).reply(
      429,
      {
        error: "rate_limit_exceeded",
        message: "Too many requests. Please try again later.",
        retryAfter: 60,
        limit: 100,
        remaining: 0,
      },
      {
        headers: {
          ...JSON_HEADERS,
          "retry-after": "2",
          "x-ratelimit-limit": "100",
          "x-ratelimit-remaining": "0",
        },
      },
    );
    pool
      .intercept({ path: SYNC_PATH, method: "POST" })
      .reply(200, SYNC_OK, { headers: JSON_HEADERS });
    await client().products.sync({ syncType: "INCREMENTAL", products: PRODUCTS });
    expect(sleeps).toEqual([2_000]);
    expect(retries).toEqual([[1, 2_000, "RateLimitError"]]);
  });

  it("honours an HTTP-date Retry-After against the injected clock", async () => {
    const nowMs = Date.parse("2026-05-06T10:15:00Z");
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(429, "", { headers: { "retry-after": "Wed, 06 May 2026 10:15:03 GMT" } });
    pool
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(200, {}, { headers: JSON_HEADERS });
    await client({ now: () => nowMs }).shop.me();
    expect(sleeps).toEqual([3_000]);
  });

  it("throws the 429 at once when Retry-After exceeds maxRetryAfterMs", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: SYNC_PATH, method: "POST" })
      .reply(
        429,
        {
          error: "rate_limit_exceeded",
          message: "Too many requests. Please try again later.",
          retryAfter: 120,
        },
        { headers: { ...JSON_HEADERS, "retry-after": "120" } },
      );
    const error = await client()
      .products.sync({ syncType: "INCREMENTAL", products: PRODUCTS })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(120_000);
    expect(sleeps).toEqual([]);
  });

  it("never retries other 4xx", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: SYNC_PATH, method: "POST" })
      .reply(
        400,
        { status: 400, error: "Bad Request", message: "externalId: must not be blank" },
        { headers: JSON_HEADERS },
      );
    const error = await client()
      .products.sync({ syncType: "INCREMENTAL", products: PRODUCTS })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual([
      { field: "externalId", message: "must not be blank" },
    ]);
    expect(agent.getCallHistory()?.calls()).toHaveLength(1);
  });

  it("retries connection failures as ConnectionError", async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .replyWithError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    pool
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .replyWithError(new Error("socket hang up"));
    pool
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .replyWithError(new Error("socket hang up"));
    const error = await client()
      .shop.me()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(retries.map(([attempt, , name]) => [attempt, name])).toEqual([
      [1, "ConnectionError"],
      [2, "ConnectionError"],
    ]);
  });

  it("a user abort during the backoff sleep stops at once with the abort reason", async () => {
    agent.get(ORIGIN).intercept({ path: "/api/plugin/shops/me", method: "GET" }).reply(503, "");
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const c = createTestClient(agent, {
      sleep: (_ms: number, signal?: AbortSignal) =>
        new Promise<void>((_resolve, reject) => {
          signal?.addEventListener("abort", () => reject(new Error("sleep aborted")), {
            once: true,
          });
          controller.abort(reason);
        }),
    });
    await expect(c.shop.me({ signal: controller.signal })).rejects.toBe(reason);
    expect(agent.getCallHistory()?.calls()).toHaveLength(1);
  });

  it("a signal aborted before the call sends nothing", async () => {
    const reason = new Error("never mind");
    await expect(client().shop.me({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(agent.getCallHistory()?.calls() ?? []).toHaveLength(0);
  });

  it("a throwing hook does not change the outcome", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(200, { shopId: SHOP_ID }, { headers: JSON_HEADERS });
    const thrower = () => {
      throw new Error("hook bug");
    };
    await expect(client({ onRequest: thrower, onResponse: thrower }).shop.me()).resolves.toEqual({
      shopId: SHOP_ID,
    });
  });
});

describe("timeouts and sockets on a loopback server", () => {
  let server: LoopbackServer | undefined;
  let dispatcher: Agent;

  beforeEach(() => {
    dispatcher = new Agent();
  });

  afterEach(async () => {
    await dispatcher.close();
    await server?.close();
    server = undefined;
  });

  it("a slow response times out, is retried with the same key, and the retry succeeds", async () => {
    server = await startServer((_request, response, index) => {
      if (index === 0) {
        setTimeout(() => sendJson(response, 200, SYNC_OK), 10_000).unref();
        return;
      }
      sendJson(response, 200, SYNC_OK);
    });
    const retries: string[] = [];
    const client = createTestClient(dispatcher, {
      baseUrl: server.origin,
      // Far above a loaded CI machine's loopback round trip, so only the stalled first answer
      // times out.
      timeoutMs: 1_000,
      onRetry: (_attempt, _delay, reason) => retries.push(reason.name),
    });
    await expect(
      client.products.sync({ syncType: "INCREMENTAL", products: PRODUCTS }),
    ).resolves.toEqual(SYNC_OK);
    expect(retries).toEqual(["TimeoutError"]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.headers["x-idempotency-key"]).toBe(
      server.requests[0]?.headers["x-idempotency-key"],
    );
    expect(server.requests[0]?.headers.origin).toBeUndefined();
  });

  it("a body that stalls after the headers also times out", async () => {
    server = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"shopId":');
    });
    const error = await createTestClient(dispatcher, {
      baseUrl: server.origin,
      timeoutMs: 150,
      maxRetries: 1,
    })
      .shop.me()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe(
      "Neuroon did not answer within 150 ms (GET /api/plugin/shops/me). Raise timeoutMs for large batches, or retry later.",
    );
    expect(server.requests).toHaveLength(2);
  });

  it("a dropped connection is a ConnectionError and is retried", async () => {
    server = await startServer((_request, response, index) => {
      if (index === 0) {
        response.socket?.destroy();
        return;
      }
      sendJson(response, 200, { shopId: SHOP_ID });
    });
    const retries: string[] = [];
    const client = createTestClient(dispatcher, {
      baseUrl: server.origin,
      onRetry: (_attempt, _delay, reason) => retries.push(reason.name),
    });
    await expect(client.shop.me()).resolves.toEqual({ shopId: SHOP_ID });
    expect(retries).toEqual(["ConnectionError"]);
  });

  it("a refused connection ends as ConnectionError after all attempts", async () => {
    const closed = await startServer(() => {});
    const origin = closed.origin;
    await closed.close();
    const error = await createTestClient(dispatcher, { baseUrl: origin })
      .shop.me()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).message).toMatch(/ECONNREFUSED/);
  });

  it("a user abort mid-request is not retried and rejects with the abort reason", async () => {
    server = await startServer(() => {
      // Never answers.
    });
    const controller = new AbortController();
    const reason = new Error("request cancelled by caller");
    const client = createTestClient(dispatcher, { baseUrl: server.origin });
    const pending = client.shop.me({ signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50).unref();
    await expect(pending).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });
});
