import type { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NeuroonClientOptions } from "../../src/index.js";
import { ARRIVAL_GUARD_MS } from "../../src/rate-limit.js";
import { createMockAgent, createTestClient, ORIGIN, SHOP_PATH } from "./helpers.js";

const JSON_HEADERS = { "content-type": "application/json" };

let agent: MockAgent;
let clock: { nowMs: number; sleeps: number[] };

beforeEach(() => {
  agent = createMockAgent();
  clock = { nowMs: 0, sleeps: [] };
});

afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

function pacedClient(rateLimits: NeuroonClientOptions["rateLimits"] = undefined) {
  return createTestClient(agent, {
    rateLimits,
    now: () => clock.nowMs,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      await new Promise((resolve) => setImmediate(resolve));
      clock.nowMs += ms;
    },
  });
}

describe("client-side pacing", () => {
  it("never sends more than the bucket allows and queues the rest FIFO", async () => {
    const pool = agent.get(ORIGIN);
    const sentAt: number[] = [];
    pool
      .intercept({ path: `${SHOP_PATH}/verify`, method: "POST" })
      .reply(
        200,
        () => {
          sentAt.push(clock.nowMs);
          return { shopId: "s", verificationCode: "vc", domain: "d", name: "n" };
        },
        { headers: JSON_HEADERS },
      )
      .times(3);
    const client = pacedClient({ verifyAction: { limit: 2, windowMs: 300_000 } });
    await Promise.all([1, 2, 3].map(() => client.verification.verify("https://s.example")));
    // The third waits for the first to leave the window, plus the arrival guard.
    expect(sentAt).toEqual([0, 0, 300_000 + ARRIVAL_GUARD_MS]);
  });

  it("defaults to the documented 5 per 5 minutes for verify", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: `${SHOP_PATH}/verify`, method: "POST" })
      .reply(200, {}, { headers: JSON_HEADERS })
      .times(6);
    const client = pacedClient();
    for (let i = 0; i < 6; i += 1) await client.verification.verify("https://s.example");
    expect(clock.nowMs).toBe(300_000 + ARRIVAL_GUARD_MS);
  });

  it("waits a window after the server reports X-RateLimit-Remaining 0, so no 429 follows", async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(
        200,
        {},
        { headers: { ...JSON_HEADERS, "x-ratelimit-limit": "60", "x-ratelimit-remaining": "0" } },
      );
    pool
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(200, {}, { headers: JSON_HEADERS });
    const client = pacedClient();
    await client.shop.me();
    expect(clock.nowMs).toBe(0);
    await client.shop.me();
    expect(clock.sleeps).toEqual([60_000]);
  });

  it("after a 429 waits only as long as Retry-After, not a whole window more", async () => {
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: "/api/plugin/shops/me", method: "GET" }).reply(
      429,
      { error: "rate_limit_exceeded", message: "Too many requests." },
      {
        headers: {
          ...JSON_HEADERS,
          "retry-after": "2",
          "x-ratelimit-limit": "60",
          "x-ratelimit-remaining": "0",
        },
      },
    );
    pool
      .intercept({ path: "/api/plugin/shops/me", method: "GET" })
      .reply(200, {}, { headers: JSON_HEADERS });
    await pacedClient().shop.me();
    expect(clock.sleeps).toEqual([2_000]);
    expect(clock.nowMs).toBe(2_000);
  });

  it("rateLimits: false sends without waiting", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: `${SHOP_PATH}/verify`, method: "DELETE" })
      .reply(204, "")
      .times(7);
    const client = pacedClient(false);
    for (let i = 0; i < 7; i += 1) await client.verification.unverify();
    expect(clock.sleeps).toEqual([]);
  });

  it("an abort while queued rejects without sending", async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: `${SHOP_PATH}/verify`, method: "DELETE" })
      .reply(204, "");
    const client = createTestClient(agent, {
      rateLimits: { unverifyAction: { limit: 1, windowMs: 300_000 } },
      sleep: (_ms, signal) =>
        new Promise<void>((_resolve, reject) =>
          signal?.addEventListener("abort", () => reject(signal.reason), { once: true }),
        ),
    });
    await client.verification.unverify();
    const reason = new Error("job cancelled");
    const controller = new AbortController();
    const queued = client.verification.unverify({ signal: controller.signal });
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(agent.getCallHistory()?.calls()).toHaveLength(1);
  });
});
