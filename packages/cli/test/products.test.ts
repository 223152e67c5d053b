import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, jsonl, parseJson, product, SHOP_ID, startHarness } from "./helpers.js";

let h: Harness;
let dataDir: string;
let testIndex = 0;

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
  const feed = await h.write(
    "catalog.jsonl",
    jsonl(
      Array.from({ length: 25 }, (_, i) =>
        product(`sku-${String(i).padStart(2, "0")}`, { price: i + 1 }),
      ),
    ),
  );
  const synced = await run(["sync", feed]);
  expect(synced.code).toBe(0);
});

const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  h.run(args, { NEUROON_DATA_DIR: dataDir, ...env });

describe("neuroon products", () => {
  it("lists one page as a table, with the position and the next page", async () => {
    const result = await run([
      "products",
      "list",
      "--size",
      "10",
      "--page",
      "1",
      "--sort",
      "externalId,asc",
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^EXTERNAL ID\s+NAME\s+PRICE\s+STOCK\s+UPDATED$/);
    expect(lines[1]).toMatch(/^sku-10\s+Product sku-10\s+11 EUR/);
    expect(lines).toHaveLength(12);
    expect(lines.at(-1)).toBe("Products 11–20 of 25 (page 1 of 0–2; next: --page 2).");
  });

  it("lists a page as JSON and --all as one streamed JSON document", async () => {
    const page = parseJson<{ content: unknown[]; totalElements: number; page: number }>(
      await run(["products", "list", "--json", "--size", "5"]),
    );
    expect(page).toMatchObject({ totalElements: 25, page: 0 });
    expect(page.content).toHaveLength(5);
    const all = await run(["products", "list", "--all", "--json", "--size", "7"]);
    expect(all.code).toBe(0);
    const listed = parseJson<{ ok: boolean; products: { externalId: string }[]; count: number }>(
      all,
    );
    expect(listed).toMatchObject({ ok: true, exitCode: 0, count: 25 });
    expect(new Set(listed.products.map((p) => p.externalId)).size).toBe(25);
    const table = await run(["products", "list", "--all"]);
    expect(table.stdout.trim().split("\n")).toHaveLength(26);
    expect(table.stderr).toContain("25 products.");
  });

  it("filters with --modified-after and rejects a bad date as usage (exit 2)", async () => {
    const future = await run([
      "products",
      "list",
      "--modified-after",
      "2999-01-01T00:00:00Z",
      "--json",
    ]);
    expect(parseJson<{ totalElements: number }>(future).totalElements).toBe(0);
    const bad = await run(["products", "list", "--modified-after", "yesterday"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected an ISO-8601 date");
    const conflict = await run(["products", "list", "--all", "--page", "2"]);
    expect(conflict.code).toBe(2);
  });

  it("gets one product, and exits 1 with a hint for an unknown id", async () => {
    const found = await run(["products", "get", "sku-03", "--json"]);
    expect(found.code).toBe(0);
    expect(parseJson(found)).toMatchObject({ externalId: "sku-03", price: 4, currency: "EUR" });
    const text = await run(["products", "get", "sku-03"]);
    expect(text.stdout).toMatch(/^externalId:\s+sku-03$/m);
    const missing = await run(["products", "get", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`Shop ${SHOP_ID} has no product with externalId "nope"`);
    expect(missing.stderr).toContain("fix:");
  });

  it("deletes products and forgets them locally, so the next sync sends them again", async () => {
    const deleted = await run(["products", "delete", "sku-01", "sku-02", "--json"]);
    expect(deleted.code).toBe(0);
    expect(
      parseJson<{ results: { status: string }[] }>(deleted).results.map((r) => r.status),
    ).toEqual(["deleted", "deleted"]);
    expect(h.emulator.snapshot(SHOP_ID)).toHaveLength(23);
    const resync = await run(["sync", join(h.dir, "catalog.jsonl"), "--json"]);
    expect(
      parseJson<{ summary: { sent: number; unchanged: number } }>(resync).summary,
    ).toMatchObject({
      sent: 2,
      unchanged: 23,
    });
    expect(h.emulator.snapshot(SHOP_ID)).toHaveLength(25);
  });
});
