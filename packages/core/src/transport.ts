import { type Dispatcher, request } from "undici";

/**
 * The only module that touches undici (house style rule 12): one HTTP exchange, body read in
 * full, no policy. Errors from undici (connection, abort) propagate unchanged for `request.ts`
 * to classify.
 */

/** undici's dispatcher type, re-exported so no other module has to import undici. */
export type { Dispatcher } from "undici";

/** HTTP methods the Plugin API uses. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One outgoing exchange. */
export interface TransportRequest {
  method: HttpMethod;
  url: string;
  headers: Readonly<Record<string, string>>;
  body?: string | undefined;
  signal: AbortSignal;
}

/** The response with its body read as text; header names lower-case. */
export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends one request. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * A {@link Transport} over undici's `request`. Pass a `dispatcher` (an `Agent` with custom pool
 * settings, a `ProxyAgent`, a `MockAgent` in tests); without one undici's global dispatcher is
 * used, which this package never replaces.
 */
export function createUndiciTransport(dispatcher?: Dispatcher): Transport {
  return async ({ method, url, headers, body, signal }) => {
    const response = await request(url, {
      method,
      headers: { ...headers },
      body: body ?? null,
      signal,
      ...(dispatcher ? { dispatcher } : {}),
    });
    // Reading under the same signal bounds a slow body by the same timeout as the headers.
    const text = await response.body.text();
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body: text };
  };
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}
