import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import {
  type ApiResponse,
  authFilterError,
  rateLimitError,
  springDefaultError,
  standardError,
} from "./envelopes.js";
import { formatLocalDateTime } from "./format-time.js";
import type { IdempotencyStore } from "./idempotency-store.js";
import { listProducts, toProductView } from "./listing.js";
import type { RateLimiter } from "./rate-limiter.js";
import { normaliseDomain, normaliseHost } from "./shop-spec.js";
import type { ShopState } from "./shop-state.js";
import type {
  FullSyncMode,
  IdempotencyMismatchMode,
  IndexingLatencyOption,
  OrphanVariantMode,
  RateBucket,
} from "./types.js";
import { type ProductDto, validateConversion, validateSyncRequest } from "./validation.js";
import { signWidgetToken } from "./widget-token.js";

/** One request as the Plugin API router sees it. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly nowMs: number;
  /** Set by the router once the body parsed as JSON, for the request log. */
  parsedBody?: unknown;
  /** Set by the router: the shop the request was attributed to. */
  shopId?: string;
  replayed?: boolean;
}

/** The emulator-wide settings and state the router needs. */
export interface ApiContext {
  readonly shops: Map<string, ShopState>;
  readonly shopsByKey: Map<string, ShopState>;
  readonly rateLimiter: RateLimiter | null;
  readonly idempotency: IdempotencyStore | null;
  readonly idempotencyMismatch: IdempotencyMismatchMode;
  readonly indexingLatency: IndexingLatencyOption | null;
  readonly orphanVariants: OrphanVariantMode;
  readonly fullSync: FullSyncMode;
  readonly fullSyncRunWindowMs: number;
  readonly crossTenantStatus: 401 | 403;
  readonly deleteMissingStatus: 204 | 404;
  readonly requireSearchLogId: boolean;
  readonly requireVerification: boolean;
  readonly random: () => number;
}

type RouteName =
  | "shop-info"
  | "verify"
  | "unverify"
  | "verification-data"
  | "sync"
  | "list"
  | "get-product"
  | "delete-product"
  | "conversion"
  | "widget-token";

interface Route {
  readonly name: RouteName;
  readonly bucket: RateBucket;
  /** Shop id from the path; `null` when the key decides (`/shops/me`, `/shops/verify`). */
  readonly shopId: string | null;
  readonly externalId?: string;
}

type RouteMatch =
  | { readonly kind: "route"; readonly route: Route }
  | { readonly kind: "method"; readonly allow: readonly string[] }
  | { readonly kind: "none" };

const ORIGIN_MISMATCH = "Origin mismatch — API Key cannot be used from this domain";

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function pick(
  method: string,
  table: Partial<Record<string, Omit<Route, "shopId" | "externalId">>>,
  shopId: string | null,
  externalId?: string,
): RouteMatch {
  const entry = table[method];
  if (entry === undefined) return { kind: "method", allow: Object.keys(table) };
  return {
    kind: "route",
    route: { ...entry, shopId, ...(externalId === undefined ? {} : { externalId }) },
  };
}

