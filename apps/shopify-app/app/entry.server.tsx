import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable } from "@react-router/node";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { type EntryContext, ServerRouter } from "react-router";
import { getRuntime } from "./runtime-instance.server.js";
import { getShopifyApp } from "./shopify.server.js";

export const streamTimeout = 5_000;

// The server build is imported once when the server starts: start the sync worker with it.
if (process.env.NEUROON_WORKERS !== "off" && process.env.NODE_ENV !== "test")
  getRuntime().startWorkers();

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  reactRouterContext: EntryContext,
): Promise<Response> {
  getShopifyApp().addDocumentResponseHeaders(request, responseHeaders);
  const callback = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";
  let status = responseStatusCode;
  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(
      <ServerRouter context={reactRouterContext} url={request.url} />,
      {
        [callback]: () => {
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status,
            }),
          );
          pipe(body);
        },
        onShellError: reject,
        onError: (error: unknown) => {
          status = 500;
          console.error(error);
        },
      },
    );
    setTimeout(abort, streamTimeout + 1_000);
  });
}
