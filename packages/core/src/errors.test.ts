import { inspect } from "node:util";
import { describe, expect, it, test } from "vitest";
import {
  ApiError,
  type ApiErrorInit,
  AuthenticationError,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  NeuroonError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  redactHeaders,
  ServerError,
  StoreError,
  TimeoutError,
  UnprocessableEntityError,
  ValidationError,
} from "./errors.js";

const API_KEY = "sk_0123456789abcdef0123456789abcdef";
const SYNC = { method: "POST", path: "/api/plugin/shops/shop_1/products/sync" };

function init(status: number, body: unknown, headers: Record<string, string> = {}): ApiErrorInit {
  return { status, body, headers, ...SYNC, nowMs: Date.parse("2026-05-06T10:15:00Z") };
}

function standard(status: number, error: string, message: string) {
  return { timestamp: "2026-05-06T10:15:00", status, error, message, path: SYNC.path };
}

describe("ApiError.from", () => {
  test.each([
    [400, ValidationError],
    [401, AuthenticationError],
    [403, PermissionError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, ServerError],
    [503, ServerError],
    [418, ApiError],
  ])("%i → %o", (status, expected) => {
    const error = ApiError.from(init(status, standard(status, "x", "boom")));
    expect(error.constructor).toBe(expected);
    expect(error.name).toBe(expected.name);
    expect(error.status).toBe(status);
    expect(error).toBeInstanceOf(ApiError);
    expect(NeuroonError.isNeuroonError(error)).toBe(true);
  });

  it("formats '<status> <message> (<METHOD> <path>)' and keeps request id and body", () => {
    const error = ApiError.from(
      init(404, standard(404, "Not Found", "Shop not found"), { "x-request-id": "req-42" }),
    );
    expect(error.message).toMatch(
      /^404 Shop not found \(POST \/api\/plugin\/shops\/shop_1\/products\/sync\)\. Check NEUROON_SHOP_ID/,
    );
    expect(error.requestId).toBe("req-42");
    expect(error.serverMessage).toBe("Shop not found");
    expect(error.body).toEqual(standard(404, "Not Found", "Shop not found"));
    expect(error.code).toBe("Not Found");
  });

  it("gives no shop hint for a missing single product", () => {
    const error = ApiError.from({
      status: 404,
      body: standard(404, "Not Found", "Product not found"),
      headers: {},
      method: "GET",
      path: "/api/plugin/shops/shop_1/products/p-1",
    });
    expect(error.message).toBe("404 Product not found (GET /api/plugin/shops/shop_1/products/p-1)");
  });

  it("uses the reason phrase of a Spring default body without message (E2)", () => {
    const body = {
      timestamp: "2026-05-06T10:15:00",
      status: 409,
      error: "Conflict",
      path: SYNC.path,
    };
    expect(ApiError.from(init(409, body)).message).toBe(`409 Conflict (POST ${SYNC.path})`);
  });

  it("reads the auth filter's {error,status} body and hints at the key", () => {
    const error = ApiError.from(init(401, { error: "Invalid API key", status: 401 }));
    expect(error.message).toContain("401 Invalid API key (POST");
    expect(error.message).toContain("NEUROON_API_KEY");
    expect(error.message).toContain("environment");
  });

  it("tells server code not to send Origin on an origin mismatch", () => {
    const message = "Origin mismatch — API Key cannot be used from this domain";
    const error = ApiError.from(init(403, standard(403, "Forbidden", message)));
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/Do not send an Origin/);
  });

  it("falls back to a truncated excerpt of a non-JSON body, then to the reason phrase", () => {
    const html = `<html><body>${"Bad gateway ".repeat(40)}</body></html>`;
    const error = ApiError.from(init(502, html));
    expect(error.message.startsWith("502 <html><body>Bad gateway")).toBe(true);
    expect(error.serverMessage.length).toBeLessThanOrEqual(201);
    expect(ApiError.from(init(503, undefined)).message).toBe(
      `503 Service Unavailable (POST ${SYNC.path})`,
    );
  });

  it("reads the old nested 429 envelope (E5)", () => {
    const body = { error: { code: "RATE_LIMIT_EXCEEDED", message: "Slow down", retryAfter: 30 } };
    const error = ApiError.from(init(429, body));
    expect(error.serverMessage).toBe("Slow down");
    expect(error.code).toBe("RATE_LIMIT_EXCEEDED");
  });
});

