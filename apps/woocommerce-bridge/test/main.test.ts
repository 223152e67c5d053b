import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

// The deployable entry point as an operator runs it: `node dist/main.js` with the environment.
const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

interface Run {
  stdout: string;
  stderr: string;
  code: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves once stdout has a line containing `text`. */
  lineWith(text: string): Promise<void>;
}

function runMain(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const run: Run = {
    stdout: "",
    stderr: "",
    code: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
    kill: (signal) => child.kill(signal),
    lineWith: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (run.stdout.includes(text)) {
            child.stdout.off("data", check);
            resolve();
          }
        };
        child.stdout.on("data", check);
        child.once("exit", () =>
          reject(new Error(`main exited before printing ${text}: ${run.stdout}${run.stderr}`)),
        );
        check();
      }),
  };
  child.stdout.on("data", (chunk: Buffer) => {
    run.stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    run.stderr += chunk.toString();
  });
  return run;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("node dist/main.js", () => {
  it("exits 2 with every configuration problem on stderr when the environment is incomplete", async () => {
    const run = runMain({ WOOCOMMERCE_URL: "https://shop.example" });
    expect(await run.code).toBe(2);
    expect(run.stderr).toContain("WOOCOMMERCE_CONSUMER_KEY: is not set.");
    expect(run.stderr).toContain("BRIDGE_DATA_DIR: is not set.");
    expect(run.stderr).not.toContain("WOOCOMMERCE_URL:");
  });

  it("serves /healthz and stops cleanly (exit 0) on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "woo-bridge-main-"));
    dirs.push(dataDir);
    const run = runMain({
      WOOCOMMERCE_URL: "https://shop.example",
      WOOCOMMERCE_CONSUMER_KEY: "ck_0123456789",
      WOOCOMMERCE_CONSUMER_SECRET: "cs_0123456789",
      WOOCOMMERCE_WEBHOOK_SECRET: "0123456789abcdef0123456789abcdef",
      NEUROON_SHOP_ID: "shop_ab12cd34",
      NEUROON_API_KEY: `sk_${"0a".repeat(16)}`,
      BRIDGE_PUBLIC_URL: "https://bridge.example",
      BRIDGE_DATA_DIR: dataDir,
      BRIDGE_HOST: "127.0.0.1",
      BRIDGE_PORT: "0",
      // Nothing scheduled talks to the (unreachable) store during the test.
      BRIDGE_POLL_INTERVAL_SEC: "0",
      BRIDGE_WEBHOOK_CHECK_INTERVAL_SEC: "0",
      BRIDGE_TAX_CHECK_INTERVAL_SEC: "0",
      BRIDGE_RECONCILE_HOUR_UTC: "off",
    });
    await run.lineWith('"msg":"bridge listening"');
    const listening = run.stdout
      .split("\n")
      .map((line) =>
        line.startsWith("{") ? (JSON.parse(line) as { msg: string; url?: string }) : undefined,
      )
      .find((line) => line?.msg === "bridge listening");
    const health = await fetch(`${listening?.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, listening: true });
    run.kill("SIGTERM");
    expect(await run.code).toBe(0);
    expect(run.stdout).toContain('"msg":"bridge stopped"');
  });
});
