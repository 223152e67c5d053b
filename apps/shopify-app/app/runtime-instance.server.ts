import { createRuntime, type Runtime } from "./runtime.server.js";
import { configFromEnv } from "./runtime-config.server.js";

let shared: Runtime | undefined;

/** The process-wide runtime, built from the environment on first use. */
export function getRuntime(): Runtime {
  shared ??= createRuntime(configFromEnv());
  return shared;
}

/** Replaces the process-wide runtime (tests). */
export function setRuntime(runtime: Runtime | undefined): void {
  shared = runtime;
}
