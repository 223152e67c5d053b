import { inspect } from "node:util";
import { Agent, type MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NeuroonClient, WidgetTokenCache } from "../../src/index.js";
import {
  API_KEY,
  createMockAgent,
  createTestClient,
  ORIGIN,
  SHOP_ID,
  SHOP_PATH,
  startServer,
} from "./helpers.js";

/** Every rendering of a value a log line or error tracker might produce. */
function renderings(value: unknown): string[] {
  const texts = [
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true }),
    JSON.stringify(value, (_key, member: unknown) =>
      typeof member === "bigint" ? String(member) : member,
    ) ?? "",
  ];
  if (value instanceof Error) {
    texts.push(String(value), value.message, value.stack ?? "");
    let cause: unknown = value.cause;
    while (cause instanceof Error) {
      texts.push(String(cause), cause.stack ?? "");
      cause = cause.cause;
    }
  }
  return texts;
}

function expectNoKey(value: unknown): void {
  for (const text of renderings(value)) expect(text).not.toContain(API_KEY);
}

let agent: MockAgent;
const hookPayloads: unknown[] = [];

beforeEach(() => {
  agent = createMockAgent();
  hookPayloads.length = 0;
});

afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

function observedClient(dispatcher: MockAgent | Agent = agent, overrides = {}) {
  return createTestClient(dispatcher, {
    onRequest: (event) => hookPayloads.push(event),
    onResponse: (event) => hookPayloads.push(event),
    onRetry: (attempt, delayMs, reason) => hookPayloads.push({ attempt, delayMs, reason }),
    ...overrides,
  });
}

describe("the API key never leaks", () => {
  it.each([
    [401, { error: `Invalid API key ${API_KEY}`, status: 401 }],
    [
      403,
      {
        timestamp: "t",
        status: 403,
        error: "Forbidden",
        message: `key ${API_KEY} is for another shop`,
        path: "/x",
      },
    ],
    [429, { error: "rate_limit_exceeded", message: "Too many requests.", retryAfter: 999 }],
    [500, `<pre>X-Shop-API-Key: ${API_KEY}</pre>`],
  ])("from a %i whose body echoes it", async (status, body) => {
    agent
      .get(ORIGIN)
      .intercept({ path: `${SHOP_PATH}/products/sync`, method: "POST" })
      .reply(status, body, { headers: { "x-echo-key": API_KEY, "x-request-id": "r-1" } })
      .times(status >= 500 ? 3 : 1);
    const client = observedClient();
    const error = await client.products
      .sync({
        syncType: "INCREMENTAL",
        products: [{ externalId: "p", name: "n", price: 1, url: "https://s.example" }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expectNoKey(error);
    expect(hookPayloads.length).toBeGreaterThan(0);
    expectNoKey(hookPayloads);
    expect(inspect(hookPayloads, { depth: 4 })).toContain("[REDACTED]");
  });

  it("from connection errors, timeouts, the client object and config errors", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .replyWithError(new Error("socket hang up"))
      .times(3);
    const client = observedClient();
    expectNoKey(await client.shop.me().catch((e: unknown) => e));
    expectNoKey(hookPayloads);
    expectNoKey(client);
    expectNoKey(new WidgetTokenCache({ shopId: SHOP_ID, apiKey: API_KEY }));

    const server = await startServer(() => {});
    const dispatcher = new Agent();
    try {
      const timeout = await observedClient(dispatcher, {
        baseUrl: server.origin,
        timeoutMs: 50,
        maxRetries: 0,
      })
        .shop.me()
        .catch((e: unknown) => e);
      expect((timeout as Error).name).toBe("TimeoutError");
      expectNoKey(timeout);
    } finally {
      await dispatcher.close();
      await server.close();
    }

    const almostKey = `${API_KEY}0`;
    const configError = (() => {
      try {
        return new NeuroonClient({ shopId: SHOP_ID, apiKey: almostKey });
      } catch (e) {
        return e;
      }
    })();
    expect(renderings(configError).join("\n")).not.toContain(almostKey.slice(3));
  });

  it("the real key does reach the server, only in X-Shop-API-Key", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(200, {}, { headers: { "content-type": "application/json" } });
    await observedClient().shop.me();
    const call = agent.getCallHistory()?.lastCall();
    expect((call?.headers ?? {}) as Record<string, string>).toHaveProperty(
      "x-shop-api-key",
      API_KEY,
    );
    expect(call?.fullUrl).not.toContain(API_KEY);
  });
});
