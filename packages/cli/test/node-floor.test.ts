import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "neuroon.js");
const dir = mkdtempSync(join(tmpdir(), "neuroon-node-floor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real launcher with `process.versions.node` reporting `version`. */
function runAs(version: string, args: string[]) {
  const preload = join(dir, `node-${version}.mjs`);
  writeFileSync(
    preload,
    `Object.defineProperty(process.versions, "node", { value: ${JSON.stringify(version)} });\n`,
  );
  return spawnSync(process.execPath, ["--import", preload, BIN, ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("the Node floor", () => {
  it("an older Node gets one line saying what to install, not a stack trace", () => {
    const result = runAs("22.12.0", ["--version"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toEqual([
      "neuroon needs Node 22.19 or newer; this is Node 22.12.0. Install a current Node LTS (https://nodejs.org) and run it again.",
    ]);
  });

  it("the floor itself runs", () => {
    const result = runAs("22.19.0", ["--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
