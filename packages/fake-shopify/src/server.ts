import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getHmac, getJwt } from "@shopify/shopify-api/test-helpers";
import { execute, type GraphQLSchema, getOperationAST, parse, validate } from "graphql";
import {
  buildAdminSchema,
  coerceVariables,
  FAKE_API_VERSION,
  fakeFieldResolver,
  flattenBulkResult,
  MAX_QUERY_COST,
  type ResolveContext,
  requestedCost,
  rootValue,
  toShopifyValidationError,
} from "./admin-schema.js";
import { type CatalogOptions, type FakeProduct, generateCatalog, seededRandom } from "./catalog.js";
import {
  type FakeOrderInput,
  orderPayload,
  productPayload,
  rawInt,
  signAppProxyQuery,
  toShopifyJson,
} from "./payloads.js";

/** One shop of the fake. */
export interface FakeShopOptions {
  /** `<name>.myshopify.com` */
  domain: string;
  currencyCode?: string;
  taxesIncluded?: boolean;
  /** The catalog, or options for the deterministic generator. */
  products?: FakeProduct[] | CatalogOptions;
}

/** Options of {@link startFakeShopify}. */
export interface FakeShopifyOptions {
  apiKey: string;
  apiSecret: string;
  shops: FakeShopOptions[];
  /** Lifetime of expiring offline access tokens. Default 3,600 s. */
  accessTokenTtlSec?: number;
  /** Lifetime of refresh tokens. Default 30 days. */
  refreshTokenTtlSec?: number;
  /** The per-shop leaky bucket. Default 1,000 points restoring 100/s (Standard plan). */
  bucket?: { maximumAvailable?: number; restoreRate?: number };
  /** Delay before a bulk operation completes. Default 30 ms. */
  bulkDelayMs?: number;
  /** JSONL line order: `shuffled` (default; children often before parents), `children-first`, `grouped`. */
  bulkLineOrder?: "shuffled" | "children-first" | "grouped";
  scopes?: string;
  /** Clock for token expiry (epoch ms). Default `Date.now`. */
  now?: () => number;
  port?: number;
}

/** A webhook delivery the fake made. */
export interface FakeDelivery {
  webhookId: string;
  topic: string;
  shop: string;
  address: string;
  body: string;
  headers: Record<string, string>;
  status: number;
}

/** A request the fake served. */
export interface FakeRequestRecord {
  method: string;
  path: string;
  shop: string | undefined;
  status: number;
  operationName?: string | undefined;
  requestedCost?: number;
  throttled?: boolean;
  accessToken?: string | undefined;
}

interface TokenRecord {
  shop: string;
  accessToken: string;
  expiresAt: number | undefined;
  revoked: boolean;
}

interface RefreshRecord {
  shop: string;
  refreshToken: string;
  expiresAt: number;
  used: boolean;
}

interface BulkOperationRecord {
  id: string;
  shop: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED" | "EXPIRED";
  errorCode: string | null;
  query: string;
  objectCount: number;
  rootObjectCount: number;
  url: string | null;
  createdAt: string;
  completedAt: string | null;
  jsonl?: string;
}

interface ShopState {
  domain: string;
  currencyCode: string;
  taxesIncluded: boolean;
  products: FakeProduct[];
  bucket: { available: number; at: number };
}

type Fault = { status: number; retryAfter?: string; body?: string };

