import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openSqliteQueue } from "@neuroon/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_KEY,
  type Harness,
  parseJson,
  SHOP_ID,
  SHOP_URL,
  startHarness,
  WRONG_KEY,
} from "./helpers.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ rateLimits: "real" });
});
afterAll(async () => {
  await h.close();
});

interface DoctorJson {
  ok: boolean;
  exitCode: number;
  checks: { name: string; status: "ok" | "fail" | "skip"; detail: string; fix?: string }[];
}

const statusOf = (json: DoctorJson, name: string) =>
  json.checks.find((check) => check.name === name)?.status;

describe("neuroon doctor", () => {
  it("passes every check for a healthy, verified setup", async () => {
    expect((await h.run(["verify", SHOP_URL])).code).toBe(0);
    const result = await h.run(["doctor"], { NEUROON_DATA_DIR: join(h.dir, "healthy") });
    expect(result.code).toBe(0);
    for (const name of [
      "Configuration",
      "API key format",
      "Reachability",
      "Credentials",
      "Domain verification",
      "Rate limits",
      "Plan quota",
      "Queue",
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^✓ ${name}\\s`, "m"));
    }
    expect(result.stdout).toMatch(/Rate limits\s+\d+ of 60 shop-info requests left/);
    expect(result.stdout).toContain("key from environment");
    expect(result.stdout).toContain("sk_…3a4b");
    expect(result.stdout).toContain("All checks passed.");
  });

  it("fails (exit 1) with a fix for a refused key, an unverified domain and dead letters", async () => {
    await h.run(["verify", "--unverify"]);
    const dataDir = join(h.dir, "sick");
    mkdirSync(dataDir, { recursive: true });
    const queue = openSqliteQueue({ path: join(dataDir, `${SHOP_ID}.db`) });
    await queue.enqueue({ kind: "product", key: "x" });
    const [claimed] = await queue.claim({ limit: 1, leaseMs: 1_000 });
    await queue.fail(claimed?.id as string, "boom", { delayMs: 0, maxAttempts: 1 });
    await queue.close();

    const unverified = parseJson<DoctorJson>(
      await h.run(["doctor", "--json"], { NEUROON_DATA_DIR: dataDir }),
    );
    expect(unverified.ok).toBe(false);
    expect(statusOf(unverified, "Domain verification")).toBe("fail");
    expect(statusOf(unverified, "Queue")).toBe("fail");
    expect(unverified.checks.find((check) => check.name === "Queue")?.fix).toContain(
      "neuroon queue dead-letters",
    );

    const refused = await h.run(["doctor"], {
      NEUROON_API_KEY: WRONG_KEY,
      NEUROON_DATA_DIR: dataDir,
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^✓ Reachability/m);
    expect(refused.stdout).toMatch(
      /^✗ Credentials\s+Neuroon refused the key for shop shop_cli00001: 401/m,
    );
    expect(refused.stdout).toMatch(/fix: Check the key belongs to this shop/);
  });

  it("reports an unreachable API and a malformed or missing key as failed checks", async () => {
    const down = parseJson<DoctorJson>(
      await h.run(["doctor", "--json"], { NEUROON_API_URL: "http://127.0.0.1:1" }),
    );
    expect(down.exitCode).toBe(1);
    expect(statusOf(down, "Reachability")).toBe("fail");
    expect(statusOf(down, "Credentials")).toBe("skip");

    const malformed = await h.run(["doctor"], { NEUROON_API_KEY: "sk_live_123" });
    expect(malformed.code).toBe(1);
    expect(malformed.stdout).toMatch(/^✗ API key format\s+The Neuroon Shop API Key is malformed/m);

    const missing = await h.run(["doctor"], { NEUROON_API_KEY: undefined });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^✗ Configuration\s+missing API key/m);
    expect(missing.stdout + missing.stderr).not.toContain(API_KEY);
  });
});