describe("ValidationError.fieldErrors", () => {
  it("splits the comma-joined message of the standard envelope", () => {
    const message = "externalId: must not be blank, price: must be greater than or equal to 0.0";
    const error = ApiError.from(init(400, standard(400, "Bad Request", message)));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual([
      { field: "externalId", message: "must not be blank" },
      { field: "price", message: "must be greater than or equal to 0.0" },
    ]);
  });

  it("keeps commas inside one reason and indexed field paths", () => {
    const message =
      "products[0].name: size must be between 1, 512, products[3].url: must not be null";
    const error = ApiError.from(
      init(400, standard(400, "Bad Request", message)),
    ) as ValidationError;
    expect(error.fieldErrors).toEqual([
      { field: "products[0].name", message: "size must be between 1, 512" },
      { field: "products[3].url", message: "must not be null" },
    ]);
  });

  it("reads the legacy {code,message,details} envelope, strings or objects", () => {
    const strings = ApiError.from(
      init(400, { code: "VALIDATION", message: "Invalid", details: ["name: must not be blank"] }),
    ) as ValidationError;
    expect(strings.fieldErrors).toEqual([{ field: "name", message: "must not be blank" }]);
    expect(strings.code).toBe("VALIDATION");
    const objects = ApiError.from(
      init(400, {
        code: "VALIDATION",
        message: "Invalid",
        details: [{ field: "price", message: "< 0" }],
      }),
    ) as ValidationError;
    expect(objects.fieldErrors).toEqual([{ field: "price", message: "< 0" }]);
  });

  it("parses adversarial messages in linear time (ReDoS regression)", () => {
    const hostile = [
      `a:${" ".repeat(100_000)}`,
      `a: b,${" ".repeat(100_000)}x`,
      `a: b${", ".repeat(50_000)}`,
      `${"a.".repeat(50_000)}: x, ${"b[".repeat(50_000)}`,
    ];
    for (const message of hostile) {
      const started = performance.now();
      ApiError.from(init(400, standard(400, "Bad Request", message)));
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it("is empty for a message without fields", () => {
    const error = ApiError.from(init(400, standard(400, "Bad Request", "Malformed JSON request")));
    expect((error as ValidationError).fieldErrors).toEqual([]);
  });
});

describe("RateLimitError", () => {
  it("takes Retry-After and X-RateLimit-* headers first", () => {
    const body = {
      error: "rate_limit_exceeded",
      message: "Too many requests. Please try again later.",
      retryAfter: 60,
      limit: 200,
      remaining: 0,
    };
    const error = ApiError.from(
      init(429, body, {
        "retry-after": "7",
        "x-ratelimit-limit": "100",
        "x-ratelimit-remaining": "0",
      }),
    ) as RateLimitError;
    expect(error.retryAfterMs).toBe(7_000);
    expect(error.limit).toBe(100);
    expect(error.remaining).toBe(0);
    expect(error.code).toBe("rate_limit_exceeded");
    expect(error.message).toMatch(
      /^429 Too many requests\. Please try again later\. \(POST .*rate limit/,
    );
  });

  it("falls back to the E3 body and accepts an HTTP-date header", () => {
    const fromBody = ApiError.from(
      init(429, { retryAfter: 60, limit: 200, remaining: 0 }),
    ) as RateLimitError;
    expect([fromBody.retryAfterMs, fromBody.limit, fromBody.remaining]).toEqual([60_000, 200, 0]);
    const fromDate = ApiError.from(
      init(429, {}, { "retry-after": "Wed, 06 May 2026 10:15:05 GMT" }),
    ) as RateLimitError;
    expect(fromDate.retryAfterMs).toBe(5_000);
  });
});

describe("redaction", () => {
  it("never keeps the key from a body or header the server echoed", () => {
    const error = ApiError.from(
      init(
        401,
        { error: `Unknown key ${API_KEY}`, echo: { header: API_KEY } },
        {
          "x-echo": API_KEY,
          "x-shop-api-key": API_KEY,
        },
      ),
    );
    for (const text of [
      error.message,
      String(error),
      error.stack ?? "",
      inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      JSON.stringify(error),
    ]) {
      expect(text).not.toContain(API_KEY);
    }
    expect(error.headers["x-shop-api-key"]).toBe("[REDACTED]");
  });

  it("redactHeaders replaces credential headers whatever their case", () => {
    expect(redactHeaders({ "X-Shop-API-Key": API_KEY, Accept: "application/json" })).toEqual({
      "x-shop-api-key": "[REDACTED]",
      accept: "application/json",
    });
  });
});

describe("other errors", () => {
  it("ConnectionError names the target and the socket code", () => {
    const cause = Object.assign(new Error("other side closed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    });
    const error = new ConnectionError({ method: "GET", path: "/api/plugin/shops/me" }, { cause });
    expect(error.message).toBe(
      "Could not reach Neuroon (GET /api/plugin/shops/me): connect ECONNREFUSED 127.0.0.1:1. Check the network and NEUROON_API_URL.",
    );
    expect(error.cause).toBe(cause);
    expect("status" in error).toBe(false);
  });

  it("TimeoutError carries the timeout and no status", () => {
    const error = new TimeoutError({ method: "POST", path: "/x", timeoutMs: 1500 });
    expect(error.message).toMatch(/within 1500 ms \(POST \/x\)/);
    expect(error.timeoutMs).toBe(1500);
    expect("status" in error).toBe(false);
  });

  it("isNeuroonError recognises the brand of another copy of the package, nothing else", () => {
    const foreign = Object.assign(new Error("x"), {
      [Symbol.for("@neuroon/core.NeuroonError")]: true,
    });
    expect(NeuroonError.isNeuroonError(foreign)).toBe(true);
    expect(NeuroonError.isNeuroonError(new Error("x"))).toBe(false);
    expect(NeuroonError.isNeuroonError(null)).toBe(false);
    expect(NeuroonError.isNeuroonError(new ConfigurationError("x"))).toBe(true);
  });
});

describe("StoreError", () => {
  test.each([
    [401, "auth", false],
    [403, "auth", false],
    [404, "not-found", false],
    [410, "not-found", false],
    [400, "invalid-request", false],
    [408, "timeout", true],
    [429, "rate-limited", true],
    [500, "server", true],
    [503, "server", true],
  ] as const)("status %i is %s, retryable %s", (status, kind, retryable) => {
    const error = new StoreError("Store call failed", { status });
    expect(error.kind).toBe(kind);
    expect(error.isRetryable).toBe(retryable);
  });

  it("is a NeuroonError carrying its brand, so another copy of core recognises it", () => {
    const error = new StoreError("no answer", { retryAfterMs: 5_000, kind: "rate-limited" });
    expect(NeuroonError.isNeuroonError(error)).toBe(true);
    expect(StoreError.isStoreError(error)).toBe(true);
    expect(StoreError.isStoreError(new Error("plain"))).toBe(false);
    expect(StoreError.isStoreError({ kind: "server", status: 503, isRetryable: true })).toBe(false);
    expect(error.retryAfterMs).toBe(5_000);
    expect(new StoreError("down").kind).toBe("connection");
  });

  it("drops a negative or non-finite Retry-After and redacts keys from its message", () => {
    expect(new StoreError("x", { status: 429, retryAfterMs: -1 }).retryAfterMs).toBeUndefined();
    const key = `sk_${"ab".repeat(16)}`;
    expect(new StoreError(`echoed ${key}`).message).not.toContain(key);
  });
});
