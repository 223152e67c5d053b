import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_KEY,
  type Harness,
  jsonl,
  MANY_SPAWNS_TIMEOUT_MS,
  parseJson,
  product,
  SHOP_ID,
  startHarness,
} from "./helpers.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const tokenShop = async (args: string[], env: Record<string, string | undefined>) =>
  parseJson<{ shopId: string }>(await h.run(["token", "--json", ...args], env)).shopId;

describe("configuration", () => {
  it("takes flags over environment over the config file", async () => {
    await writeFile(
      join(h.dir, "neuroon.config.json"),
      JSON.stringify({ shopId: "shop_fromfile", apiKey: API_KEY }),
    );
    try {
      expect(await tokenShop([], { NEUROON_SHOP_ID: undefined, NEUROON_API_KEY: undefined })).toBe(
        "shop_fromfile",
      );
      expect(await tokenShop([], { NEUROON_SHOP_ID: "shop_fromenv" })).toBe("shop_fromenv");
      expect(
        await tokenShop(["--shop-id", "shop_fromflag"], { NEUROON_SHOP_ID: "shop_fromenv" }),
      ).toBe("shop_fromflag");
    } finally {
      await writeFile(join(h.dir, "neuroon.config.json"), "{}");
    }
  });

  it("reads --config with apiUrl, dataDir relative to the file, and section objects", async () => {
    const configDir = join(h.dir, "conf");
    await mkdir(configDir, { recursive: true });
    const configPath = join(configDir, "custom.json");
    await writeFile(
      configPath,
      JSON.stringify({
        apiUrl: h.emulator.url,
        shopId: SHOP_ID,
        dataDir: "state",
        maxRetries: 0,
        sync: { batchSize: 1 },
        reconcile: { maxDeleteRatio: 0.5 },
        woocommerce: {
          url: "https://wp.example",
          consumerSecret: "cs_0123456789abcdef0123456789abcdef01234567",
        },
      }),
    );
    const feed = await h.write("cfg.jsonl", jsonl([product("f1"), product("f2")]));
    const result = await h.run(["sync", feed, "--config", configPath, "--json"], {
      NEUROON_API_URL: undefined,
      NEUROON_SHOP_ID: undefined,
    });
    expect(result.code).toBe(0);
    expect(parseJson<{ summary: { syncRequests: number } }>(result).summary.syncRequests).toBe(2);
    expect(existsSync(join(configDir, "state", `${SHOP_ID}.db`))).toBe(true);
    const doctor = await h.run(["doctor", "--config", configPath], { NEUROON_SHOP_ID: undefined });
    expect(doctor.stdout).toContain(`shop ${SHOP_ID} (config file)`);
    expect(doctor.stdout).toContain(`config file ${configPath}`);
  });

  it("exits 2 for an invalid or missing config file, naming the problem", async () => {
    const broken = await h.write("broken.json", "{ shopId: 1, }");
    const syntax = await h.run(["token", "--config", broken]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain(`The config file ${broken} is not valid JSON`);

    const typos = await h.write(
      "typos.json",
      JSON.stringify({ shopid: "x", timeoutMs: -5, reconcile: { ratio: 1 } }),
    );
    const invalid = await h.run(["token", "--config", typos]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('"shopid" is not a known setting');
    expect(invalid.stderr).toContain(
      '"timeoutMs" must be a positive number of milliseconds, received -5',
    );
    expect(invalid.stderr).toContain('"reconcile.ratio" is not a known setting');

    const missing = await h.run(["token", "--config", "nowhere.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Cannot read the config file");
    expect(missing.stderr).toContain("ENOENT");
  });

  it("exits 2 for usage errors and bad environment values", async () => {
    expect((await h.run(["products", "list", "--bogus"])).code).toBe(2);
    expect((await h.run(["sync"])).code).toBe(2);
    expect((await h.run(["no-such-command"])).code).toBe(2);
    const json = await h.run(["products", "list", "--json", "--size", "500"]);
    expect(json.code).toBe(2);
    expect(parseJson(json)).toMatchObject({
      ok: false,
      exitCode: 2,
      error: {
        name: "UsageError",
        message: expect.stringContaining("expected an integer from 1 to 100"),
      },
    });
    const env = await h.run(["products", "list"], { NEUROON_MAX_RETRIES: "many" });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('NEUROON_MAX_RETRIES must be an integer >= 0, received "many"');
    const url = await h.run(["products", "list"], { NEUROON_API_URL: "not a url" });
    expect(url.code).toBe(2);
    expect(url.stderr).toContain("is not a URL");
  });

  it(
    "prints help for every command and the version",
    async () => {
      const version = await h.run(["--version"]);
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      const help = await h.run(["--help"]);
      expect(help.code).toBe(0);
      for (const command of [
        "sync",
        "products",
        "reconcile",
        "verify",
        "token",
        "queue",
        "doctor",
        "emulator",
      ]) {
        expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
      }
      expect(help.stdout).toContain("Exit codes: 0 ok; 1 operation failed; 2 usage");
      for (const args of [
        ["sync"],
        ["products", "list"],
        ["products", "get"],
        ["products", "delete"],
        ["reconcile"],
        ["verify"],
        ["token"],
        ["queue", "status"],
        ["queue", "retry"],
        ["queue", "dead-letters"],
        ["doctor"],
      ]) {
        const result = await h.run([...args, "--help"]);
        expect(result.code, args.join(" ")).toBe(0);
        expect(result.stdout).toContain("--json");
        expect(result.stdout).toMatch(/Example/);
      }
    },
    MANY_SPAWNS_TIMEOUT_MS,
  );
});
