import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.js";
import type { ChangeInput } from "../../src/queue/types.js";
import type { NeuroonProduct } from "../../src/types.js";
import { API_KEY, type Emulator, SHOP_ID, startTestEmulator } from "./emulator-harness.js";
import { makeFamily } from "./fake-store.js";
import { writeCatalog } from "./file-store.js";

// A sync process killed with SIGKILL at a random point, then restarted: after every restart the
// emulator's catalog must equal the store's and the queue must be empty, with the shipped lease
// (5 minutes): the restarted process reclaims the leases its killed predecessor held instead of
// waiting them out (issue 17 item 6). 10 kills by default (each restarted); NEUROON_TEST_KILL_ITERATIONS changes
// the number.
const ITERATIONS = Number(process.env.NEUROON_TEST_KILL_ITERATIONS ?? 10);
const TEST_TIMEOUT_MS = Number(process.env.NEUROON_TEST_TIMEOUT_MS ?? 60_000);

// Node strips types natively but resolves "./x.js" literally; map it to the .ts source.
const CHILD_BOOT = `
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
await import(${JSON.stringify(new URL("./sync-child.ts", import.meta.url).href)});
`;

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  dir = mkdtempSync(join(tmpdir(), "neuroon-sync-kill-"));
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the child. With `kill`, SIGKILLs it `kill.delayMs` after it reported `kill.afterEvents`
 * progress lines (a sent batch or a delete), unless it finished first.
 */
function runChild(
  kill: { afterEvents: number; delayMs: number } | null,
): Promise<{ finished: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--experimental-transform-types", "--input-type=module", "--no-warnings", "-e", CHILD_BOOT],
      {
        env: {
          ...process.env,
          NEUROON_SYNC_CHILD: JSON.stringify({
            dir,
            baseUrl: emulator.url,
            shopId: SHOP_ID,
            apiKey: API_KEY,
            batchSize: 25,
          }),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const events = output
        .split("\n")
        .filter((line) => line === "batch-sent" || line === "deleted").length;
      if (
        kill !== null &&
        timer === undefined &&
        output.includes("ready") &&
        events >= kill.afterEvents
      ) {
        timer = setTimeout(() => child.kill("SIGKILL"), kill.delayMs);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") resolve({ finished: false, output });
      else if (code === 0) resolve({ finished: true, output });
      else reject(new Error(`sync child exited with ${code}: ${stderr.slice(0, 3_000)}`));
    });
  });
}

/** A deterministic pseudo-random sequence, so a failing seed can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

test(`SIGKILL at random points ${ITERATIONS}× → restart → the emulator's catalog equals the store's`, {
  // Each iteration starts up to two child processes (a killed run and its restart), each loading
  // the TypeScript sources: the suite's one timeout per iteration (NEUROON_TEST_TIMEOUT_SCALE).
  timeout: TEST_TIMEOUT_MS * (1 + ITERATIONS),
}, async () => {
  const seed = Number(process.env.NEUROON_TEST_KILL_SEED ?? Date.now() % 100_000);
  const rand = random(seed);
  const catalogPath = join(dir, "catalog.json");
  const families = new Map<string, NeuroonProduct[]>();
  let nextId = 0;
  const addFamily = (revision = 0) => {
    const key = `k${nextId++}`;
    families.set(key, makeFamily(key, Math.floor(rand() * 4), revision));
    return key;
  };
  for (let i = 0; i < 120; i += 1) addFamily();
  writeCatalog(catalogPath, [...families.values()]);

  const queue = openSqliteQueue({ path: join(dir, "queue.db") });
  /** The emulator holds exactly the store's catalog, and nothing is left queued or leased. */
  const expectIndexEqualsStore = async (when: string) => {
    expect({ seed, when, stats: await queue.stats() }).toEqual({
      seed,
      when,
      stats: { pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 },
    });
    const remote = new Map(emulator.snapshot(SHOP_ID).map((p) => [p.externalId, p]));
    const local = [...families.values()].flat();
    expect({ seed, when, ids: [...remote.keys()].sort() }).toEqual({
      seed,
      when,
      ids: local.map((p) => p.externalId).sort(),
    });
    for (const product of local) {
      expect(remote.get(product.externalId)).toMatchObject({
        name: product.name,
        price: product.price,
      });
    }
  };
  let kills = 0;
  let midSyncKills = 0;
  try {
    for (let iteration = 0; iteration < ITERATIONS; iteration += 1) {
      // The store changes: edits (some dropping or adding variants), deletions, new products.
      const changes: ChangeInput[] = [];
      const keys = [...families.keys()];
      for (let i = 0; i < 25; i += 1) {
        const key = keys[Math.floor(rand() * keys.length)] as string;
        if (!families.has(key)) continue;
        families.set(key, makeFamily(key, Math.floor(rand() * 4), iteration + 1));
        changes.push({ kind: "product", key });
      }
      for (let i = 0; i < 5; i += 1) {
        const key = keys[Math.floor(rand() * keys.length)] as string;
        if (families.delete(key)) changes.push({ kind: "delete", key });
      }
      for (let i = 0; i < 5; i += 1)
        changes.push({ kind: "product", key: addFamily(iteration + 1) });
      writeCatalog(catalogPath, [...families.values()]);
      await queue.enqueue(changes);

      const run = await runChild({
        afterEvents: Math.floor(rand() * 8),
        delayMs: Math.floor(rand() * 15),
      });
      if (!run.finished) {
        kills += 1;
        if (/batch-sent|deleted/.test(run.output)) midSyncKills += 1;
        // Restarted at once, as a supervisor would: no waiting for the killed process's leases.
        const restart = await runChild(null);
        expect(restart.output).toContain("done");
      }
      await expectIndexEqualsStore(
        `after run ${iteration}${run.finished ? "" : " (killed, restarted)"}`,
      );
    }
  } finally {
    await queue.close();
  }
  expect(kills).toBeGreaterThan(0);
  expect(midSyncKills).toBeGreaterThan(0);
  if (process.env.NEUROON_TEST_KILL_DEBUG)
    console.log({ seed, kills, midSyncKills, iterations: ITERATIONS });
});
