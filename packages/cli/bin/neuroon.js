#!/usr/bin/env -S node --max-semi-space-size=16
// A committed launcher rather than a built file, so that package managers can link the `neuroon`
// bin before the first build (pnpm links workspace bins at install time).
//
// The flag caps V8's young generation: a full pass allocates fast and short-lived (a batch of
// product objects and its JSON), and on a large host V8 lets the nursery grow to 128 MiB, which
// is resident memory the pass never needs (1,000,000 products: ~250 MiB peak RSS without it,
// ~170 MiB with it, same speed; docs/benchmarks.md). Package managers' bin shims and `env -S`
// pass it on.

// Checked before anything is imported: on an older Node, undici 8 or node:sqlite would fail with a
// stack trace; this says what to do in one line. Keep in step with `engines` and ./dev.
const MIN_NODE = [22, 19];
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
  process.stderr.write(
    `neuroon needs Node ${MIN_NODE.join(".")} or newer; this is Node ${process.versions.node}. Install a current Node LTS (https://nodejs.org) and run it again.\n`,
  );
  process.exit(1);
}

const { main } = await import("../dist/index.js");
await main(process.argv.slice(2));
