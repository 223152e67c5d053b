import { spawn } from "node:child_process";
import type { ChangeInput, ClaimOptions } from "./types.js";

// Node strips TypeScript types natively (>= 22.18 / 23.6), but it resolves `./x.js` literally;
// this hook maps the house-style `.js` suffix back to the `.ts` source so a child process can load
// a backend straight from `src/` without a build.
/** Source a child `node --input-type=module -e` script starts with to load `src/` modules. */
export const TS_RESOLVE_HOOK_SOURCE = `
import { registerHooks } from "node:module";
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (specifier.startsWith(".") && specifier.endsWith(".js")) {
        return nextResolve(specifier.slice(0, -3) + ".ts", context);
      }
      throw error;
    }
  },
});
`;

const CHILD_SOURCE = `${TS_RESOLVE_HOOK_SOURCE}
const job = JSON.parse(process.env.NEUROON_KILL_JOB);
const mod = await import(job.moduleUrl);
const options = job.nowMs === undefined ? job.options : { ...job.options, now: () => job.nowMs };
const queue = await mod[job.factory](options);
if (job.change !== undefined) await queue.enqueue(job.change);
if (job.claim !== undefined) await queue.claim(job.claim);
process.stdout.write("done\\n");
setInterval(() => {}, 60_000);
`;

/** What {@link enqueueInChildThenKill} runs in the child. */
export interface KillChildJob {
  /** `file:` URL of the TypeScript module that exports `factory`. */
  moduleUrl: string;
  /** Name of an exported function that takes `options` and returns a queue (or a promise of one). */
  factory: string;
  /** JSON-serialisable options for `factory`. */
  options: Record<string, unknown>;
  /** Fixed clock for the child's queue (passed as the `now` option), to match the parent's test clock. */
  nowMs?: number;
  /** Enqueued by the child. */
  change?: ChangeInput;
  /** Claimed by the child after the enqueue (so it dies holding leases). */
  claim?: ClaimOptions;
}

/**
 * Test helper: opens a queue in a child `node` process, enqueues one change and/or claims, and
 * SIGKILLs the child the moment that resolved, without letting it close anything (so it dies
 * holding whatever it claimed). Resolves once the child died.
 */
export function enqueueInChildThenKill(job: KillChildJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--input-type=module", "--no-warnings", "-e", CHILD_SOURCE],
      {
        env: { ...process.env, NEUROON_KILL_JOB: JSON.stringify(job) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    let killed = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (!killed && stdout.includes("done")) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (killed && signal === "SIGKILL") resolve();
      else
        reject(
          new Error(
            `child exited before enqueue resolved (signal ${signal}): ${stderr.slice(0, 2_000)}`,
          ),
        );
    });
  });
}
