import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { vi } from "vitest";

/** The suite's one timeout (vitest.shared.ts), for the tests' own waits and child processes. */
export const TEST_TIMEOUT_MS = Number(process.env.NEUROON_TEST_TIMEOUT_MS ?? 60_000);

/** Serves a React Router route function (loader or action) over real HTTP on loopback. */
export async function serveRoute(
  handler: (args: {
    request: Request;
    params: Record<string, string>;
    context: unknown;
    url: URL;
    pattern: string;
  }) => Promise<unknown>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (typeof value === "string") headers.set(name, value);
        else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      }
      const method = incoming.method ?? "GET";
      const request = new Request(`http://${incoming.headers.host}${incoming.url}`, {
        method,
        headers,
        ...(method === "GET" || method === "HEAD" ? {} : { body: Buffer.concat(chunks) }),
      });
      const url = new URL(request.url);
      Promise.resolve(handler({ request, params: {}, context: {}, url, pattern: url.pathname }))
        // Route functions throw Responses (redirects, 401s) as well as return them.
        .catch((thrown: unknown) =>
          thrown instanceof Response ? thrown : new Response(String(thrown), { status: 500 }),
        )
        .then(async (result) => {
          const response = result instanceof Response ? result : Response.json(result ?? null);
          outgoing.writeHead(response.status, Object.fromEntries(response.headers));
          outgoing.end(Buffer.from(await response.arrayBuffer()));
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

/** Waits until `check` passes (polling), for work the app does in the background. */
export function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 25 });
}
