import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type ApiResponse, rateLimitError, standardError } from "./envelopes.js";
import { type FaultAction, FaultController, type FaultRule } from "./faults.js";
import { formatLocalDateTime } from "./format-time.js";
import { IDEMPOTENCY_MAX_KEYS, IDEMPOTENCY_TTL_MS, IdempotencyStore } from "./idempotency-store.js";
import { toProductView } from "./listing.js";
import { loadState, saveState } from "./persistence.js";
import { type ApiContext, type ApiRequest, handleApiRequest, isApiPath } from "./plugin-api.js";
import { RateLimiter, resolveRateLimits } from "./rate-limiter.js";
import { assertValidShopSpec, DEMO_SHOP, generateApiKey, maskApiKey } from "./shop-spec.js";
import { ShopState } from "./shop-state.js";
import type {
  EmulatorOptions,
  EmulatorShop,
  ProductView,
  RecordedConversion,
  RecordedRequest,
  ShopSpec,
  WidgetTokenVerification,
} from "./types.js";
import { VERSION } from "./version.js";
import { signWidgetToken, verifyWidgetTokenWith } from "./widget-token.js";

/** Default request log length. */
export const DEFAULT_REQUEST_LOG_LIMIT = 500;
/** Default period of background persistence. */
export const DEFAULT_PERSIST_INTERVAL_MS = 30_000;
/** Default idle time that ends a FULL run. */
export const DEFAULT_FULL_RUN_WINDOW_MS = 60_000;
/** Default request body limit. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Bodies larger than this are logged as a size note, so the request log stays small. */
const MAX_LOGGED_BODY_BYTES = 4 * 1024 * 1024;

const CONTROL_PREFIX = "/__emulator";

