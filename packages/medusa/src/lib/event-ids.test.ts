import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { idsFromEvent } from "./event-ids";
import { nextAttemptDelayMs } from "./retry";
import { PLUGIN_VERSION } from "./version";

test.each([
  [{ id: "prod_1" }, ["prod_1"]],
  [{ ids: ["prod_1", "prod_2"] }, ["prod_1", "prod_2"]],
  [
    [{ id: "prod_1" }, { id: "prod_1" }, { id: "prod_3" }],
    ["prod_1", "prod_3"],
  ],
  [null, []],
])("idsFromEvent(%o) → %o", (data, expected) => {
  expect(idsFromEvent(data)).toEqual(expected);
});

test("retry delay doubles from 30 s and caps at 1 h", () => {
  expect([1, 2, 3, 4, 20].map(nextAttemptDelayMs)).toEqual([
    30_000, 60_000, 120_000, 240_000, 3_600_000,
  ]);
});

test("the User-Agent version follows package.json", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as {
    version: string;
  };
  expect(PLUGIN_VERSION).toBe(pkg.version);
});
