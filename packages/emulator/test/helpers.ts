import { request } from "undici";
import { afterEach } from "vitest";
import {
  type EmulatorHandle,
  type EmulatorOptions,
  type ShopSpec,
  startEmulator,
} from "../src/index.js";

export const SHOP_A: ShopSpec = {
  shopId: "shop_aaaa0001",
  apiKey: "sk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  url: "https://www.shop-a.example/",
  name: "Shop A",
};
export const SHOP_B: ShopSpec = {
  shopId: "shop_bbbb0002",
  apiKey: "sk_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
  url: "https://shop-b.example",
  name: "Shop B",
};

const running: EmulatorHandle[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
});

/** Starts an emulator on a free loopback port with shops A and B; closed after each test. */
export async function start(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const emu = await startEmulator({ shops: [SHOP_A, SHOP_B], ...options });
  running.push(emu);
  return emu;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields
  body: any;
  text: string;
}

export interface CallOptions {
  /** JSON-serialised unless it is a string or Buffer. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Shop API Key; default shop A's. `null` sends none. */
  key?: string | null;
  contentType?: string | null;
}

/** Calls the emulator over HTTP and parses the JSON answer (if any). */
export async function call(
  emu: EmulatorHandle,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? SHOP_A.apiKey : options.key;
  if (key !== null) headers["x-shop-api-key"] = key;
  let payload: string | Buffer | undefined;
  if (options.body !== undefined) {
    payload =
      typeof options.body === "string" || Buffer.isBuffer(options.body)
        ? options.body
        : JSON.stringify(options.body);
    const contentType =
      options.contentType === undefined ? "application/json" : options.contentType;
    if (contentType !== null) headers["content-type"] = contentType;
  }
  const res = await request(`${emu.url}${path}`, {
    method: method as "GET",
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await res.body.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.statusCode, headers: res.headers, body, text };
}

/** `/api/plugin/shops/<shop A>` + suffix. */
export function shopPath(suffix: string, shopId = SHOP_A.shopId): string {
  return `/api/plugin/shops/${shopId}${suffix}`;
}

/** A minimal valid product. */
export function product(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalId: id,
    name: `Product ${id}`,
    price: 10,
    url: `https://shop-a.example/p/${id}`,
    ...extra,
  };
}

/** Syncs products to shop A (INCREMENTAL unless told) and returns the response. */
export function sync(
  emu: EmulatorHandle,
  products: unknown[],
  syncType: "FULL" | "INCREMENTAL" = "INCREMENTAL",
  options: CallOptions = {},
): Promise<CallResult> {
  return call(emu, "POST", shopPath("/products/sync"), {
    ...options,
    body: { syncType, products },
  });
}

/** Local-time ISO without offset, as the backend writes it. */
export const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;
