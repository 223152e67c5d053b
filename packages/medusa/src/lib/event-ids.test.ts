import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { idsFromEvent } from "./event-ids";
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

test("the User-Agent version follows package.json", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as {
    version: string;
  };
  expect(PLUGIN_VERSION).toBe(pkg.version);
});
