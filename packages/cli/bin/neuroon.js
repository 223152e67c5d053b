#!/usr/bin/env -S node --max-semi-space-size=16
// A committed launcher rather than a built file, so that package managers can link the `neuroon`
// bin before the first build (pnpm links workspace bins at install time).
//
// The flag caps V8's young generation: a full pass allocates fast and short-lived (a batch of
// product objects and its JSON), and on a large host V8 lets the nursery grow to 128 MiB, which
// is resident memory the pass never needs (1,000,000 products: ~250 MiB peak RSS without it,
// ~170 MiB with it, same speed; docs/benchmarks.md). Package managers' bin shims and `env -S`
// pass it on.
import { main } from "../dist/index.js";

await main(process.argv.slice(2));
