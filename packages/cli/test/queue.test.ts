import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openSqliteQueue } from "@neuroon/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Harness,
  MANY_SPAWNS_TIMEOUT_MS,
  parseJson,
  product,
  SHOP_ID,
  startHarness,
  waitForQueueReady,
} from "./helpers.js";

let h: Harness;
let dataDir: string;
let testIndex = 0;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.emulator.reset();
  testIndex += 1;
  dataDir = join(h.dir, `data-${testIndex}`);
});

const run = (args: string[]) => h.run(args, { NEUROON_DATA_DIR: dataDir });

/** Puts changes in the dead-letter list the way a worker that gave up would. */
async function makeDeadLetters(changes: { key: string; payload?: unknown }[]): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const queue = openSqliteQueue({ path: join(dataDir, `${SHOP_ID}.db`) });
  try {
    await queue.enqueue(changes.map((change) => ({ kind: "product" as const, ...change })));
    for (const claimed of await queue.claim({ limit: 100, leaseMs: 60_000 })) {
      await queue.fail(claimed.id, "ServerError: 503 Service Unavailable", {
        delayMs: 0,
        maxAttempts: 1,
      });
    }
  } finally {
    await queue.close();
  }
}

describe("neuroon queue", () => {
  it("reports an empty queue without creating the file", async () => {
    const result = await run(["queue", "status", "--json"]);
    expect(result.code).toBe(0);
    expect(parseJson(result)).toMatchObject({
      exists: false,
      pending: 0,
      delayed: 0,
      inFlight: 0,
      deadLetters: 0,
    });
    expect((await run(["queue", "dead-letters"])).stdout).toContain("No dead letters");
  });

  it(
    "lists dead letters with their reasons and retries them into Neuroon",
    async () => {
      await makeDeadLetters([
        { key: "q1", payload: product("q1") },
        { key: "q2", payload: product("q2") },
      ]);
      const status = await run(["queue", "status"]);
      expect(status.stdout).toMatch(/dead letters 2 .*neuroon queue dead-letters/);

      const listed = await run(["queue", "dead-letters"]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/product q1\s+1 attempts/);
      expect(listed.stdout).toContain("ServerError: 503 Service Unavailable");
      const json = parseJson<{ deadLetters: { id: string; key: string; reason: string }[] }>(
        await run(["queue", "dead-letters", "--json"]),
      );
      expect(json.deadLetters.map((letter) => letter.key)).toEqual(["q1", "q2"]);

      const first = json.deadLetters[0]?.id as string;
      const one = await run(["queue", "retry", first, "--no-drain", "--json"]);
      expect(parseJson(one)).toMatchObject({ replayed: 1, queue: { pending: 1, deadLetters: 1 } });

      const retried = await run(["queue", "retry"]);
      expect(retried.code).toBe(0);
      expect(retried.stdout).toContain("2 sent (2 new, 0 updated)");
      expect(
        h.emulator
          .snapshot(SHOP_ID)
          .map((p) => p.externalId)
          .sort(),
      ).toEqual(["q1", "q2"]);
      expect(parseJson(await run(["queue", "status", "--json"]))).toMatchObject({
        pending: 0,
        deadLetters: 0,
      });
    },
    MANY_SPAWNS_TIMEOUT_MS,
  );

  it("keeps payload-less changes queued with a reason when no --feed can re-read them", async () => {
    await makeDeadLetters([{ key: "webhook-only" }]);
    const result = await run(["queue", "retry", "--json"]);
    expect(result.code).toBe(1);
    const json = parseJson<{ failures: { key: string; error: string }[] }>(result);
    expect(json.failures[0]?.key).toBe("webhook-only");
    expect(json.failures[0]?.error).toContain("carry no product data");

    const feed = await h.write("webhook.jsonl", `${JSON.stringify(product("webhook-only"))}\n`);
    await waitForQueueReady(dataDir);
    const withFeed = await run(["queue", "retry", "--feed", feed]);
    expect(withFeed.code).toBe(0);
    expect(h.emulator.snapshot(SHOP_ID).map((p) => p.externalId)).toEqual(["webhook-only"]);
  });
});
