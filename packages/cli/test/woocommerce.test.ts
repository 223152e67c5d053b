import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  allOutput,
  BIN,
  type Harness,
  parseJson,
  SHOP_ID,
  startHarness,
  TEST_TIMEOUT_MS,
} from "./helpers.js";

const CONSUMER_KEY = "ck_cli_0123456789abcdef";
const CONSUMER_SECRET = "cs_cli_fedcba9876543210fedcba";
const WEBHOOK_SECRET = "whsec_cli_0123456789abcdef0123456789";

/** The slice of `@neuroon/fake-woocommerce` these tests use. */
interface FakeStoreModule {
  generateCatalog(options: { products: number; seed: number; at: Date; orders: number }): unknown;
  startFakeWooCommerce(options: {
    consumerKey: string;
    consumerSecret: string;
    catalog: unknown;
  }): Promise<{
    url: string;
    store: {
      products: Map<
        number,
        { id: number; type: string; status: string; catalog_visibility: string }
      >;
      deleteProduct(id: number): void;
    };
    webhooks: { webhooks: Map<number, { status: string; topic: string }> };
    close(): Promise<void>;
  }>;
}

/** The fake store, a dev dependency of the CLI (the demo loads it lazily too). */
async function loadFakeStore(): Promise<FakeStoreModule> {
  const fromCli = createRequire(import.meta.url);
  return (await import(
    pathToFileURL(fromCli.resolve("@neuroon/fake-woocommerce")).href
  )) as FakeStoreModule;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

describe("neuroon woocommerce: help and configuration errors", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([[], ["setup"], ["sync"], ["reconcile"], ["serve"]])(
    "woocommerce %s --help exits 0 and lists the settings",
    async (...sub) => {
      const run = await h.run(["woocommerce", ...sub.flat(), "--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("WOOCOMMERCE_URL");
      expect(run.stdout).toContain("WOOCOMMERCE_CONSUMER_SECRET");
    },
  );

  it("a missing store configuration is a usage error (exit 2) naming each variable, never the secret", async () => {
    const run = await h.run(["woocommerce", "sync"], {
      WOOCOMMERCE_CONSUMER_SECRET: CONSUMER_SECRET,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("WOOCOMMERCE_URL: is not set");
    expect(run.stderr).toContain("WOOCOMMERCE_CONSUMER_KEY: is not set");
    expect(run.stderr).not.toContain("WOOCOMMERCE_CONSUMER_SECRET: is not set");
    expect(run.stderr + run.stdout).not.toContain(CONSUMER_SECRET);
  });

  it("serve and setup also need the webhook secret and the public URL", async () => {
    const run = await h.run(["woocommerce", "setup", "--json"], {
      WOOCOMMERCE_URL: "https://shop.example",
      WOOCOMMERCE_CONSUMER_KEY: CONSUMER_KEY,
      WOOCOMMERCE_CONSUMER_SECRET: CONSUMER_SECRET,
    });
    expect(run.code).toBe(2);
    expect(parseJson(run)).toMatchObject({ ok: false, exitCode: 2 });
    expect(run.stderr).toContain("WOOCOMMERCE_WEBHOOK_SECRET");
    expect(run.stderr).toContain("BRIDGE_PUBLIC_URL");
  });

  it("an unknown option is a usage error", async () => {
    const run = await h.run(["woocommerce", "sync", "--no-such-option"]);
    expect(run.code).toBe(2);
  });
});

describe("neuroon woocommerce against a fake store and the emulator", () => {
  let h: Harness;
  let fake: Awaited<ReturnType<FakeStoreModule["startFakeWooCommerce"]>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness();
    const { generateCatalog, startFakeWooCommerce } = await loadFakeStore();
    fake = await startFakeWooCommerce({
      consumerKey: CONSUMER_KEY,
      consumerSecret: CONSUMER_SECRET,
      catalog: generateCatalog({ products: 40, seed: 5, at: new Date(), orders: 0 }),
    });
    const port = await freePort();
    env = {
      WOOCOMMERCE_URL: fake.url,
      WOOCOMMERCE_CONSUMER_KEY: CONSUMER_KEY,
      WOOCOMMERCE_CONSUMER_SECRET: CONSUMER_SECRET,
      WOOCOMMERCE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      BRIDGE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      BRIDGE_PORT: String(port),
      BRIDGE_HOST: "127.0.0.1",
    };
  });
  afterAll(async () => {
    await fake?.close();
    await h?.close();
  });

  it("setup creates the webhooks and prints what it did", async () => {
    const run = await h.run(["woocommerce", "setup", "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const result = parseJson<{
      webhooks: { topic: string; action: string }[];
      neuroon: { shopId: string };
    }>(run);
    expect(result.neuroon.shopId).toBe(SHOP_ID);
    expect(result.webhooks.map((w) => w.action)).toEqual(Array(6).fill("created"));
    expect(fake.webhooks.webhooks.size).toBe(6);
    const human = await h.run(["woocommerce", "setup"], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("credentials OK");
    expect(human.stdout).toMatch(/product\.updated\s+#\d+ unchanged/);
    expect(human.stdout).toContain("Nothing changed: every webhook was already in place.");
    // Each warning once (it used to be printed with the result and again on stderr).
    const output = `${human.stdout}\n${human.stderr}`;
    expect(output.split("\n").filter((line) => line.includes("plain http"))).toHaveLength(1);
  });

  it("sync sends the catalog and reports a summary", async () => {
    const run = await h.run(["woocommerce", "sync", "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const { summary } = parseJson<{ summary: { sent: number } }>(run);
    expect(summary.sent).toBeGreaterThan(10);
    expect(h.emulator.snapshot(SHOP_ID)).toHaveLength(summary.sent);
  });

  it("reconcile deletes a force-deleted product", async () => {
    const synced = h.emulator.snapshot(SHOP_ID).find((p) => !p.externalId.includes(":"));
    if (!synced) throw new Error("nothing synced");
    fake.store.deleteProduct(Number(synced.externalId));
    const run = await h.run(["woocommerce", "reconcile", "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(parseJson<{ deleted: string[] }>(run).deleted).toContain(synced.externalId);
  });

  it("a refused store key is a configuration error (exit 2)", async () => {
    const run = await h.run(["woocommerce", "sync"], {
      ...env,
      WOOCOMMERCE_CONSUMER_SECRET: "cs_wrong_0000000000000000000000",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("WOOCOMMERCE_CONSUMER_SECRET");
    expect(run.stderr).not.toContain("cs_wrong_0000000000000000000000");
  });

  it("serve prints its URL, answers the ping and stops gracefully on SIGTERM", async () => {
    const child = spawn(process.execPath, [BIN, "woocommerce", "serve"], {
      cwd: h.dir,
      env: { PATH: process.env.PATH ?? "", ...h.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    await vi
      .waitFor(
        () => {
          if (!stdout.includes("\n")) throw new Error("the bridge has not printed its URL yet");
        },
        { timeout: TEST_TIMEOUT_MS, interval: 25 },
      )
      .catch(() => {});
    const url = stdout.split("\n")[0] ?? "";
    expect(url, stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ping = await fetch(`${url}/woocommerce/webhooks`, {
      method: "POST",
      body: "webhook_id=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(ping.status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toContain("bridge stopped");
    allOutput.push(stdout, stderr);
    expect(stdout + stderr).not.toContain(CONSUMER_SECRET);
    expect(stdout + stderr).not.toContain(WEBHOOK_SECRET);
  });
});
