import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, jsonl, parseJson, product, SHOP_ID, startHarness } from "./helpers.js";

let h: Harness;
let dataDir: string;
let testIndex = 0;
const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  h.emulator.reset();
  testIndex += 1;
  dataDir = join(h.dir, `data-${testIndex}`);
  const feed = await h.write("full.jsonl", jsonl(ids.map((id) => product(id))));
  expect((await run(["sync", feed])).code).toBe(0);
});

const run = (args: string[]) => h.run(args, { NEUROON_DATA_DIR: dataDir });
const stored = () => h.emulator.snapshot(SHOP_ID).map((p) => p.externalId);

describe("neuroon reconcile <file>", () => {
  it("deletes what the feed no longer has, within the safety valve", async () => {
    const feed = await h.write("minus-one.jsonl", jsonl(ids.slice(1).map((id) => product(id))));
    const result = await run(["reconcile", feed]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Deleted 1 product the feed no longer has:");
    expect(result.stdout).toContain("  r0");
    expect(stored()).not.toContain("r0");
    expect(stored()).toHaveLength(19);
    const nothing = await run(["reconcile", feed, "--json"]);
    expect(parseJson(nothing)).toMatchObject({ ok: true, deleted: [] });
  });

  it("refuses with exit 4 and deletes nothing when the feed lost too much, until --force", async () => {
    const feed = await h.write("truncated.jsonl", jsonl(ids.slice(0, 5).map((id) => product(id))));
    const refused = await run(["reconcile", feed]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(
      "Reconcile refused to delete 15 of the 20 products in Neuroon (75.0%",
    );
    expect(refused.stderr).toContain("Nothing was deleted");
    expect(refused.stderr).toContain("--force");
    expect(stored()).toHaveLength(20);

    const json = await run(["reconcile", feed, "--json"]);
    expect(json.code).toBe(4);
    expect(parseJson(json)).toMatchObject({
      ok: false,
      exitCode: 4,
      error: { name: "SafetyValveError" },
    });

    const raised = await run(["reconcile", feed, "--max-delete-ratio", "0.8"]);
    expect(raised.code).toBe(0);
    expect(stored()).toHaveLength(5);
  });

  it("deletes past the valve with --force", async () => {
    const feed = await h.write("empty.jsonl", "");
    expect((await run(["reconcile", feed])).code).toBe(4);
    const forced = await run(["reconcile", feed, "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect(parseJson<{ summary: { deleted: number } }>(forced).summary.deleted).toBe(20);
    expect(stored()).toHaveLength(0);
  });

  it("keeps products whose feed line is rejected, says so and exits 3", async () => {
    // A typo in one price must not make a nightly reconcile delete that product.
    const entries = ids.map((id) => (id === "r7" ? product(id, { price: "12,50" }) : product(id)));
    const feed = await h.write("typo.jsonl", jsonl(entries));
    expect((await run(["sync", feed])).code).toBe(3);
    const result = await run(["reconcile", feed]);
    expect(result.code).toBe(3);
    expect(stored()).toContain("r7");
    expect(stored()).toHaveLength(20);
    expect(result.stdout).toContain("1 line of the feed was rejected");
    expect(result.stdout).toContain("line 8");
    const json = parseJson<{ ok: boolean; exitCode: number; rejected: { total: number } }>(
      await run(["reconcile", feed, "--json"]),
    );
    expect(json).toMatchObject({ ok: false, exitCode: 3, rejected: { total: 1 } });
  });

  it("rejects a ratio outside 0..1 as usage (exit 2)", async () => {
    const result = await run(["reconcile", "x.jsonl", "--max-delete-ratio", "2"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("expected a share from 0 to 1");
  });
});
