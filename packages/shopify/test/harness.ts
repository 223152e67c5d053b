import "@shopify/shopify-api/adapters/node";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { type FakeShopify, type FakeShopifyOptions, startFakeShopify } from "@neuroon/fake-shopify";
import { LogSeverity, type Shopify, shopifyApi } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { SHOPIFY_API_VERSION } from "../src/index.js";
import type { WebhookChange } from "../src/webhook-handler.js";

export const API_KEY = "test-client-id";
export const API_SECRET = "test-client-secret-0123456789";
export const SHOP = "neuroon-test.myshopify.com";

/** The library configured like an app would, its HTTP routed to the fake over loopback. */
export function makeShopify(fake: FakeShopify): Shopify {
  setAbstractFetchFunc(fake.fetch);
  return shopifyApi({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    scopes: ["read_products", "read_inventory", "read_orders"],
    hostName: "app.example.test",
    hostScheme: "https",
    apiVersion: SHOPIFY_API_VERSION,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error },
  }) as unknown as Shopify;
}

export function startFake(overrides: Partial<FakeShopifyOptions> = {}): Promise<FakeShopify> {
  return startFakeShopify({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    shops: [{ domain: SHOP, currencyCode: "EUR", taxesIncluded: true, products: { products: 24 } }],
    ...overrides,
  });
}

/** A loopback HTTP endpoint that hands the raw body and headers to `handler`. */
export async function startEndpoint(
  handler: (input: {
    rawBody: Uint8Array;
    headers: IncomingHttpHeaders;
    url: string;
  }) => Promise<{ status: number; body: string }>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      handler({
        rawBody: new Uint8Array(Buffer.concat(chunks)),
        headers: request.headers,
        url: request.url ?? "/",
      })
        .then((result) => {
          response.writeHead(result.status, { "content-type": "text/plain" });
          response.end(result.body);
        })
        .catch((error: unknown) => {
          response.writeHead(500);
          response.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A change sink that records what was enqueued, coalescing by key like core's queue. */
export function recordingQueue(): {
  enqueue(changes: WebhookChange | readonly WebhookChange[]): Promise<void>;
  changes: WebhookChange[];
} {
  const changes: WebhookChange[] = [];
  return {
    changes,
    async enqueue(input) {
      for (const change of Array.isArray(input) ? input : [input as WebhookChange])
        changes.push(change);
    },
  };
}
