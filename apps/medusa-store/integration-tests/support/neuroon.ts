import type { MedusaContainer } from "@medusajs/framework/types";
import type { NeuroonProduct, TrackConversionRequest } from "@neuroon/core";
import {
  type EmulatorHandle,
  type ProductView,
  type RecordedRequest,
  startEmulator,
} from "@neuroon/emulator";
import { resolveNeuroon } from "@neuroon/medusa/lib/resolve";
import type { NeuroonRuntime } from "@neuroon/medusa/lib/runtime";
import { expect, vi } from "vitest";

export const SHOP_ID = "shop_medusa01";
export const API_KEY = "sk_0123456789abcdef0123456789abcdef";
export const STOREFRONT_URL = "https://shop.example.com";

/** The Neuroon emulator serving one shop, with the views the specs assert on. */
export interface TestNeuroon {
  emulator: EmulatorHandle;
  url: string;
  /** The shop's catalog in Neuroon, by externalId. */
  products(): Map<string, ProductView>;
  /** Conversion bodies Neuroon accepted, in arrival order. */
  conversions(): TrackConversionRequest[];
  requests(): readonly RecordedRequest[];
  /** While set, every Plugin API call answers 503, like an outage. */
  setDown(down: boolean): void;
  /** Puts a product into Neuroon behind the plugin's back (as if synced before a delete was missed). */
  seed(product: NeuroonProduct): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts the emulator and points the plugin at it: medusa-config.ts reads these variables when the
 * runner boots Medusa in this process. `pluginEnv` adds the spec's own plugin options.
 */
export async function startTestNeuroon(pluginEnv: Record<string, string>): Promise<TestNeuroon> {
  const emulator = await startEmulator({
    port: 0,
    shops: [{ shopId: SHOP_ID, apiKey: API_KEY, url: STOREFRONT_URL }],
    rateLimits: false,
  });
  Object.assign(process.env, {
    NEUROON_SHOP_ID: SHOP_ID,
    NEUROON_API_KEY: API_KEY,
    NEUROON_API_URL: emulator.url,
    NEUROON_MAX_RETRIES: "0",
    STOREFRONT_URL,
    ...pluginEnv,
  });
  let outage: string | undefined;
  return {
    emulator,
    url: emulator.url,
    products: () => new Map(emulator.snapshot(SHOP_ID).map((p) => [p.externalId, p])),
    conversions: () =>
      emulator.conversions(SHOP_ID).map((c) => c.body as unknown as TrackConversionRequest),
    requests: () => emulator.requests,
    setDown(down) {
      if (down && !outage)
        outage = emulator.faults.add({
          action: { type: "error", status: 503 },
          durationMs: 3_600_000,
        });
      if (!down && outage) {
        emulator.faults.remove(outage);
        outage = undefined;
      }
    },
    async seed(product) {
      const response = await fetch(`${emulator.url}/api/plugin/shops/${SHOP_ID}/products/sync`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shop-API-Key": API_KEY },
        body: JSON.stringify({ syncType: "INCREMENTAL", products: [product] }),
      });
      if (!response.ok)
        throw new Error(`seeding the emulator failed: ${response.status} ${await response.text()}`);
    },
    reset() {
      outage = undefined;
      emulator.reset();
    },
    close: () => emulator.close(),
  };
}

/** Polls until `check` passes: subscribers run after the workflow returns. */
export function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 100 });
}

/** The plugin's sync runtime (core's engine, queue and state) in the test's Medusa. */
export function runtimeOf(container: MedusaContainer): NeuroonRuntime {
  return resolveNeuroon(container).runtime;
}

/** Sync requests Neuroon received so far. */
export function syncRequests(neuroon: TestNeuroon): number {
  return neuroon.requests().filter((r) => r.method === "POST" && r.path.endsWith("/products/sync"))
    .length;
}

/**
 * Waits until the queue holds nothing pending, retrying or in flight, so a test's changes do not
 * reach the next test's fresh emulator.
 */
export async function queueSettled(container: MedusaContainer, timeoutMs = 30_000): Promise<void> {
  const { queue } = await runtimeOf(container).storage();
  await eventually(async () => {
    expect(await queue.stats()).toMatchObject({ pending: 0, delayed: 0, inFlight: 0 });
  }, timeoutMs);
}