/** Maps a method and path to a documented route (raw segments, so `%2F` stays in an id). */
function matchRoute(method: string, path: string): RouteMatch {
  const segments = path.split("/");
  if (segments[1] !== "api") return { kind: "none" };
  if (segments[2] === "shops" && segments.length === 5 && segments[4] === "widget-token") {
    return pick(method, { POST: { name: "widget-token", bucket: "other" } }, segments[3] ?? "");
  }
  if (segments[2] !== "plugin" || segments[3] !== "shops") return { kind: "none" };
  const rest = segments.slice(4);
  if (rest.some((segment) => segment === "")) return { kind: "none" };
  const [shopId = "", a, b, ...more] = rest;
  if (more.length > 0) return { kind: "none" };
  if (rest.length === 1 && shopId === "me") {
    return pick(method, { GET: { name: "shop-info", bucket: "shop-info" } }, null);
  }
  if (rest.length === 1 && shopId === "verify") {
    return pick(method, { POST: { name: "verify", bucket: "verify-action" } }, null);
  }
  if (a === "products" && b === "sync") {
    return pick(method, { POST: { name: "sync", bucket: "sync" } }, shopId);
  }
  if (a === "products" && b === undefined) {
    return pick(method, { GET: { name: "list", bucket: "other" } }, shopId);
  }
  if (a === "products" && b !== undefined) {
    const table = {
      GET: { name: "get-product", bucket: "other" },
      DELETE: { name: "delete-product", bucket: "other" },
    } as const;
    return pick(method, table, shopId, b);
  }
  if (a === "verify" && b === undefined) {
    const table = {
      POST: { name: "verify", bucket: "verify-action" },
      DELETE: { name: "unverify", bucket: "unverify-action" },
    } as const;
    return pick(method, table, shopId);
  }
  if (a === "verification-data" && b === undefined) {
    return pick(method, { GET: { name: "verification-data", bucket: "verification" } }, shopId);
  }
  if (a === "track" && b === "conversion") {
    return pick(method, { POST: { name: "conversion", bucket: "other" } }, shopId);
  }
  return { kind: "none" };
}

/** Whether a path belongs to the authenticated API (the key filter runs before routing). */
export function isApiPath(path: string): boolean {
  return path.startsWith("/api/plugin/") || path.startsWith("/api/shops/");
}

/**
 * Handles one Plugin API request, in the backend's order: the key filter (401, origin 403),
 * routing (404/405), tenant check (403/404), rate limit (429), idempotent replay, body parsing
 * (415/400) and finally the endpoint.
 */
export function handleApiRequest(ctx: ApiContext, req: ApiRequest): ApiResponse {
  const apiKey = header(req.headers, "x-shop-api-key");
  if (apiKey === undefined || apiKey === "") {
    return authFilterError(401, "Missing X-Shop-API-Key header");
  }
  const keyShop = ctx.shopsByKey.get(apiKey);
  if (keyShop === undefined) return authFilterError(401, "Invalid API key");
  const origin = header(req.headers, "origin") ?? header(req.headers, "referer");
  if (origin !== undefined && origin !== "" && !originMatches(origin, keyShop.url)) {
    return authFilterError(403, ORIGIN_MISMATCH);
  }
  const match = matchRoute(req.method, req.path);
  if (match.kind === "none") {
    return standardError(404, `No endpoint ${req.method} ${req.path}`, req.path, req.nowMs);
  }
  if (match.kind === "method") {
    const response = springDefaultError(405, req.path, req.nowMs);
    response.headers.allow = match.allow.join(", ");
    return response;
  }
  const route = match.route;
  if (route.shopId !== null && route.shopId !== keyShop.shopId) {
    if (!ctx.shops.has(route.shopId)) {
      return standardError(404, `Shop not found: ${route.shopId}`, req.path, req.nowMs);
    }
    return authFilterError(ctx.crossTenantStatus, "API key does not belong to this shop");
  }
  const shop = keyShop;
  req.shopId = shop.shopId;
  shop.flush(req.nowMs);

  const rateHeaders: Record<string, string> = {};
  if (ctx.rateLimiter !== null) {
    const decision = ctx.rateLimiter.take(shop.shopId, route.bucket, req.nowMs);
    if (!decision.allowed) return rateLimitError(decision.retryAfterSec, decision.limit, req.nowMs);
    rateHeaders["x-ratelimit-limit"] = String(decision.limit);
    rateHeaders["x-ratelimit-remaining"] = String(decision.remaining);
  }
  const response = handleWithIdempotency(ctx, req, shop, route);
  Object.assign(response.headers, rateHeaders);
  return response;
}

