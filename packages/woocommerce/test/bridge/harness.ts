import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SyncEvent } from "@neuroon/core";
import { type EmulatorHandle, startEmulator } from "@neuroon/emulator";
import {
  type FakeWooCommerce,
  type GenerateCatalogOptions,
  generateCatalog,
  startFakeWooCommerce,
} from "@neuroon/fake-woocommerce";
import { createWooBridge, type WooBridge, type WooBridgeOptions } from "../../src/bridge/bridge.js";
import type { WooBridgeConfig } from "../../src/bridge/config.js";
import type { WebhookOutcome } from "../../src/bridge/webhook-receiver.js";
import { createWooCatalogSource, createWooStoreReader } from "../../src/index.js";

// One polling wait for every suite: core's, bounded by NEUROON_TEST_TIMEOUT_MS.
export { waitFor } from "@neuroon/core/testing";

export const CONSUMER_KEY = "ck_test_0123456789abcdef";
export const CONSUMER_SECRET = "cs_test_fedcba9876543210";
export const WEBHOOK_SECRET = "whsec-test-0123456789abcdef0123456789";
export const SHOP_ID = "shop_woo00001";
export const API_KEY = "sk_0123456789abcdef0123456789abcdef";
/** The fake's catalog is generated around now: OAuth timestamps use the real clock. */
export const AT = new Date(Math.floor(Date.now() / 1000) * 1000);

/** A free TCP port on loopback (the bridge's public URL must be known before it listens). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "woo-bridge-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Harness {
  emu: EmulatorHandle;
  fake: FakeWooCommerce;
  dataDir: string;
  config: WooBridgeConfig;
  events: SyncEvent[];
  webhooks: { outcome: WebhookOutcome; statusCode: number; durationMs: number }[];
  /** Creates a bridge over the same data dir (a restart). */
  makeBridge(overrides?: Partial<WooBridgeConfig>, options?: WooBridgeOptions): WooBridge;
  /** The externalIds the store's catalog maps to, read independently of the bridge. */
  indexableIds(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startHarness(
  catalog: GenerateCatalogOptions = { products: 60, seed: 11 },
): Promise<Harness> {
  const emu = await startEmulator({
    shops: [{ shopId: SHOP_ID, apiKey: API_KEY, url: "https://woo.example" }],
    rateLimits: false,
  });
  const fake = await startFakeWooCommerce({
    consumerKey: CONSUMER_KEY,
    consumerSecret: CONSUMER_SECRET,
    catalog: generateCatalog({ at: AT, ...catalog }),
  });
  const dir = tempDir();
  const port = await freePort();
  const config: WooBridgeConfig = {
    woocommerce: {
      url: fake.url,
      consumerKey: CONSUMER_KEY,
      consumerSecret: CONSUMER_SECRET,
      webhookSecrets: [WEBHOOK_SECRET],
    },
    neuroon: { apiUrl: emu.url, shopId: SHOP_ID, apiKey: API_KEY },
    publicUrl: `http://127.0.0.1:${port}`,
    dataDir: dir.path,
    port,
    host: "127.0.0.1",
    // Tests drive polling, the health check and reconcile themselves.
    schedule: { pollIntervalMs: 0, webhookCheckIntervalMs: 0, reconcileHourUtc: false },
    engine: { retry: { baseDelayMs: 50, maxDelayMs: 400, maxAttempts: 30 } },
    workerIdleMs: 20,
    // Most tests want each change delivered at once; the coalescing test sets its own window.
    coalesce: { quietMs: 0 },
  };
  const events: SyncEvent[] = [];
  const webhooks: Harness["webhooks"] = [];
  const bridges: WooBridge[] = [];
  const readerForTests = createWooStoreReader({
    url: fake.url,
    consumerKey: CONSUMER_KEY,
    consumerSecret: CONSUMER_SECRET,
    sleep: async () => {},
  });
  return {
    emu,
    fake,
    dataDir: dir.path,
    config,
    events,
    webhooks,
    makeBridge(overrides = {}, options = {}) {
      const bridge = createWooBridge(
        { ...config, ...overrides },
        {
          onEvent: (event) => events.push(event),
          onWebhook: (outcome, statusCode, durationMs) =>
            webhooks.push({ outcome, statusCode, durationMs }),
          reader: { sleep: async () => {} },
          client: { sleep: async () => {}, rateLimits: false },
          shutdownGraceMs: 2_000,
          ...options,
        },
      );
      bridges.push(bridge);
      return bridge;
    },
    async indexableIds() {
      const source = createWooCatalogSource(readerForTests);
      const ids: string[] = [];
      for await (const page of source.streamCatalog()) {
        for (const product of page) ids.push(product.externalId);
      }
      return ids.sort();
    },
    async close() {
      for (const bridge of bridges) await bridge.stop().catch(() => {});
      await fake.close();
      await emu.close();
      dir.remove();
    },
  };
}

/** The emulator's externalIds, sorted. */
export function emulatorIds(emu: EmulatorHandle): string[] {
  return emu
    .snapshot(SHOP_ID)
    .map((product) => product.externalId)
    .sort();
}

/** Posts a raw webhook request to the bridge. */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: "POST", body, headers });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}
