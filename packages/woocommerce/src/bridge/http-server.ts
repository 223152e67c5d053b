import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BridgeConfigError } from "./config.js";
import { answerHealthz, type BridgeStatus } from "./health.js";
import { type BridgeLogger, errorMessage } from "./logger.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** What {@link createBridgeServer} routes to. */
export interface BridgeRoutes {
  /** Where WooCommerce posts deliveries. */
  webhookPath: string;
  /** The webhook handler, once the bridge is started (404 before). */
  webhook: () => Handler | undefined;
  /** The status `/healthz` answers. */
  status: () => Promise<BridgeStatus>;
}

/** The bridge's HTTP server, with the requests it is answering. */
export interface BridgeServer {
  readonly server: Server;
  /** Listens on `host:port`; a port that cannot be had is a configuration error. Returns the URL. */
  listen(port: number, host: string): Promise<string>;
  /**
   * Stops accepting, lets the requests in flight finish and closes idle connections; after
   * `graceMs` closes the connections still open.
   */
  close(graceMs: number): Promise<void>;
}

/** Routes one request: the webhook path, `/healthz`, else 404. */
export function routeBridgeRequest(routes: BridgeRoutes): Handler {
  return async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const webhook = routes.webhook();
    if (path === routes.webhookPath && webhook) {
      await webhook(req, res);
      return;
    }
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      await answerHealthz(req, res, routes.status);
      return;
    }
    res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ ok: false, reason: "not-found", message: `No route ${path}.` }));
  };
}

/** The HTTP server of the bridge (webhooks and `/healthz`); nothing listens until `listen()`. */
export function createBridgeServer(routes: BridgeRoutes, logger: BridgeLogger): BridgeServer {
  const route = routeBridgeRequest(routes);
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handled = route(req, res)
      .catch((error: unknown) => {
        logger.error("request failed", { error: errorMessage(error) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      })
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  });
  // WooCommerce waits up to 60 s; a client that sends nothing for 30 s is not WooCommerce.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  const listen = async (port: number, host: string): Promise<string> => {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        server.off("listening", onListening);
        reject(
          new BridgeConfigError([
            {
              variable: "BRIDGE_PORT",
              problem: `the bridge cannot listen on ${host}:${port} (${errorMessage(error)}).`,
              fix: "Pick a free port, or stop the process using it.",
            },
          ]),
        );
      };
      const onListening = () => {
        server.off("error", onError);
        resolve();
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(port, host);
    });
    const address = server.address() as AddressInfo;
    const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
    return `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${address.port}`;
  };

  const close = async (graceMs: number): Promise<void> => {
    // Stop accepting; answered keep-alive connections are closed as they go idle.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.allSettled([...inFlight]);
    const forced = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(forced);
  };

  return { server, listen, close };
}
