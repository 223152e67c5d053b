#!/usr/bin/env node
// A committed launcher rather than a built file, so that package managers can link the `neuroon`
// bin before the first build (pnpm links workspace bins at install time).
import { main } from "../dist/index.js";

await main(process.argv.slice(2));
