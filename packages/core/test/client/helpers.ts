import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Dispatcher, MockAgent } from "undici";
import { NeuroonClient, type NeuroonClientOptions } from "../../src/index.js";

/** A syntactically valid key; tests scan every output for it. */
export const API_KEY = "sk_0123456789abcdef0123456789abcdef";
export const SHOP_ID = "shop_test01";
export const ORIGIN = "https://api.neuroon.test";
export const SHOP_PATH = `/api/plugin/shops/${SHOP_ID}`;

/** A MockAgent that refuses real network access; pass it as the client's dispatcher. */
export function createMockAgent(): MockAgent {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  return agent;
}

/** A client with instant sleeps, deterministic jitter and no pacing unless asked. */
export function createTestClient(
  dispatcher: Dispatcher,
  overrides: NeuroonClientOptions = {},
): NeuroonClient {
  return new NeuroonClient({
    shopId: SHOP_ID,
    apiKey: API_KEY,
    baseUrl: ORIGIN,
    dispatcher,
    sleep: async () => {},
    random: () => 0,
    rateLimits: false,
    ...overrides,
  });
}

/** One request as a loopback server saw it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A real `node:http` server on port 0 whose handler is swapped per test. */
export interface LoopbackServer {
  origin: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

export async function startServer(
  handler: (request: RecordedRequest, response: ServerResponse, index: number) => void,
): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      handler(recorded, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes a JSON response. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}
