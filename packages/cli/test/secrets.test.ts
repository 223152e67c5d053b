import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_KEY,
  allOutput,
  type Harness,
  jsonl,
  MANY_SPAWNS_TIMEOUT_MS,
  product,
  SHOP_URL,
  startHarness,
  WRONG_KEY,
} from "./helpers.js";

let h: Harness;
const CONSUMER_SECRET = "cs_9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c";
const LONG_SECRET = "not-shaped-like-a-key-but-secret-42";

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe("secrets", () => {
  it(
    "never prints the API key or other configured secrets, in any command or error",
    async () => {
      const feed = await h.write(
        "s.jsonl",
        jsonl([product("s1"), "{broken", product("s2", { description: `see ${API_KEY}` })]),
      );
      const config = join(h.dir, "secret-config.json");
      await writeFile(
        config,
        JSON.stringify({
          woocommerce: { consumerSecret: CONSUMER_SECRET, webhookSecret: LONG_SECRET },
        }),
      );
      const withFlag = ["--api-key", API_KEY];
      const runs = [
        h.run(["sync", feed]),
        h.run(["sync", feed, "--json", "--config", config]),
        h.run(["sync", feed, ...withFlag], { NEUROON_API_KEY: undefined }),
        h.run(["sync", feed, `--api-key=${WRONG_KEY}`], { NEUROON_API_KEY: undefined }),
        h.run(["sync", feed, "--json"], { NEUROON_API_KEY: WRONG_KEY }),
        h.run(["sync", feed], { NEUROON_API_URL: "http://127.0.0.1:1" }),
        h.run(["products", "list", "--json"]),
        h.run(["products", "list", "--all"]),
        h.run(["products", "get", "s2", "--json"]),
        h.run(["products", "get", "missing"]),
        h.run(["products", "delete", "s1", "--json"]),
        h.run(["reconcile", feed, "--json"]),
        h.run(["verify", "--status", "--json"]),
        h.run(["verify", SHOP_URL]),
        h.run(["token", "--json"]),
        h.run(["queue", "status", "--json", "--config", config]),
        h.run(["queue", "dead-letters"]),
        h.run(["doctor", "--config", config]),
        h.run(["doctor", "--json"], { NEUROON_API_KEY: WRONG_KEY }),
        h.run(["doctor"], { NEUROON_API_KEY: `${API_KEY} ` }),
        h.run(["products", "list", API_KEY]),
        h.run(["products", "list", "--api-key", API_KEY, "--bogus"]),
        h.run(["no-such-command", API_KEY]),
        h.run(["sync", "--help", "--api-key", API_KEY]),
      ];
      const results = await Promise.all(runs);
      expect(results.map((result) => result.code)).toContain(0);
      const everything = allOutput.join("\n");
      expect(everything.length).toBeGreaterThan(1_000);
      for (const secret of [API_KEY, WRONG_KEY, CONSUMER_SECRET, LONG_SECRET]) {
        expect(everything).not.toContain(secret);
      }
      // What was printed instead: the masked form.
      expect(everything).toContain("sk_…3a4b");
    },
    MANY_SPAWNS_TIMEOUT_MS,
  );
});
