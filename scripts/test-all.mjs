#!/usr/bin/env node
// Runs every check turbo knows (lint, types, package shape, tests) and ends with one line that
// sums up the tests of every package: "tests: N passed, N failed, N skipped".
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
// lint:root is the root's own files (biome.json, pnpm-workspace.yaml, bench/, scripts/), which no
// workspace's `biome check .` reaches.
const tasks = ["lint", "lint:root", "typecheck", "check:package", "test"];
const extra = process.argv.slice(2);

const run = spawnSync(
  "pnpm",
  ["exec", "turbo", "run", ...tasks, "--continue", "--output-logs=new-only", ...extra],
  { cwd: root, stdio: "inherit" },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const group of ["packages", "apps"]) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const pkgDir = join(dir, name);
    const pkgJson = join(pkgDir, "package.json");
    if (!existsSync(pkgJson)) continue;
    const { scripts = {} } = JSON.parse(readFileSync(pkgJson, "utf8"));
    if (!scripts.test) continue;
    const report = join(pkgDir, "reports", "vitest.json");
    if (!existsSync(report)) {
      missing.push(`${group}/${name}`);
      continue;
    }
    const r = JSON.parse(readFileSync(report, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
}
if (missing.length > 0) console.error(`No test report from: ${missing.join(", ")}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
const ok = run.status === 0 && failed === 0 && missing.length === 0 && passed > 0;
process.exit(ok ? 0 : 1);