function handleWithIdempotency(
  ctx: ApiContext,
  req: ApiRequest,
  shop: ShopState,
  route: Route,
): ApiResponse {
  const key = header(req.headers, "x-idempotency-key");
  if (ctx.idempotency === null || key === undefined || key === "" || req.method === "GET") {
    return handleRoute(ctx, req, shop, route, key);
  }
  const fingerprint = createHash("sha256")
    .update(`${req.method} ${req.path}\n`)
    .update(req.body)
    .digest("base64");
  const stored = ctx.idempotency.get(shop.shopId, key, req.nowMs);
  if (
    stored !== undefined &&
    (stored.fingerprint === fingerprint || ctx.idempotencyMismatch === "replay")
  ) {
    req.replayed = true;
    return {
      status: stored.status,
      headers: { "idempotent-replayed": "true" },
      body: stored.body,
    };
  }
  if (stored !== undefined && ctx.idempotencyMismatch === "reject") {
    return standardError(
      400,
      `X-Idempotency-Key: '${key.slice(0, 80)}' was already used for a different request to this shop in the last 24 h; use a new key for a different batch`,
      req.path,
      req.nowMs,
    );
  }
  const response = handleRoute(ctx, req, shop, route, key);
  // Server errors are not remembered, so a retry after a 5xx runs again (as with Stripe).
  if (response.status < 500) {
    ctx.idempotency.set(shop.shopId, key, {
      fingerprint,
      status: response.status,
      body: response.body,
      storedAtMs: req.nowMs,
    });
  }
  return response;
}