/** The running fake. */
export interface FakeShopify {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /**
   * A fetch that sends `https://<shop>.myshopify.com/...` to this fake (pass it to
   * `setAbstractFetchFunc` from `@shopify/shopify-api/runtime`); other URLs go to global fetch.
   */
  fetch: typeof fetch;
  close(): Promise<void>;
  /** The live catalog of a shop (mutate through the methods below to get webhooks). */
  products(shop: string): FakeProduct[];
  product(shop: string, productId: string): FakeProduct;
  /** An App Bridge session token (JWT) for token exchange, made with the library's test helper. */
  sessionToken(shop: string): Promise<string>;
  /** App-specific webhook subscription (like `[[webhooks.subscriptions]]` in `shopify.app.toml`). */
  subscribe(address: string, topics: readonly string[]): void;
  /** Signs and POSTs a delivery with all headers to every subscriber of the topic. */
  deliver(
    shop: string,
    topic: string,
    payload: unknown,
    options?: { webhookId?: string },
  ): Promise<FakeDelivery[]>;
  /** Sends a recorded delivery again, same id and body (Shopify's retry). */
  redeliver(webhookId: string): Promise<FakeDelivery>;
  readonly deliveries: readonly FakeDelivery[];
  readonly requests: readonly FakeRequestRecord[];
  /** OAuth grants seen (`grant_type` and shop). */
  readonly grants: readonly { grantType: string; shop: string; ok: boolean }[];
  updateProduct(
    shop: string,
    productId: string,
    patch: Partial<Omit<FakeProduct, "id">>,
  ): Promise<FakeDelivery[]>;
  createProduct(shop: string, product: FakeProduct): Promise<FakeDelivery[]>;
  deleteProduct(shop: string, productId: string): Promise<FakeDelivery[]>;
  setInventory(shop: string, variantId: string, quantity: number): Promise<FakeDelivery[]>;
  payOrder(shop: string, order: FakeOrderInput): Promise<FakeDelivery[]>;
  /** Revokes the shop's tokens and sends `app/uninstalled`. */
  uninstall(shop: string): Promise<FakeDelivery[]>;
  /** Empties the shop's cost bucket (the next costly query is THROTTLED). */
  drainBucket(shop: string, remaining?: number): void;
  /** The next `count` Admin API calls answer `status` (429 with `Retry-After`, 500, 503…). */
  failNext(count: number, fault: Fault): void;
  /** The next bulk operation of the shop ends FAILED with this error code. */
  failNextBulk(
    shop: string,
    errorCode?: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT",
  ): void;
  /** Makes every current access token of the shop invalid (401), as after a revoke. */
  revokeAccessTokens(shop: string): void;
  /** Signs an app proxy query for `shop` with the app secret. */
  appProxyQuery(
    shop: string,
    extra?: Record<string, string>,
    timestampSec?: number,
  ): URLSearchParams;
  /**
   * Forwards a storefront request to the app's proxy URL like Shopify does: a GET with `shop`,
   * `logged_in_customer_id`, `path_prefix`, `timestamp` and `signature` added to the query.
   */
  proxyRequest(shop: string, proxyUrl: string, extra?: Record<string, string>): Promise<Response>;
  /** Bulk operations created so far. */
  bulkOperations(shop: string): readonly Omit<BulkOperationRecord, "jsonl">[];
}