/** A running emulator. */
export interface EmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:4010`; point `NEUROON_API_URL` here. */
  readonly url: string;
  readonly port: number;
  /** The shops as they are now (keys, URLs, verification, product counts). */
  readonly shops: readonly EmulatorShop[];
  /** Fault injection for the documented API. */
  readonly faults: FaultController;
  /** The request log, oldest first (bounded by `requestLogLimit`). */
  readonly requests: readonly RecordedRequest[];
  clearRequests(): void;
  /** The visible catalog of a shop in write order (`updatedAt` ascending). */
  snapshot(shopId: string): ProductView[];
  /** Conversions a shop accepted, in arrival order. */
  conversions(shopId: string): RecordedConversion[];
  /** Adds (or replaces) a shop while running. */
  addShop(spec: ShopSpec): EmulatorShop;
  /** Rotates a shop's key: the old key and tokens signed with it stop working at once. */
  rotateApiKey(shopId: string, newKey?: string): string;
  /** Signs a Widget Token for a shop with the local recipe (contract §5.1). */
  signWidgetToken(shopId: string, unixSeconds?: number): string;
  /** Validates a Widget Token signed by a client (base64url or base64, 24 h, ≤5 min ahead). */
  verifyWidgetToken(token: string): WidgetTokenVerification;
  /** Back to the starting shops with empty catalogs; clears limits, keys, faults and the log. */
  reset(): void;
  /** Writes the state file now (no-op without `persistPath`). */
  persist(): Promise<void>;
  /** Stops listening, drops open connections and writes the state file. */
  close(): Promise<void>;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners("data");
        req.resume();
        reject(new HttpFailure(413, `Request body exceeds ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    req.on("error", reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Emulator {
  readonly shops = new Map<string, ShopState>();
  readonly shopsByKey = new Map<string, ShopState>();
  readonly faults: FaultController;
  readonly log: RecordedRequest[] = [];
  readonly now: () => number;
  private readonly api: ApiContext;
  private readonly rateLimiter: RateLimiter | null;
  private readonly idempotency: IdempotencyStore | null;
  private readonly requestLogLimit: number;
  private readonly maxBodyBytes: number;
  private initialSpecs: ShopSpec[] = [];
  private nextRequestId = 1;
  private saving: Promise<void> | null = null;

  constructor(private readonly options: EmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.faults = new FaultController(this.now);
    const rules = resolveRateLimits(options.rateLimits);
    this.rateLimiter = rules === null ? null : new RateLimiter(rules);
    const idem = options.idempotency;
    this.idempotency =
      idem === false
        ? null
        : new IdempotencyStore(
            idem?.ttlMs ?? IDEMPOTENCY_TTL_MS,
            idem?.maxKeys ?? IDEMPOTENCY_MAX_KEYS,
          );
    this.requestLogLimit = options.requestLogLimit ?? DEFAULT_REQUEST_LOG_LIMIT;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const latency = options.indexingLatency;
    if (latency && !(latency.minMs >= 0 && latency.maxMs >= latency.minMs)) {
      throw new RangeError("indexingLatency needs 0 <= minMs <= maxMs.");
    }
    this.api = {
      shops: this.shops,
      shopsByKey: this.shopsByKey,
      rateLimiter: this.rateLimiter,
      idempotency: this.idempotency,
      idempotencyMismatch: options.idempotencyMismatch ?? "reject",
      indexingLatency: latency ? latency : null,
      orphanVariants: options.orphanVariants ?? (options.strictOrphans ? "reject" : "drop"),
      fullSync: options.fullSync ?? "run",
      fullSyncRunWindowMs: options.fullSyncRunWindowMs ?? DEFAULT_FULL_RUN_WINDOW_MS,
      crossTenantStatus: options.crossTenantStatus ?? 403,
      deleteMissingStatus: options.deleteMissingStatus ?? 204,
      requireSearchLogId: options.requireSearchLogId ?? true,
      requireVerification: options.requireVerification ?? false,
      random: options.random ?? Math.random,
    };
  }

  async load(): Promise<void> {
    const persisted = this.options.persistPath ? await loadState(this.options.persistPath) : [];
    const configured = this.options.shops ?? [];
    for (const spec of configured) assertValidShopSpec(spec);
    const specs = new Map<string, ShopSpec>();
    for (const p of persisted) specs.set(p.spec.shopId, p.spec);
    // Configured shops win over persisted ones for key, URL and quotas; the catalog is kept.
    for (const spec of configured) specs.set(spec.shopId, { ...specs.get(spec.shopId), ...spec });
    if (specs.size === 0) specs.set(DEMO_SHOP.shopId, DEMO_SHOP);
    this.initialSpecs = [...specs.values()];
    for (const spec of this.initialSpecs) this.putShop(spec);
    const nowMs = this.now();
    for (const p of persisted) {
      const shop = this.shops.get(p.spec.shopId);
      if (shop === undefined) continue;
      shop.verifiedDomain = p.verifiedDomain;
      shop.verifiedAtMs = p.verifiedAtMs;
      for (const item of p.products)
        shop.catalog.upsert(item.dto, item.updatedAtMs, item.createdAtMs);
      for (const dto of p.pending) shop.write(dto, nowMs);
      for (const c of p.conversions) shop.conversions.set(c.orderId, c);
      shop.dirty = false;
    }
  }

  putShop(spec: ShopSpec): ShopState {
    assertValidShopSpec(spec);
    const owner = this.shopsByKey.get(spec.apiKey);
    if (owner !== undefined && owner.shopId !== spec.shopId) {
      throw new TypeError(
        `Shop API Key ${maskApiKey(spec.apiKey)} already belongs to ${owner.shopId}.`,
      );
    }
    const previous = this.shops.get(spec.shopId);
    if (previous !== undefined) this.shopsByKey.delete(previous.apiKey);
    const shop = new ShopState(spec);
    this.shops.set(shop.shopId, shop);
    this.shopsByKey.set(shop.apiKey, shop);
    return shop;
  }

  rotateKey(shopId: string, newKey = generateApiKey()): string {
    const shop = this.requireShop(shopId);
    assertValidShopSpec({ shopId, apiKey: newKey, url: shop.url });
    if (this.shopsByKey.has(newKey)) throw new TypeError("That key is already in use.");
    this.shopsByKey.delete(shop.apiKey);
    shop.apiKey = newKey;
    shop.dirty = true;
    this.shopsByKey.set(newKey, shop);
    return newKey;
  }

  requireShop(shopId: string): ShopState {
    const shop = this.shops.get(shopId);
    if (shop === undefined) {
      throw new Error(`Unknown shop ${shopId}; known shops: ${[...this.shops.keys()].join(", ")}.`);
    }
    return shop;
  }

  describeShop(shop: ShopState): EmulatorShop {
    shop.flush(this.now());
    return {
      shopId: shop.shopId,
      apiKey: shop.apiKey,
      url: shop.url,
      name: shop.name,
      maxProducts: shop.maxProducts,
      maxSearchesPerMonth: shop.maxSearchesPerMonth,
      verified: shop.verified,
      verifiedDomain: shop.verifiedDomain,
      verificationCode: shop.verificationCode,
      productsCount: shop.productsCount,
    };
  }

  snapshot(shopId: string): ProductView[] {
    const shop = this.requireShop(shopId);
    shop.flush(this.now());
    return shop.catalog.toArray().map(toProductView);
  }

  verifyToken(token: string): WidgetTokenVerification {
    return verifyWidgetTokenWith(token, (id) => this.shops.get(id)?.apiKey, this.now());
  }

  reset(): void {
    this.shops.clear();
    this.shopsByKey.clear();
    for (const spec of this.initialSpecs) this.putShop(spec).dirty = true;
    this.rateLimiter?.reset();
    this.idempotency?.clear();
    this.faults.clear();
    this.log.length = 0;
  }

  persist(): Promise<void> {
    const path = this.options.persistPath;
    if (path === undefined) return Promise.resolve();
    // Chain writes so two never interleave on the same temp file.
    const run = (this.saving ?? Promise.resolve()).then(() =>
      saveState(path, [...this.shops.values()]),
    );
    this.saving = run.finally(() => {
      if (this.saving === run) this.saving = null;
    });
    return run;
  }

  isDirty(): boolean {
    for (const shop of this.shops.values()) if (shop.dirty) return true;
    return false;
  }

  async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const queryString = q < 0 ? "" : rawUrl.slice(q + 1);
    const nowAtStart = this.now();
    let body: Buffer;
    try {
      body = await readBody(req, this.maxBodyBytes);
    } catch (error) {
      const status = error instanceof HttpFailure ? error.status : 400;
      const message = error instanceof Error ? error.message : "Unreadable request body";
      res.setHeader("connection", "close");
      this.write(res, standardError(status, message, path, nowAtStart));
      return;
    }
    if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
      await this.onControl(method, path, new URLSearchParams(queryString), body, res);
      return;
    }

    const plan = this.faults.plan(method, path);
    if (plan.delayMs > 0) await sleep(plan.delayMs);
    const apiReq: ApiRequest = {
      method,
      path,
      query: new URLSearchParams(queryString),
      headers: req.headers,
      body,
      nowMs: this.now(),
    };
    let response: ApiResponse | null = null;
    let faultId: string | null = plan.latencyIds[0] ?? null;
    const terminal = plan.terminal;
    if (terminal !== null) {
      faultId = terminal.id;
      const dropAfter = terminal.action.type === "drop" && terminal.action.afterProcessing === true;
      if (dropAfter) this.dispatch(apiReq);
      response = this.faultResponse(terminal.action, apiReq);
    } else {
      response = this.dispatch(apiReq);
    }
    if (response === null) {
      req.socket.destroy();
    } else {
      this.write(res, response);
    }
    this.record(apiReq, queryString, response?.status ?? 0, startedAt, faultId);
  }

  private dispatch(req: ApiRequest): ApiResponse {
    try {
      if (req.path === "/actuator/health" && req.method === "GET") {
        return { status: 200, headers: {}, body: { status: "UP" } };
      }
      if (isApiPath(req.path)) return handleApiRequest(this.api, req);
      return standardError(404, `No endpoint ${req.method} ${req.path}`, req.path, req.nowMs);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return standardError(500, `Emulator error: ${message}`, req.path, req.nowMs);
    }
  }

  /** The response an injected fault produces; `null` means "drop the connection". */
  private faultResponse(action: FaultAction, req: ApiRequest): ApiResponse | null {
    switch (action.type) {
      case "drop":
        return null;
      case "rate-limit":
        return rateLimitError(action.retryAfterSec ?? 60, action.limit ?? 100, req.nowMs);
      case "error": {
        const base =
          action.body === undefined
            ? standardError(action.status, "Injected fault", req.path, req.nowMs)
            : { status: action.status, headers: {}, body: action.body };
        return { ...base, headers: { ...base.headers, ...action.headers } };
      }
      case "latency":
        return this.dispatch(req);
    }
  }

  private write(res: ServerResponse, response: ApiResponse): void {
    const headers: Record<string, string> = {
      "x-request-id": `req_${randomBytes(8).toString("hex")}`,
      // The emulator's clock, not the host's: clients read Neuroon's time from this header.
      date: new Date(this.now()).toUTCString(),
      ...response.headers,
    };
    if (response.status === 204 || response.body === undefined) {
      res.writeHead(response.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(response.body);
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(text));
    res.writeHead(response.status, headers);
    res.end(text);
  }

  private record(
    req: ApiRequest,
    query: string,
    status: number,
    startedAt: number,
    faultId: string | null,
  ): void {
    if (this.requestLogLimit <= 0) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      const text = Array.isArray(value) ? value.join(", ") : value;
      headers[name] = name === "x-shop-api-key" ? maskApiKey(text) : text;
    }
    let body: unknown;
    if (req.body.length > MAX_LOGGED_BODY_BYTES) body = `<${req.body.length} bytes, not logged>`;
    else if (req.parsedBody !== undefined) body = req.parsedBody;
    else if (req.body.length > 0) body = req.body.toString("utf8");
    this.log.push({
      id: `req_${this.nextRequestId++}`,
      at: formatLocalDateTime(req.nowMs),
      method: req.method,
      path: req.path,
      query,
      headers,
      body,
      status,
      durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
      shopId: req.shopId ?? null,
      idempotencyKey: headers["x-idempotency-key"] ?? null,
      replayed: req.replayed === true,
      faultId,
    });
    if (this.log.length > this.requestLogLimit) {
      this.log.splice(0, this.log.length - this.requestLogLimit);
    }
  }

  /** The control API under `/__emulator`: plain JSON, never rate-limited or faulted. */
  private async onControl(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const send = (status: number, payload: unknown): void =>
      this.write(res, { status, headers: {}, body: payload });
    const fail = (status: number, error: string): void => send(status, { error });
    const segments = path.slice(CONTROL_PREFIX.length).split("/").filter(Boolean);
    const route = `${method} /${segments.map((s, i) => (i === 1 && segments[0] === "shops" ? ":id" : s)).join("/")}`;
    let json: Record<string, unknown> = {};
    if (body.length > 0) {
      try {
        json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      } catch {
        fail(400, "Control API bodies are JSON.");
        return;
      }
    }
    try {
      switch (route) {
        case "GET /health": {
          const memory = process.memoryUsage();
          return send(200, {
            ok: true,
            version: VERSION,
            rssBytes: memory.rss,
            heapUsedBytes: memory.heapUsed,
          });
        }
        case "GET /shops":
          return send(
            200,
            [...this.shops.values()].map((shop) => this.describeShop(shop)),
          );
        case "POST /shops":
          return send(201, this.describeShop(this.putShop(json as unknown as ShopSpec)));
        case "POST /shops/:id/rotate-key": {
          const apiKey = this.rotateKey(segments[1] ?? "", json.apiKey as string | undefined);
          return send(200, { apiKey });
        }
        case "GET /shops/:id/catalog":
          return await this.streamCatalog(segments[1] ?? "", res);
        case "GET /shops/:id/conversions":
          return send(200, [...this.requireShop(segments[1] ?? "").conversions.values()]);
        case "GET /faults":
          return send(200, this.faults.list());
        case "POST /faults":
          return send(201, { id: this.faults.add(faultRuleFromJson(json)) });
        case "DELETE /faults":
          this.faults.clear();
          return send(204, undefined);
        case "GET /requests": {
          const limit = Number(query.get("limit") ?? this.log.length);
          return send(200, limit > 0 ? this.log.slice(-limit) : []);
        }
        case "DELETE /requests":
          this.log.length = 0;
          return send(204, undefined);
        case "POST /reset":
          this.reset();
          return send(204, undefined);
        case "POST /persist":
          await this.persist();
          return send(204, undefined);
        case "POST /widget-tokens/verify":
          return send(200, this.verifyToken(String(json.token ?? "")));
        case "POST /widget-tokens": {
          const shop = this.requireShop(String(json.shopId ?? ""));
          const ts =
            typeof json.unixSeconds === "number" ? json.unixSeconds : Math.floor(this.now() / 1000);
          return send(200, { token: signWidgetToken(shop.shopId, shop.apiKey, ts) });
        }
      }
      if (method === "DELETE" && segments[0] === "faults" && segments.length === 2) {
        return this.faults.remove(segments[1] ?? "")
          ? send(204, undefined)
          : fail(404, "No such fault.");
      }
      fail(404, `No control route ${method} ${path}.`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      fail(message.startsWith("Unknown shop") ? 404 : 400, message);
    }
  }

  /** Streams a catalog as a JSON array in chunks, so a million products never form one string. */
  private async streamCatalog(shopId: string, res: ServerResponse): Promise<void> {
    const shop = this.requireShop(shopId);
    shop.flush(this.now());
    const items = shop.catalog.toArray();
    res.writeHead(200, { "content-type": "application/json" });
    const CHUNK = 1000;
    for (let i = 0; i < items.length; i += CHUNK) {
      const part = items
        .slice(i, i + CHUNK)
        .map((p) => JSON.stringify(toProductView(p)))
        .join(",");
      const ok = res.write(`${i === 0 ? "[" : ","}${part}`);
      if (!ok) await new Promise<void>((resolve) => res.once("drain", () => resolve()));
    }
    res.end(items.length === 0 ? "[]" : "]");
  }
}

