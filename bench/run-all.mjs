#!/usr/bin/env node
// Runs every benchmark under bench/ (each `*.bench.mjs`, one after the other so they do not share
// the two cores) against the built packages. Each benchmark prints its own markdown table; copy
// the tables into docs/benchmarks.md with the machine and date they print.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const only = process.argv.slice(2);

function* benchFiles(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* benchFiles(path);
    else if (name.endsWith(".bench.mjs")) yield path;
  }
}

const build = spawnSync("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"], {
  cwd: root,
  stdio: "inherit",
});
if (build.status !== 0) process.exit(build.status ?? 1);

let failed = 0;
for (const file of benchFiles(join(root, "bench"))) {
  const name = relative(root, file);
  if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
  console.log(`\n### ${name}\n`);
  const run = spawnSync(process.execPath, ["--expose-gc", file], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) {
    failed += 1;
    console.error(`${name} exited with ${run.status}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
