import { spawn } from "node:child_process";
import { join } from "node:path";
import { NeuroonClient } from "@neuroon/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  API_KEY,
  BIN,
  type Harness,
  jsonl,
  MANY_SPAWNS_TIMEOUT_MS,
  parseJson,
  product,
  SHOP_ID,
  startHarness,
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

const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  h.run(args, { NEUROON_DATA_DIR: dataDir, ...env });

/** Runs the bin with stdout closed by the reader after its first chunk, as `| head -1` does. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: h.dir,
      env: { PATH: process.env.PATH ?? "", ...h.env, NEUROON_DATA_DIR: dataDir },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout.once("data", () => child.stdout.destroy());
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("the neuroon shell", () => {
  it("loads no command for --help, and lists every command", async () => {
    const loaded: string[] = [];
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const hook = `data:text/javascript,${encodeURIComponent(
        `import { registerHooks } from "node:module";
         registerHooks({ load(url, context, next) { process.stderr.write("LOAD " + url + "\\n"); return next(url, context); } });`,
      )}`;
      const child = spawn(process.execPath, ["--import", hook, BIN, "--help"]);
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        loaded.push(...chunk.split("\n").filter((line) => line.startsWith("LOAD ")));
      });
      child.on("close", (code) => resolve({ code, stdout }));
    });
    expect(result.code).toBe(0);
    for (const name of ["sync", "reconcile", "products", "queue", "demo", "woocommerce"]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    }
    expect(loaded.filter((line) => /\/commands\/|@neuroon|packages\/core\//.test(line))).toEqual(
      [],
    );
  });

  it("accepts the shared options before the command", async () => {
    const result = await run(["--json", "--data-dir", dataDir, "queue", "status"]);
    expect(result.code).toBe(0);
    expect(parseJson(result)).toMatchObject({ ok: true, exitCode: 0, pending: 0 });
  });

  it("exits quietly with 0 when the reader of stdout goes away", async () => {
    const feed = await h.write(
      "many.jsonl",
      jsonl(Array.from({ length: 60 }, (_, i) => product(`pipe-${i}`))),
    );
    expect((await run(["sync", feed])).code).toBe(0);
    const result = await runIntoClosedPipe(["products", "list", "--all", "--json", "--size", "1"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it(
    "gives every --json document ok and exitCode",
    async () => {
      const feed = await h.write("one.jsonl", jsonl([product("j1")]));
      expect((await run(["sync", feed])).code).toBe(0);
      for (const args of [
        ["token", "--json"],
        ["queue", "status", "--json"],
        ["queue", "dead-letters", "--json"],
        ["products", "get", "j1", "--json"],
        ["products", "list", "--json"],
        ["products", "list", "--all", "--json"],
        ["verify", "--status", "--json"],
      ]) {
        const result = await run(args);
        expect(parseJson(result), args.join(" ")).toMatchObject({ ok: true, exitCode: 0 });
      }
    },
    MANY_SPAWNS_TIMEOUT_MS,
  );

  it("exits 2 for an unknown --sort and for a shop id Neuroon does not know", async () => {
    const sort = await run(["products", "list", "--sort", "bogus,asc"]);
    expect(sort.code).toBe(2);
    expect(sort.stderr).toContain("sort");
    const malformed = await run(["products", "list", "--sort", "name;drop"]);
    expect(malformed.code).toBe(2);
    const shop = await run(["products", "list"], { NEUROON_SHOP_ID: "shop_unknown01" });
    expect(shop.code).toBe(2);
    expect(shop.stderr).toContain("NEUROON_SHOP_ID");
  });

  it("names dead-letter ids that do not exist and moves nothing", async () => {
    const result = await run(["queue", "retry", "41", "42", "--no-drain"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("No dead letter has id 41, 42");
  });

  it("exits 0 when --drift overwrite replaced a product edited in Neuroon", async () => {
    const first = await h.write("drift.jsonl", jsonl([product("d1"), product("d2")]));
    expect((await run(["sync", first])).code).toBe(0);
    // Another integration edits d1 in Neuroon after our sync.
    const other = new NeuroonClient({
      shopId: SHOP_ID,
      apiKey: API_KEY,
      baseUrl: h.emulator.url,
      rateLimits: false,
    });
    await other.products.sync({
      syncType: "INCREMENTAL",
      products: [{ ...product("d1"), price: 7.5 } as never],
    });
    const changed = await h.write(
      "drift-2.jsonl",
      jsonl([product("d1", { price: 11 }), product("d2", { price: 12 })]),
    );
    const result = await run(["sync", changed, "--drift", "overwrite", "--json"]);
    const json = parseJson<{ ok: boolean; exitCode: number; conflicts: unknown[] }>(result);
    expect(json.conflicts).toHaveLength(1);
    expect(result.code).toBe(0);
    expect(json).toMatchObject({ ok: true, exitCode: 0 });
    expect(h.emulator.snapshot(SHOP_ID).find((p) => p.externalId === "d1")?.price).toBe(11);
  });
});
