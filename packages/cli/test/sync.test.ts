import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { openSqliteQueue } from "@neuroon/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  API_KEY,
  allOutput,
  BIN,
  type Harness,
  jsonl,
  parseJson,
  product,
  SHOP_ID,
  startHarness,
  TEST_TIMEOUT_MS,
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
  expect(allOutput.join("\n")).not.toContain(API_KEY);
});
beforeEach(() => {
  h.emulator.reset();
  testIndex += 1;
  dataDir = join(h.dir, `data-${testIndex}`);
});

const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  h.run(args, { NEUROON_DATA_DIR: dataDir, ...env });

const syncRequests = () =>
  h.emulator.requests.filter(
    (request) => request.method === "POST" && request.path.endsWith("/products/sync"),
  );

describe("neuroon sync <file>", () => {
  it("syncs a JSON Lines feed through the queue, then sends only what changed", async () => {
    const feed = await h.write(
      "feed.jsonl",
      jsonl([product("a"), product("b"), product("c", { parentExternalId: "a" })]),
    );
    const first = await run(["sync", feed]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("3 valid products, 0 lines rejected");
    expect(first.stdout).toContain("3 sent (3 new, 0 updated)");
    expect(
      h.emulator
        .snapshot(SHOP_ID)
        .map((p) => p.externalId)
        .sort(),
    ).toEqual(["a", "b", "c"]);
    expect(existsSync(join(dataDir, `${SHOP_ID}.db`))).toBe(true);

    h.emulator.clearRequests();
    const again = await run(["sync", feed]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("0 sent (0 new, 0 updated), 3 unchanged");
    expect(syncRequests()).toHaveLength(0);

    await h.write(
      "feed.jsonl",
      jsonl([product("a"), product("b", { price: 12.5 }), product("c", { parentExternalId: "a" })]),
    );
    const changed = await run(["sync", feed, "--json"]);
    expect(changed.code).toBe(0);
    const result = parseJson<{
      ok: boolean;
      summary: { sent: number; updated: number; unchanged: number };
    }>(changed);
    expect(result.ok).toBe(true);
    expect(result.summary).toMatchObject({ sent: 1, updated: 1, unchanged: 2 });
    expect(syncRequests()).toHaveLength(1);
    expect(syncRequests()[0]?.body).toMatchObject({
      syncType: "INCREMENTAL",
      products: [{ externalId: "b", price: 12.5 }],
    });
  });

  it("reports malformed and invalid lines with their line numbers and exits 3", async () => {
    const feed = await h.write(
      "mixed.jsonl",
      jsonl([
        product("ok-1"),
        "{not json",
        product("bad-price", { price: -3 }),
        "",
        product("ok-1"),
        "[1,2]",
        product("ok-2"),
      ]),
    );
    const result = await run(["sync", feed]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("2 valid products, 4 lines rejected");
    expect(result.stdout).toMatch(/line 2: not valid JSON/);
    expect(result.stdout).toMatch(/line 3: bad-price: price must be a finite number >= 0/);
    expect(result.stdout).toMatch(/line 5: ok-1: externalId: duplicate of line 1/);
    expect(result.stdout).toMatch(/line 6: expected a JSON object per line, received an array/);
    expect(
      h.emulator
        .snapshot(SHOP_ID)
        .map((p) => p.externalId)
        .sort(),
    ).toEqual(["ok-1", "ok-2"]);

    const json = parseJson<{
      ok: boolean;
      exitCode: number;
      lines: unknown;
      rejected: { total: number; sample: { line: number; by: string }[] };
    }>(await run(["sync", feed, "--json"]));
    expect(json).toMatchObject({
      ok: false,
      exitCode: 3,
      lines: { read: 7, valid: 2, rejected: 4 },
      rejected: { total: 4 },
    });
    expect(json.rejected.sample.map((entry) => entry.line)).toEqual([2, 3, 5, 6]);
  });

  it("keeps a bounded sample of rejected lines, with their total, in --json", async () => {
    const lines = Array.from({ length: 250 }, (_, i) => product(`bad-${i}`, { price: -1 }));
    const feed = await h.write("all-bad.jsonl", jsonl([...lines, product("fine")]));
    const result = await run(["sync", feed, "--json"]);
    const json = parseJson<{ rejected: { total: number; sample: { line: number }[] } }>(result);
    expect(result.code).toBe(3);
    expect(json.rejected.total).toBe(250);
    expect(json.rejected.sample).toHaveLength(100);
    expect(json.rejected.sample.at(-1)?.line).toBe(100);
    const human = await run(["sync", feed]);
    expect(human.stdout).toContain("1 valid product, 250 lines rejected");
    expect(human.stdout).toContain("… and 230 more (--json lists the first 100)");
  });

  it("reads CSV feeds with list, boolean and attribute columns", async () => {
    const feed = await h.write(
      "feed.csv",
      [
        "external_id,name,price,currency,url,categories,inStock,attributes.color",
        `c1,"Shirt, red",19.99,EUR,https://cli-shop.example/c1,Shirts|Men,yes,red`,
        `c2,Mug,abc,EUR,https://cli-shop.example/c2,,no,`,
        `c3,"Multi
line name",5,EUR,https://cli-shop.example/c3,,1,blue`,
        "c4,too,few",
      ].join("\n"),
    );
    const result = await run(["sync", feed]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/line 3: c2: price: "abc" is not a number: write digits/);
    expect(result.stdout).toMatch(/line 6: has 3 fields, the header has 8/);
    const stored = h.emulator.snapshot(SHOP_ID);
    expect(stored.find((p) => p.externalId === "c1")).toMatchObject({
      name: "Shirt, red",
      price: 19.99,
      categories: ["Shirts", "Men"],
      inStock: true,
      attributes: { color: "red" },
    });
    expect(stored.find((p) => p.externalId === "c3")?.name).toBe("Multi line name");
  });

  it("refuses a CSV header with unknown columns as a usage error (exit 2)", async () => {
    const feed = await h.write(
      "typo.csv",
      "externalId,name,prise,url\nx,X,1,https://cli-shop.example/x\n",
    );
    const result = await run(["sync", feed]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown columns: "prise"');
  });

  it("keeps the changes queued when Neuroon fails, and delivers them on the next run", async () => {
    const feed = await h.write("outage.jsonl", jsonl([product("o1"), product("o2")]));
    h.emulator.faults.failNext(5, 503, {
      match: { method: "POST", path: `/api/plugin/shops/${SHOP_ID}/products/sync` },
    });
    const failed = await run(["sync", feed]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("stay queued");
    expect(failed.stderr).toMatch(/did not accept the changes: ServerError: 503/);
    const status = parseJson<{ pending: number; delayed: number }>(
      await run(["queue", "status", "--json"]),
    );
    expect(status.pending + status.delayed).toBe(2);
    expect(h.emulator.snapshot(SHOP_ID)).toHaveLength(0);

    h.emulator.faults.clear();
    await waitForQueueReady(dataDir);
    const recovered = await run(["sync", feed]);
    expect(recovered.code).toBe(0);
    expect(
      h.emulator
        .snapshot(SHOP_ID)
        .map((p) => p.externalId)
        .sort(),
    ).toEqual(["o1", "o2"]);
    expect(
      parseJson<{ pending: number; delayed: number }>(await run(["queue", "status", "--json"])),
    ).toMatchObject({
      pending: 0,
      delayed: 0,
    });
  });

  it("exits 1 without queueing anything when the API is unreachable", async () => {
    const feed = await h.write("down.jsonl", jsonl([product("d1")]));
    const result = await run(["sync", feed], { NEUROON_API_URL: "http://127.0.0.1:1" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Could not reach Neuroon .*ECONNREFUSED/);
    expect(result.stderr).toContain("http://127.0.0.1:1");
  });

  it("exits 2 with a clear message for a refused key, never printing it", async () => {
    const feed = await h.write("auth.jsonl", jsonl([product("k1")]));
    const wrong = "sk_0000000000000000000000000000beef";
    const result = await run(["sync", feed, "--json"], { NEUROON_API_KEY: wrong });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Neuroon refused the credentials: 401");
    expect(parseJson(result)).toMatchObject({
      ok: false,
      exitCode: 2,
      error: { name: "AuthenticationError" },
    });
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
    expect(`${result.stdout}${result.stderr}`).not.toContain(API_KEY);
  });

  it("exits 2 for a missing file or unknown --format", async () => {
    const missing = await run(["sync", "nope.jsonl"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Cannot read the feed");
    const format = await run(["sync", "x.jsonl", "--format", "xml"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("Allowed choices are jsonl, csv");
  });

  it("loses nothing when killed mid-sync: the queue keeps the changes and a rerun delivers them", async () => {
    const feed = await h.write("crash.jsonl", jsonl([product("k1"), product("k2"), product("k3")]));
    // Held until the child is killed, however slowly a busy machine lets it start.
    h.emulator.faults.delay(TEST_TIMEOUT_MS, {
      times: 1,
      match: { method: "POST", path: `/api/plugin/shops/${SHOP_ID}/products/sync` },
    });
    const child = spawn(process.execPath, [BIN, "sync", feed], {
      cwd: h.dir,
      env: { PATH: process.env.PATH ?? "", ...h.env, NEUROON_DATA_DIR: dataDir },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const path = join(dataDir, `${SHOP_ID}.db`);
    let inFlight = 0;
    await vi.waitFor(
      async () => {
        if (!existsSync(path)) throw new Error("the queue file does not exist yet");
        const queue = openSqliteQueue({ path });
        inFlight = (await queue.stats()).inFlight;
        await queue.close();
        if (inFlight === 0) throw new Error("nothing claimed yet");
      },
      { timeout: TEST_TIMEOUT_MS, interval: 50 },
    );
    expect(inFlight).toBe(3);
    child.kill("SIGKILL");
    await exited;

    const status = parseJson<{ inFlight: number }>(await run(["queue", "status", "--json"]));
    expect(status.inFlight).toBe(3);
    h.emulator.faults.clear();
    const rerun = await run(["sync", feed]);
    expect(rerun.code).toBe(0);
    expect(
      h.emulator
        .snapshot(SHOP_ID)
        .map((p) => p.externalId)
        .sort(),
    ).toEqual(["k1", "k2", "k3"]);
  });

  it("reports products Neuroon refused, and keeps reporting them while they are unchanged", async () => {
    const smallShop = {
      shopId: "shop_small001",
      apiKey: "sk_abcdefabcdefabcdefabcdefabcdef01",
      url: "https://small.example",
    };
    h.emulator.addShop({ ...smallShop, maxProducts: 2 });
    const env = { NEUROON_SHOP_ID: smallShop.shopId, NEUROON_API_KEY: smallShop.apiKey };
    const feed = await h.write("quota.jsonl", jsonl([product("m1"), product("m2"), product("m3")]));
    const first = await run(["sync", feed], env);
    expect(first.code).toBe(3);
    expect(first.stdout).toMatch(/line 3: m3: Product quota exceeded.* \(refused by Neuroon\)/);
    const again = await run(["sync", feed, "--json"], env);
    expect(again.code).toBe(3);
    const json = parseJson<{
      summary: { unchanged: number };
      rejected: { total: number; sample: { line: number; by: string }[] };
    }>(again);
    expect(json.summary.unchanged).toBe(3);
    expect(json.rejected.total).toBe(1);
    expect(json.rejected.sample).toEqual([
      expect.objectContaining({ line: 3, externalId: "m3", by: "earlier" }),
    ]);
  });
});