function base64UrlDecode(part: string): Buffer {
  return Buffer.from(part.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

function verifySessionToken(
  token: string,
  secret: string,
  apiKey: string,
  nowSec: number,
): { dest: string } | undefined {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return undefined;
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = base64UrlDecode(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = JSON.parse(base64UrlDecode(payload).toString("utf8")) as {
    aud?: string;
    dest?: string;
    exp?: number;
    nbf?: number;
  };
  if (claims.aud !== apiKey || typeof claims.dest !== "string") return undefined;
  if (typeof claims.exp === "number" && claims.exp < nowSec - 5) return undefined;
  return { dest: claims.dest };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  response.end(text);
}

/**
 * Starts a fake Shopify on loopback: OAuth token exchange and refresh with expiring offline
 * tokens, Admin GraphQL (real parsing and validation with graphql-js) with `extensions.cost` and
 * THROTTLED answers from a refilling bucket, bulk operations with JSONL served over HTTP, signed
 * webhook deliveries with all headers, and signed app proxy queries.
 */
export async function startFakeShopify(options: FakeShopifyOptions): Promise<FakeShopify> {
  const schema: GraphQLSchema = buildAdminSchema();
  const now = options.now ?? Date.now;
  const accessTtlMs = (options.accessTokenTtlSec ?? 3600) * 1000;
  const refreshTtlMs = (options.refreshTokenTtlSec ?? 30 * 86400) * 1000;
  const maximumAvailable = options.bucket?.maximumAvailable ?? 1000;
  const restoreRate = options.bucket?.restoreRate ?? 100;
  const bulkDelayMs = options.bulkDelayMs ?? 30;
  const lineOrder = options.bulkLineOrder ?? "shuffled";
  const scopes = options.scopes ?? "read_products,read_inventory,read_orders";

  const shops = new Map<string, ShopState>();
  for (const shop of options.shops) {
    const products = Array.isArray(shop.products)
      ? shop.products
      : generateCatalog(shop.products ?? {});
    shops.set(shop.domain, {
      domain: shop.domain,
      currencyCode: shop.currencyCode ?? "EUR",
      taxesIncluded: shop.taxesIncluded ?? true,
      products: structuredClone(products),
      bucket: { available: maximumAvailable, at: Date.now() },
    });
  }
  const accessTokens = new Map<string, TokenRecord>();
  const refreshTokens = new Map<string, RefreshRecord>();
  const bulk = new Map<string, BulkOperationRecord>();
  let bulkSequence = 0;
  const subscriptions: { address: string; topics: Set<string> }[] = [];
  const deliveries: FakeDelivery[] = [];
  const requests: FakeRequestRecord[] = [];
  const grants: { grantType: string; shop: string; ok: boolean }[] = [];
  const faults: Fault[] = [];
  const bulkFailures = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = "";

  const shopState = (domain: string): ShopState => {
    const state = shops.get(domain);
    if (!state)
      throw new Error(
        `The fake has no shop ${domain}; configure it in startFakeShopify({ shops })`,
      );
    return state;
  };
  const refill = (state: ShopState): number => {
    const time = Date.now();
    state.bucket.available = Math.min(
      maximumAvailable,
      state.bucket.available + (restoreRate * (time - state.bucket.at)) / 1000,
    );
    state.bucket.at = time;
    return state.bucket.available;
  };
  const throttleStatus = (state: ShopState) => ({
    maximumAvailable,
    currentlyAvailable: Math.floor(state.bucket.available),
    restoreRate,
  });

  const issueTokens = (shop: string, expiring: boolean): Record<string, unknown> => {
    const accessToken = `shpat_${randomBytes(16).toString("hex")}`;
    accessTokens.set(accessToken, {
      shop,
      accessToken,
      expiresAt: expiring ? now() + accessTtlMs : undefined,
      revoked: false,
    });
    if (!expiring) return { access_token: accessToken, scope: scopes };
    const refreshToken = `shprt_${randomBytes(16).toString("hex")}`;
    refreshTokens.set(refreshToken, {
      shop,
      refreshToken,
      expiresAt: now() + refreshTtlMs,
      used: false,
    });
    return {
      access_token: accessToken,
      scope: scopes,
      expires_in: Math.floor(accessTtlMs / 1000),
      refresh_token: refreshToken,
      refresh_token_expires_in: Math.floor(refreshTtlMs / 1000),
    };
  };

  const handleToken = async (
    shop: string,
    request: IncomingMessage,
    response: ServerResponse,
    record: FakeRequestRecord,
  ): Promise<void> => {
    const raw = await readBody(request);
    let body: Record<string, string>;
    try {
      body = (request.headers["content-type"] ?? "").includes("json")
        ? (JSON.parse(raw) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      record.status = 400;
      return send(response, 400, { error: "invalid_request" });
    }
    const grantType = body.grant_type ?? "authorization_code";
    const fail = (status: number, error: string, description: string): void => {
      grants.push({ grantType, shop, ok: false });
      record.status = status;
      send(response, status, { error, error_description: description });
    };
    if (body.client_id !== options.apiKey || body.client_secret !== options.apiSecret) {
      return fail(401, "invalid_client", "Client authentication failed");
    }
    if (grantType === "urn:ietf:params:oauth:grant-type:token-exchange") {
      const claims = verifySessionToken(
        body.subject_token ?? "",
        options.apiSecret,
        options.apiKey,
        Math.floor(now() / 1000),
      );
      if (!claims || claims.dest !== `https://${shop}`)
        return fail(400, "invalid_subject_token", "The session token is invalid");
      if (
        body.requested_token_type !== "urn:shopify:params:oauth:token-type:offline-access-token"
      ) {
        return fail(400, "invalid_request", "Only offline access tokens are supported by the fake");
      }
      grants.push({ grantType, shop, ok: true });
      record.status = 200;
      return send(response, 200, issueTokens(shop, body.expiring === "1"));
    }
    if (grantType === "refresh_token") {
      const stored = refreshTokens.get(body.refresh_token ?? "");
      if (!stored || stored.shop !== shop || stored.used || stored.expiresAt <= now()) {
        return fail(400, "invalid_grant", "The refresh token is invalid, expired or already used");
      }
      // Refresh tokens rotate: this one is dead from now on.
      stored.used = true;
      grants.push({ grantType, shop, ok: true });
      record.status = 200;
      return send(response, 200, issueTokens(shop, true));
    }
    return fail(
      400,
      "unsupported_grant_type",
      `grant_type ${grantType} is not supported by the fake`,
    );
  };

  const orderLines = (lines: Record<string, unknown>[]): Record<string, unknown>[] => {
    if (lineOrder === "grouped") return lines;
    if (lineOrder === "children-first") {
      return [...lines.filter((l) => l.__parentId), ...lines.filter((l) => !l.__parentId)];
    }
    const random = seededRandom(lines.length + 7);
    const shuffled = [...lines];
    for (let i = shuffled.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [
        shuffled[j] as Record<string, unknown>,
        shuffled[i] as Record<string, unknown>,
      ];
    }
    return shuffled;
  };

  const bulkValue = (op: BulkOperationRecord | undefined): unknown =>
    op
      ? {
          __typename: "BulkOperation",
          id: op.id,
          status: op.status,
          errorCode: op.errorCode,
          objectCount: String(op.objectCount),
          rootObjectCount: String(op.rootObjectCount),
          url: op.url,
          partialDataUrl: null,
          query: op.query,
          type: "QUERY",
          createdAt: op.createdAt,
          completedAt: op.completedAt,
        }
      : null;

  const contextFor = (state: ShopState, isBulk: boolean): ResolveContext => ({
    shopDomain: state.domain,
    currencyCode: state.currencyCode,
    taxesIncluded: state.taxesIncluded,
    products: () => state.products,
    bulk: isBulk,
    bulkById: (id) => {
      const op = bulk.get(id);
      return op && op.shop === state.domain ? bulkValue(op) : null;
    },
    currentBulk: () =>
      bulkValue([...bulk.values()].filter((op) => op.shop === state.domain).at(-1)),
    runBulk: (query) => {
      const running = [...bulk.values()].filter(
        (op) => op.shop === state.domain && (op.status === "CREATED" || op.status === "RUNNING"),
      );
      if (running.length >= 5) {
        return {
          bulkOperation: null,
          userErrors: [
            {
              field: null,
              message: "A maximum of 5 bulk operations can run at once.",
              code: "LIMIT_REACHED",
            },
          ],
        };
      }
      let document: ReturnType<typeof parse>;
      try {
        document = parse(query);
        const errors = validate(schema, document);
        if (errors[0]) throw new Error(toShopifyValidationError(errors[0]).message);
      } catch (error) {
        return {
          bulkOperation: null,
          userErrors: [
            {
              field: ["query"],
              message: `Invalid bulk query: ${(error as Error).message}`,
              code: "INVALID",
            },
          ],
        };
      }
      bulkSequence += 1;
      const op: BulkOperationRecord = {
        id: `gid://shopify/BulkOperation/${720000000000 + bulkSequence}`,
        shop: state.domain,
        status: "CREATED",
        errorCode: null,
        query,
        objectCount: 0,
        rootObjectCount: 0,
        url: null,
        createdAt: new Date(now()).toISOString(),
        completedAt: null,
      };
      bulk.set(op.id, op);
      const timer = setTimeout(() => {
        timers.delete(timer);
        op.status = "RUNNING";
        void Promise.resolve(
          execute({
            schema,
            document,
            rootValue,
            contextValue: contextFor(state, true),
            fieldResolver: fakeFieldResolver,
          }),
        ).then(async (result) => {
          const injected = bulkFailures.get(state.domain);
          bulkFailures.delete(state.domain);
          if (injected || result.errors?.length || !result.data) {
            op.status = "FAILED";
            op.errorCode = injected ?? "INTERNAL_SERVER_ERROR";
          } else {
            const lines = orderLines(flattenBulkResult(result.data as Record<string, unknown>));
            op.objectCount = lines.length;
            op.rootObjectCount = lines.filter((l) => !l.__parentId).length;
            op.jsonl =
              lines.map((l) => JSON.stringify(l)).join("\n") + (lines.length > 0 ? "\n" : "");
            op.url =
              lines.length > 0
                ? `${baseUrl}/bulk/${encodeURIComponent(op.id.split("/").at(-1) as string)}.jsonl`
                : null;
            op.status = "COMPLETED";
          }
          op.completedAt = new Date(now()).toISOString();
          await deliver(state.domain, "bulk_operations/finish", {
            admin_graphql_api_id: op.id,
            completed_at: op.completedAt,
            created_at: op.createdAt,
            error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
            status: op.status.toLowerCase(),
            type: "query",
          }).catch(() => undefined);
        });
      }, bulkDelayMs);
      timers.add(timer);
      return {
        bulkOperation: { __typename: "BulkOperation", ...(bulkValue(op) as object) },
        userErrors: [],
      };
    },
  });

  const handleGraphql = async (
    shop: string,
    request: IncomingMessage,
    response: ServerResponse,
    record: FakeRequestRecord,
  ): Promise<void> => {
    const token = request.headers["x-shopify-access-token"];
    record.accessToken = typeof token === "string" ? token : undefined;
    const stored = typeof token === "string" ? accessTokens.get(token) : undefined;
    const raw = await readBody(request);
    if (
      !stored ||
      stored.revoked ||
      stored.shop !== shop ||
      (stored.expiresAt !== undefined && stored.expiresAt <= now())
    ) {
      record.status = 401;
      return send(response, 401, {
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      });
    }
    const fault = faults.shift();
    if (fault) {
      record.status = fault.status;
      return send(
        response,
        fault.status,
        fault.body ?? {
          errors:
            fault.status === 429
              ? "Exceeded 2 calls per second for api client."
              : "Internal Server Error",
        },
        fault.retryAfter ? { "retry-after": fault.retryAfter } : {},
      );
    }
    const state = shopState(shop);
    let payload: { query?: string; variables?: Record<string, unknown>; operationName?: string };
    try {
      payload = JSON.parse(raw) as typeof payload;
    } catch {
      record.status = 400;
      return send(response, 400, { errors: { query: "Required parameter missing or invalid" } });
    }
    let document: ReturnType<typeof parse>;
    try {
      document = parse(payload.query ?? "");
    } catch (error) {
      record.status = 200;
      return send(response, 200, {
        errors: [
          { message: (error as Error).message, extensions: { code: "GRAPHQL_PARSE_FAILED" } },
        ],
      });
    }
    const validation = validate(schema, document);
    if (validation.length > 0) {
      record.status = 200;
      return send(response, 200, {
        errors: validation.map(toShopifyValidationError),
      });
    }
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) {
      record.status = 200;
      return send(response, 200, { errors: [{ message: "No operation found" }] });
    }
    record.operationName = operation.name?.value;
    const variables = coerceVariables(schema, operation, payload.variables ?? {});
    const cost = requestedCost(schema, document, operation, variables);
    record.requestedCost = cost;
    if (cost > MAX_QUERY_COST) {
      record.status = 200;
      return send(response, 200, {
        errors: [
          {
            message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
            extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost: MAX_QUERY_COST },
          },
        ],
      });
    }
    const available = refill(state);
    if (available < cost) {
      record.status = 200;
      record.throttled = true;
      return send(response, 200, {
        errors: [
          {
            message: "Throttled",
            extensions: {
              code: "THROTTLED",
              documentation: "https://shopify.dev/api/usage/rate-limits",
            },
          },
        ],
        extensions: {
          cost: {
            requestedQueryCost: cost,
            actualQueryCost: null,
            throttleStatus: throttleStatus(state),
          },
        },
      });
    }
    state.bucket.available -= cost;
    const result = await execute({
      schema,
      document,
      rootValue,
      contextValue: contextFor(state, false),
      fieldResolver: fakeFieldResolver,
      variableValues: variables,
      operationName: payload.operationName ?? null,
    });
    record.status = 200;
    send(response, 200, {
      ...(result.data !== undefined ? { data: result.data } : {}),
      ...(result.errors?.length
        ? {
            errors: result.errors.map((e) => ({
              message: e.message,
              ...(e.locations ? { locations: e.locations } : {}),
              path: e.path,
            })),
          }
        : {}),
      extensions: {
        cost: {
          requestedQueryCost: cost,
          actualQueryCost: cost,
          throttleStatus: throttleStatus(state),
        },
      },
    });
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    const headerShop = request.headers["x-fake-shopify-shop"];
    const hostShop = (request.headers.host ?? "").split(":")[0];
    const shop =
      typeof headerShop === "string"
        ? headerShop
        : hostShop?.endsWith(".myshopify.com")
          ? hostShop
          : undefined;
    const record: FakeRequestRecord = {
      method: request.method ?? "GET",
      path: url.pathname,
      shop,
      status: 0,
    };
    requests.push(record);
    const bulkMatch = /^\/bulk\/([0-9]+)\.jsonl$/.exec(url.pathname);
    const run = async (): Promise<void> => {
      if (request.method === "GET" && bulkMatch) {
        const op = bulk.get(`gid://shopify/BulkOperation/${bulkMatch[1]}`);
        if (!op?.jsonl) {
          record.status = 404;
          return send(response, 404, "not found");
        }
        record.status = 200;
        response.writeHead(200, { "content-type": "application/jsonl" });
        // Stream in small chunks that cut lines apart, like a large object download.
        const text = op.jsonl;
        for (let i = 0; i < text.length; i += 97) response.write(text.slice(i, i + 97));
        response.end();
        return;
      }
      if (!shop || !shops.has(shop)) {
        record.status = 404;
        return send(response, 404, { errors: "Not Found" });
      }
      if (request.method === "POST" && url.pathname === "/admin/oauth/access_token")
        return handleToken(shop, request, response, record);
      if (
        request.method === "POST" &&
        /^\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/.test(url.pathname)
      ) {
        return handleGraphql(shop, request, response, record);
      }
      record.status = 404;
      send(response, 404, { errors: "Not Found" });
    };
    run().catch((error: unknown) => {
      record.status = 500;
      if (!response.headersSent) send(response, 500, { errors: String(error) });
      else response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const post = async (
    address: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<number> => {
    try {
      const response = await fetch(address, { method: "POST", body, headers });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  };

  async function deliver(
    shop: string,
    topic: string,
    payload: unknown,
    deliverOptions: { webhookId?: string } = {},
  ): Promise<FakeDelivery[]> {
    const body = typeof payload === "string" ? payload : toShopifyJson(payload);
    const made: FakeDelivery[] = [];
    for (const subscription of subscriptions) {
      if (!subscription.topics.has(topic)) continue;
      const webhookId = deliverOptions.webhookId ?? randomUUID();
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-shopify-topic": topic,
        "x-shopify-hmac-sha256": getHmac(body, options.apiSecret),
        "x-shopify-shop-domain": shop,
        "x-shopify-api-version": FAKE_API_VERSION,
        "x-shopify-webhook-id": webhookId,
        "x-shopify-triggered-at": new Date(now()).toISOString(),
        "x-shopify-event-id": randomUUID(),
      };
      const delivery: FakeDelivery = {
        webhookId,
        topic,
        shop,
        address: subscription.address,
        body,
        headers,
        status: 0,
      };
      delivery.status = await post(subscription.address, body, headers);
      deliveries.push(delivery);
      made.push(delivery);
    }
    return made;
  }

  const rewritingFetch: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const target = new URL(request ? request.url : String(input));
    if (!target.hostname.endsWith(".myshopify.com")) return fetch(input, init);
    const headers = new Headers(request?.headers ?? undefined);
    for (const [k, v] of new Headers(init?.headers ?? undefined)) headers.set(k, v);
    headers.set("x-fake-shopify-shop", target.hostname);
    const body = init?.body ?? (request ? await request.text() : undefined);
    return fetch(`${baseUrl}${target.pathname}${target.search}`, {
      method: init?.method ?? request?.method ?? "GET",
      headers,
      ...(body !== undefined && body !== null ? { body } : {}),
      ...(init?.signal ? { signal: init.signal } : {}),
    });
  };

  const findProduct = (shop: string, productId: string): FakeProduct => {
    const product = shopState(shop).products.find((p) => p.id === productId);
    if (!product) throw new Error(`The fake shop ${shop} has no product ${productId}`);
    return product;
  };
  const revokeAccessTokens = (shop: string): void => {
    for (const record of accessTokens.values()) if (record.shop === shop) record.revoked = true;
  };

  const touch = (product: FakeProduct): void => {
    product.updatedAt = new Date(
      Math.max(now(), Date.parse(product.updatedAt) + 1000),
    ).toISOString();
  };

  return {
    url: baseUrl,
    fetch: rewritingFetch,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    products: (shop) => shopState(shop).products,
    product: findProduct,
    sessionToken: async (shop) =>
      (await getJwt(shop.replace(/\.myshopify\.com$/, ""), options.apiKey, options.apiSecret))
        .token,
    subscribe: (address, topics) => {
      subscriptions.push({ address, topics: new Set(topics) });
    },
    deliver,
    redeliver: async (webhookId) => {
      const original = deliveries.find((d) => d.webhookId === webhookId);
      if (!original) throw new Error(`No delivery ${webhookId} to redeliver`);
      const again: FakeDelivery = {
        ...original,
        status: await post(original.address, original.body, original.headers),
      };
      deliveries.push(again);
      return again;
    },
    deliveries,
    requests,
    grants,
    async updateProduct(shop, productId, patch) {
      const product = findProduct(shop, productId);
      Object.assign(product, patch);
      touch(product);
      return deliver(shop, "products/update", productPayload(product, shop));
    },
    async createProduct(shop, product) {
      const copy = structuredClone(product);
      shopState(shop).products.push(copy);
      return deliver(shop, "products/create", productPayload(copy, shop));
    },
    async deleteProduct(shop, productId) {
      const state = shopState(shop);
      state.products = state.products.filter((p) => p.id !== productId);
      return deliver(shop, "products/delete", { id: rawInt(productId) });
    },
    async setInventory(shop, variantId, quantity) {
      for (const product of shopState(shop).products) {
        const variant = product.variants.find((v) => v.id === variantId);
        if (!variant) continue;
        // One inventory item can stock several variants (of several products): all change.
        for (const stocked of shopState(shop).products.flatMap((p) => p.variants)) {
          if (stocked.inventoryItemId === variant.inventoryItemId)
            stocked.inventoryQuantity = quantity;
        }
        return deliver(shop, "inventory_levels/update", {
          inventory_item_id: rawInt(variant.inventoryItemId),
          location_id: rawInt("24826418"),
          available: quantity,
          updated_at: new Date(now()).toISOString(),
          admin_graphql_api_id: `gid://shopify/InventoryLevel/24826418?inventory_item_id=${variant.inventoryItemId}`,
        });
      }
      throw new Error(`The fake shop ${shop} has no variant ${variantId}`);
    },
    payOrder: (shop, order) => deliver(shop, "orders/paid", orderPayload(order)),
    async uninstall(shop) {
      revokeAccessTokens(shop);
      for (const record of refreshTokens.values()) if (record.shop === shop) record.used = true;
      return deliver(shop, "app/uninstalled", {
        id: rawInt("548380009"),
        name: shop.split(".")[0],
        myshopify_domain: shop,
      });
    },
    drainBucket: (shop, remaining = 0) => {
      const state = shopState(shop);
      state.bucket = { available: remaining, at: Date.now() };
    },
    failNext: (count, fault) => {
      for (let i = 0; i < count; i += 1) faults.push(fault);
    },
    revokeAccessTokens,
    failNextBulk: (shop, errorCode = "INTERNAL_SERVER_ERROR") => {
      bulkFailures.set(shopState(shop).domain, errorCode);
    },
    appProxyQuery: (shop, extra = {}, timestampSec = Math.floor(now() / 1000)) =>
      signAppProxyQuery(
        {
          shop,
          logged_in_customer_id: "",
          path_prefix: "/apps/neuroon",
          timestamp: String(timestampSec),
          ...extra,
        },
        options.apiSecret,
      ),
    proxyRequest: (shop, proxyUrl, extra = {}) => {
      const query = signAppProxyQuery(
        {
          shop,
          logged_in_customer_id: "",
          path_prefix: "/apps/neuroon",
          timestamp: String(Math.floor(now() / 1000)),
          ...extra,
        },
        options.apiSecret,
      );
      return fetch(`${proxyUrl}${proxyUrl.includes("?") ? "&" : "?"}${query}`);
    },
    bulkOperations: (shop) =>
      [...bulk.values()].filter((op) => op.shop === shop).map(({ jsonl: _jsonl, ...rest }) => rest),
  };
}
