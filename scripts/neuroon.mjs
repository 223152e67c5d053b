#!/usr/bin/env node
// `pnpm neuroon …` from the repo root: brings the CLI and what it depends on up to date (a cached
// turbo build takes well under a second), then runs it. Build output goes to stderr so that a
// command's stdout stays clean for scripts (the emulator's first line is its URL).
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";

const root = new URL("..", import.meta.url).pathname;
const build = spawnSync(
  "pnpm",
  ["exec", "turbo", "run", "build", "--filter=@neuroon/cli...", "--output-logs=errors-only"],
  {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
  },
);
if (build.status !== 0) {
  process.stderr.write(build.stdout);
  process.stderr.write(
    "The CLI could not be built; fix the errors above and run the command again.\n",
  );
  process.exit(build.status ?? 1);
}
const { main } = await import(pathToFileURL(`${root}packages/cli/dist/index.js`).href);
await main(process.argv.slice(2));