function originMatches(origin: string, shopUrl: string): boolean {
  let host: string;
  try {
    host = normaliseHost(new URL(origin).host);
  } catch {
    host = normaliseHost(origin);
  }
  return host !== "" && host === normaliseHost(shopUrl);
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Parses a JSON body the way Spring's message converter would; errors are E2 415 or E1 400. */
function parseJsonBody(
  req: ApiRequest,
): { ok: true; value: unknown } | { ok: false; response: ApiResponse } {
  const contentType = header(req.headers, "content-type");
  const [mediaType = "", ...params] = (contentType ?? "")
    .split(";")
    .map((p) => p.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith("charset="))
    ?.slice(8)
    .replace(/"/g, "");
  if (
    !JSON_MEDIA_TYPE.test(mediaType) ||
    (charset !== undefined && charset !== "utf-8" && charset !== "utf8")
  ) {
    return { ok: false, response: springDefaultError(415, req.path, req.nowMs) };
  }
  if (req.body.length === 0) {
    return {
      ok: false,
      response: standardError(400, "Required request body is missing", req.path, req.nowMs),
    };
  }
  let text: string;
  try {
    text = UTF8.decode(req.body);
  } catch {
    return {
      ok: false,
      response: standardError(
        400,
        "JSON parse error: request body is not valid UTF-8",
        req.path,
        req.nowMs,
      ),
    };
  }
  try {
    const value: unknown = JSON.parse(text);
    req.parsedBody = value;
    return { ok: true, value };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      response: standardError(400, `JSON parse error: ${detail}`, req.path, req.nowMs),
    };
  }
}

function ok(body: unknown, status = 200): ApiResponse {
  return { status, headers: {}, body };
}

function handleRoute(
  ctx: ApiContext,
  req: ApiRequest,
  shop: ShopState,
  route: Route,
  idempotencyKey: string | undefined,
): ApiResponse {
  switch (route.name) {
    case "shop-info":
      return ok({
        shopId: shop.shopId,
        name: shop.name,
        url: shop.url,
        verified: shop.verified,
        maxProducts: shop.maxProducts,
        maxSearchesPerMonth: shop.maxSearchesPerMonth,
        productsCount: shop.productsCount,
        searchesThisMonth: 0,
      });
    case "verification-data":
      return ok({
        verificationCode: shop.verificationCode,
        instructions: `Call POST /api/plugin/shops/${shop.shopId}/verify from your server with {"domain": "${shop.url}"}; the domain must match the shop URL registered in the dashboard.`,
        verified: shop.verified,
      });
    case "unverify":
      shop.verified = false;
      shop.verifiedDomain = null;
      shop.verifiedAtMs = null;
      shop.dirty = true;
      return { status: 204, headers: {}, body: undefined };
    case "verify":
      return verify(ctx, req, shop);
    case "sync":
      return sync(ctx, req, shop, idempotencyKey);
    case "list": {
      const listing = listProducts(shop.catalog, req.query, shop.sortedViews);
      return listing.ok
        ? ok(listing.body)
        : standardError(400, listing.errors.join(", "), req.path, req.nowMs);
    }
    case "get-product":
    case "delete-product": {
      let externalId: string;
      try {
        externalId = decodeURIComponent(route.externalId ?? "");
      } catch {
        return standardError(400, "externalId: invalid percent-encoding", req.path, req.nowMs);
      }
      if (route.name === "get-product") {
        const product = shop.catalog.get(externalId);
        return product === undefined
          ? standardError(404, `Product not found: ${externalId}`, req.path, req.nowMs)
          : ok(toProductView(product));
      }
      const existed = shop.deleteProduct(externalId);
      if (!existed && ctx.deleteMissingStatus === 404) {
        return standardError(404, `Product not found: ${externalId}`, req.path, req.nowMs);
      }
      return { status: 204, headers: {}, body: undefined };
    }
    case "conversion":
      return trackConversion(ctx, req, shop);
    case "widget-token":
      // The older page says a domain must be verified before tokens are served.
      if (ctx.requireVerification && !shop.verified) return notVerified(req);
      return ok({ token: signWidgetToken(shop.shopId, shop.apiKey, Math.floor(req.nowMs / 1000)) });
  }
}

function verify(ctx: ApiContext, req: ApiRequest, shop: ShopState): ApiResponse {
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.response;
  const body = parsed.value as { domain?: unknown } | null;
  const domain = typeof body === "object" && body !== null ? body.domain : undefined;
  if (typeof domain !== "string" || domain.trim() === "") {
    return standardError(400, "domain: must not be blank", req.path, req.nowMs);
  }
  const normalised = normaliseDomain(domain);
  if (normalised !== normaliseDomain(shop.url)) {
    return standardError(
      403,
      `Domain '${domain}' does not match the shop URL registered for ${shop.shopId}; update shop.url in the dashboard`,
      req.path,
      req.nowMs,
    );
  }
  for (const other of ctx.shops.values()) {
    if (
      other !== shop &&
      other.verified &&
      other.verifiedDomain !== null &&
      normaliseDomain(other.verifiedDomain) === normalised
    ) {
      return springDefaultError(409, req.path, req.nowMs);
    }
  }
  if (!shop.verified) {
    shop.verified = true;
    shop.verifiedAtMs = req.nowMs;
  }
  shop.verifiedDomain = domain;
  shop.dirty = true;
  return ok({
    shopId: shop.shopId,
    verificationCode: shop.verificationCode,
    domain,
    name: shop.name,
  });
}

function notVerified(req: ApiRequest): ApiResponse {
  return standardError(403, "Domain not verified", req.path, req.nowMs);
}

/**
 * Whether this sync request wipes the catalog first (see {@link FullSyncMode}), and the FULL-run
 * state to record once the request is accepted.
 */
function planFullRun(
  ctx: ApiContext,
  shop: ShopState,
  syncType: "FULL" | "INCREMENTAL",
  idempotencyKey: string | undefined,
  nowMs: number,
): { wipe: boolean; run: ShopState["fullRun"] } {
  if (syncType !== "FULL") return { wipe: false, run: null };
  if (ctx.fullSync === "upsert") return { wipe: false, run: null };
  if (ctx.fullSync === "each-request") return { wipe: true, run: null };
  const colon = idempotencyKey?.lastIndexOf(":") ?? -1;
  const runId = idempotencyKey !== undefined && colon > 0 ? idempotencyKey.slice(0, colon) : null;
  const current = shop.fullRun;
  const wipe =
    current === null ||
    (runId !== null && current.runId !== null
      ? runId !== current.runId
      : nowMs - current.lastAtMs > ctx.fullSyncRunWindowMs);
  return { wipe, run: { runId, lastAtMs: nowMs } };
}

function sync(
  ctx: ApiContext,
  req: ApiRequest,
  shop: ShopState,
  idempotencyKey: string | undefined,
): ApiResponse {
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.response;
  const validated = validateSyncRequest(parsed.value);
  if (!validated.ok) return standardError(400, validated.errors.join(", "), req.path, req.nowMs);
  if (ctx.requireVerification && !shop.verified) return notVerified(req);
  const { syncType, products } = validated.value;

  const fullRun = planFullRun(ctx, shop, syncType, idempotencyKey, req.nowMs);
  if (ctx.orphanVariants === "reject") {
    const orphans = findOrphans(products, (id) => !fullRun.wipe && shop.hasProduct(id));
    if (orphans.length > 0) {
      const message = orphans.map((p) => `parentExternalId '${p.parentExternalId}' not found`);
      return standardError(422, [...new Set(message)].join(", "), req.path, req.nowMs);
    }
  }
  shop.fullRun = fullRun.run;
  if (fullRun.wipe) shop.wipeProducts();

  const latency = ctx.indexingLatency;
  const visibleAtMs =
    latency === null
      ? undefined
      : req.nowMs + latency.minMs + Math.round(ctx.random() * (latency.maxMs - latency.minMs));
  const accepted = new Set<string>();
  const errors: Array<{ externalId: string; error: string }> = [];
  let newProducts = 0;
  let updatedProducts = 0;
  for (const product of products) {
    const parent = product.parentExternalId as string | undefined;
    if (parent !== undefined && !accepted.has(parent) && !shop.hasProduct(parent)) {
      // Newest docs: orphan variants (no parent earlier in the batch nor synced before) are dropped.
      if (ctx.orphanVariants === "fail") {
        errors.push({
          externalId: product.externalId,
          error: `parentExternalId '${parent}' not found`,
        });
      }
      continue;
    }
    const exists = shop.hasProduct(product.externalId);
    if (!exists && shop.productsCount >= shop.maxProducts) {
      errors.push({
        externalId: product.externalId,
        error: `Product quota exceeded: the plan allows ${shop.maxProducts} products`,
      });
      continue;
    }
    shop.write(product, req.nowMs, visibleAtMs);
    accepted.add(product.externalId);
    if (exists) updatedProducts += 1;
    else newProducts += 1;
  }
  return ok({
    newProducts,
    updatedProducts,
    failed: errors.length,
    errors,
    productsCount: shop.productsCount,
    remainingProducts: Math.max(0, shop.maxProducts - shop.productsCount),
  });
}

/** Variants whose parent is neither earlier in the batch nor already stored. */
function findOrphans(
  products: readonly ProductDto[],
  isStored: (id: string) => boolean,
): ProductDto[] {
  const seen = new Set<string>();
  const orphans: ProductDto[] = [];
  for (const product of products) {
    const parent = product.parentExternalId as string | undefined;
    if (parent !== undefined && !seen.has(parent) && !isStored(parent)) orphans.push(product);
    else seen.add(product.externalId);
  }
  return orphans;
}

function trackConversion(ctx: ApiContext, req: ApiRequest, shop: ShopState): ApiResponse {
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.response;
  const validated = validateConversion(parsed.value, ctx.requireSearchLogId);
  if (!validated.ok) return standardError(400, validated.errors.join(", "), req.path, req.nowMs);
  if (ctx.requireVerification && !shop.verified) return notVerified(req);
  const { orderId, lines, body } = validated.value;
  if (shop.conversions.has(orderId)) return ok({ orderId, accepted: 0, duplicate: true });
  shop.conversions.set(orderId, { orderId, body, receivedAt: formatLocalDateTime(req.nowMs) });
  shop.dirty = true;
  return ok({ orderId, accepted: lines, duplicate: false });
}
