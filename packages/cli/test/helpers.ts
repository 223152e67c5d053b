import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from "@neuroon/emulator";
import { vi } from "vitest";

/** How long a test waits for a condition or a child process: vitest.shared.ts's one setting. */
export const TEST_TIMEOUT_MS = Number(process.env.NEUROON_TEST_TIMEOUT_MS ?? 60_000);
/** For a test that runs a dozen `neuroon` processes one after another (still the one setting). */
export const MANY_SPAWNS_TIMEOUT_MS = 4 * TEST_TIMEOUT_MS;

/** The launcher a user runs; tests spawn it so they cover argument parsing, output and exit codes. */
export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../bin/neuroon.js");

export const SHOP_ID = "shop_cli00001";
export const API_KEY = "sk_5e1f0a2b3c4d5e6f7a8b9c0d1e2f3a4b";
export const SHOP_URL = "https://cli-shop.example";
/** A well-formed key Neuroon does not know. */
export const WRONG_KEY = "sk_ffffffffffffffffffffffffffffffff";

/** What one `neuroon` process did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Every run's output, so a test can scan all of it for the key. */
export const allOutput: string[] = [];

/**
 * Runs `node bin/neuroon.js …` asynchronously (the emulator serves from this process) with only
 * the given environment: the developer's own NEUROON_* variables never leak in.
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
  };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value !== undefined) env[name] = value;
  }
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env,
        cwd: options.cwd ?? process.cwd(),
        timeout: options.timeoutMs ?? TEST_TIMEOUT_MS,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        allOutput.push(stdout, stderr);
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** A started emulator serving the test shop, a scratch directory, and the environment to reach it. */
export interface Harness {
  emulator: EmulatorHandle;
  dir: string;
  env: Record<string, string>;
  /** Runs the CLI in the scratch directory with the harness's environment plus `env`. */
  run(args: readonly string[], env?: Record<string, string | undefined>): Promise<CliRun>;
  /** Writes a file in the scratch directory and returns its path. */
  write(name: string, content: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<EmulatorOptions> = {}): Promise<Harness> {
  const emulator = await startEmulator({
    shops: [{ shopId: SHOP_ID, apiKey: API_KEY, url: SHOP_URL, name: "CLI Test Shop" }],
    rateLimits: false,
    ...options,
  });
  const dir = await mkdtemp(join(tmpdir(), "neuroon-cli-"));
  const env = {
    NEUROON_API_URL: emulator.url,
    NEUROON_SHOP_ID: SHOP_ID,
    NEUROON_API_KEY: API_KEY,
    NEUROON_MAX_RETRIES: "0",
  };
  return {
    emulator,
    dir,
    env,
    run: (args, extra = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } }),
    write: async (name, content) => {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    close: async () => {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A valid feed product. */
export function product(
  id: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    externalId: id,
    name: `Product ${id}`,
    price: 10,
    currency: "EUR",
    url: `${SHOP_URL}/p/${id}`,
    ...overrides,
  };
}

/** JSON Lines text of products (objects) and raw lines (strings). */
export function jsonl(entries: readonly (Record<string, unknown> | string)[]): string {
  return `${entries.map((entry) => (typeof entry === "string" ? entry : JSON.stringify(entry))).join("\n")}\n`;
}

/** Parses stdout as JSON, failing with the output when it is not. */
export function parseJson<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`,
    );
  }
}

/**
 * Waits until the shop's queue file has no change waiting for a retry delay: the backoff after a
 * failure is over, so the next run delivers them (instead of sleeping for the backoff's length).
 */
export async function waitForQueueReady(dataDir: string): Promise<void> {
  const { openSqliteQueue } = await import("@neuroon/core");
  const queue = openSqliteQueue({ path: join(dataDir, `${SHOP_ID}.db`) });
  try {
    await vi.waitFor(
      async () => {
        const stats = await queue.stats();
        if (stats.delayed > 0) throw new Error(`${stats.delayed} changes still wait for a retry`);
      },
      { timeout: TEST_TIMEOUT_MS, interval: 100 },
    );
  } finally {
    await queue.close();
  }
}