function faultRuleFromJson(json: Record<string, unknown>): FaultRule {
  const match = (json.match ?? {}) as Record<string, unknown>;
  const path =
    typeof match.pathRegex === "string"
      ? new RegExp(match.pathRegex)
      : typeof match.path === "string"
        ? match.path
        : undefined;
  return {
    action: json.action as FaultAction,
    match: {
      ...(typeof match.method === "string" ? { method: match.method } : {}),
      ...(path === undefined ? {} : { path }),
    },
    ...(typeof json.times === "number" ? { times: json.times } : {}),
    ...(typeof json.durationMs === "number" ? { durationMs: json.durationMs } : {}),
  };
}

/**
 * Starts an emulator of the Neuroon Plugin API on `host:port` (default `127.0.0.1:0`, a free
 * port) and resolves once it listens. Without `shops` (and nothing persisted) it serves the demo
 * shop `shop_demo0001` with key {@link DEMO_API_KEY}.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const emulator = new Emulator(options);
  await emulator.load();
  const server: Server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    emulator.onRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: String(error) }));
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  const timer =
    options.persistPath === undefined
      ? null
      : setInterval(() => {
          if (emulator.isDirty()) emulator.persist().catch(() => {});
        }, options.persistIntervalMs ?? DEFAULT_PERSIST_INTERVAL_MS);
  timer?.unref();
  let closing: Promise<void> | null = null;

  return {
    url,
    port: address.port,
    get shops() {
      return [...emulator.shops.values()].map((shop) => emulator.describeShop(shop));
    },
    faults: emulator.faults,
    get requests() {
      return [...emulator.log];
    },
    clearRequests: () => {
      emulator.log.length = 0;
    },
    snapshot: (shopId) => emulator.snapshot(shopId),
    conversions: (shopId) => [...emulator.requireShop(shopId).conversions.values()],
    addShop: (spec) => emulator.describeShop(emulator.putShop(spec)),
    rotateApiKey: (shopId, newKey) => emulator.rotateKey(shopId, newKey),
    signWidgetToken: (shopId, unixSeconds) => {
      const shop = emulator.requireShop(shopId);
      return signWidgetToken(
        shop.shopId,
        shop.apiKey,
        unixSeconds ?? Math.floor(emulator.now() / 1000),
      );
    },
    verifyWidgetToken: (token) => emulator.verifyToken(token),
    reset: () => emulator.reset(),
    persist: () => emulator.persist(),
    close: () => {
      closing ??= (async () => {
        if (timer !== null) clearInterval(timer);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await emulator.persist();
      })();
      return closing;
    },
  };
}
