import "@shopify/shopify-api/adapters/node";
import { createHmac } from "node:crypto";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { getHmac } from "@shopify/shopify-api/test-helpers";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { verifyAppProxyQuery, verifyShopifyWebhook } from "./signatures.js";

const SECRET = "app-secret";
const BODY = '{"id":788032119674292922,"title":"Tee"}';
const headers = (overrides: Record<string, string | string[] | undefined> = {}) => ({
  "x-shopify-hmac-sha256": getHmac(BODY, SECRET),
  "x-shopify-topic": "products/update",
  "x-shopify-shop-domain": "neuroon-test.myshopify.com",
  "x-shopify-api-version": "2026-10",
  "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
  ...overrides,
});

describe("verifyShopifyWebhook", () => {
  it("accepts the library's own signature, on a string or the raw bytes", () => {
    expect(
      verifyShopifyWebhook({ rawBody: BODY, headers: headers(), secrets: SECRET }),
    ).toMatchObject({
      ok: true,
      topic: "products/update",
      shop: "neuroon-test.myshopify.com",
      webhookId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    });
    expect(
      verifyShopifyWebhook({
        rawBody: new TextEncoder().encode(BODY),
        headers: new Headers(headers()),
        secrets: SECRET,
      }).ok,
    ).toBe(true);
  });

  it("accepts the old and new secret during a rotation, and nothing else", () => {
    const signed = headers({ "x-shopify-hmac-sha256": getHmac(BODY, "old-secret") });
    expect(
      verifyShopifyWebhook({ rawBody: BODY, headers: signed, secrets: [SECRET, "old-secret"] }).ok,
    ).toBe(true);
    expect(verifyShopifyWebhook({ rawBody: BODY, headers: signed, secrets: [SECRET] })).toEqual({
      ok: false,
      reason: "invalid_signature",
    });
  });

  it.each([
    [
      "forged (wrong secret)",
      BODY,
      headers({ "x-shopify-hmac-sha256": getHmac(BODY, "attacker") }),
      "invalid_signature",
    ],
    [
      "stale (signed with a retired secret)",
      BODY,
      headers({ "x-shopify-hmac-sha256": getHmac(BODY, "retired-secret") }),
      "invalid_signature",
    ],
    [
      "truncated signature",
      BODY,
      headers({ "x-shopify-hmac-sha256": getHmac(BODY, SECRET).slice(0, 20) }),
      "malformed_signature",
    ],
    ["truncated body", BODY.slice(0, -1), headers(), "invalid_signature"],
    ["re-serialized body", JSON.stringify(JSON.parse(BODY)), headers(), "invalid_signature"],
    [
      "pretty-printed body",
      JSON.stringify(JSON.parse(BODY), null, 2),
      headers(),
      "invalid_signature",
    ],
    [
      "hex instead of base64",
      BODY,
      headers({ "x-shopify-hmac-sha256": createHmac("sha256", SECRET).update(BODY).digest("hex") }),
      "malformed_signature",
    ],
    [
      "duplicated signature header",
      BODY,
      headers({ "x-shopify-hmac-sha256": [getHmac(BODY, SECRET), getHmac(BODY, SECRET)] }),
      "duplicate_headers",
    ],
    [
      "joined duplicate (Fetch Headers)",
      BODY,
      headers({ "x-shopify-hmac-sha256": `${getHmac(BODY, SECRET)}, ${getHmac(BODY, SECRET)}` }),
      "malformed_signature",
    ],
    ["missing webhook id", BODY, headers({ "x-shopify-webhook-id": undefined }), "missing_headers"],
    [
      "not a shop domain",
      BODY,
      headers({ "x-shopify-shop-domain": "evil.example.com" }),
      "invalid_shop",
    ],
  ])("rejects %s", (_name, body, given, reason) => {
    expect(verifyShopifyWebhook({ rawBody: body, headers: given, secrets: SECRET })).toMatchObject({
      ok: false,
      reason,
    });
  });

  it("refuses a parsed body and an empty secret list", () => {
    expect(
      verifyShopifyWebhook({
        rawBody: JSON.parse(BODY) as string,
        headers: headers(),
        secrets: SECRET,
      }),
    ).toEqual({ ok: false, reason: "raw_body_required" });
    expect(verifyShopifyWebhook({ rawBody: BODY, headers: headers(), secrets: [] })).toEqual({
      ok: false,
      reason: "missing_secret",
    });
  });

  it("rejects every single-bit change of the body", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: BODY.length - 1 }),
        fc.integer({ min: 1, max: 127 }),
        (index, flip) => {
          const bytes = new TextEncoder().encode(BODY);
          bytes[index] = (bytes[index] as number) ^ flip;
          expect(
            verifyShopifyWebhook({ rawBody: bytes, headers: headers(), secrets: SECRET }).ok,
          ).toBe(false);
        },
      ),
    );
  });

  it("rejects hostile signature headers quickly (no regex backtracking)", () => {
    const started = performance.now();
    verifyShopifyWebhook({
      rawBody: BODY,
      headers: headers({ "x-shopify-hmac-sha256": `${"A".repeat(100_000)}=` }),
      secrets: SECRET,
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

function signProxy(params: Record<string, string>, secret = SECRET): URLSearchParams {
  const message = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join("");
  return new URLSearchParams({
    ...params,
    signature: createHmac("sha256", secret).update(message).digest("hex"),
  });
}

describe("verifyAppProxyQuery", () => {
  const NOW_SEC = 1_795_000_000;
  const params = {
    shop: "neuroon-test.myshopify.com",
    logged_in_customer_id: "",
    path_prefix: "/apps/neuroon",
    timestamp: String(NOW_SEC),
  };

  it("accepts a signed query", () => {
    expect(
      verifyAppProxyQuery({ query: signProxy(params), secrets: SECRET, nowSec: NOW_SEC + 30 }),
    ).toEqual({
      ok: true,
      shop: "neuroon-test.myshopify.com",
      loggedInCustomerId: "",
      pathPrefix: "/apps/neuroon",
      timestampSec: NOW_SEC,
    });
  });

  it.each([
    ["stale timestamp", signProxy(params), NOW_SEC + 600, "stale_timestamp"],
    ["future timestamp", signProxy(params), NOW_SEC - 600, "stale_timestamp"],
    ["forged", signProxy(params, "attacker"), NOW_SEC, "invalid_signature"],
    [
      "tampered shop",
      new URLSearchParams({
        ...Object.fromEntries(signProxy(params)),
        shop: "other.myshopify.com",
      }),
      NOW_SEC,
      "invalid_signature",
    ],
    ["missing signature", new URLSearchParams(params), NOW_SEC, "missing_headers"],
  ])("rejects %s", (_name, query, nowSec, reason) => {
    expect(verifyAppProxyQuery({ query, secrets: SECRET, nowSec })).toMatchObject({
      ok: false,
      reason,
    });
  });

  it("rejects a duplicated shop parameter", () => {
    const query = signProxy(params);
    query.append("shop", "other.myshopify.com");
    expect(verifyAppProxyQuery({ query, secrets: SECRET, nowSec: NOW_SEC })).toEqual({
      ok: false,
      reason: "duplicate_headers",
    });
  });
});

// Shopify's library is the oracle: on any input, our checks answer what `@shopify/shopify-api`
// answers (ours adds secret rotation, an injectable clock and typed reasons; see signatures.ts).
describe("agreement with @shopify/shopify-api", () => {
  const library = shopifyApi({
    apiKey: "agreement-key",
    apiSecretKey: SECRET,
    hostName: "app.example.test",
    apiVersion: ApiVersion.October26,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error },
  });
  const libraryAcceptsProxy = (query: URLSearchParams): Promise<boolean> =>
    library.utils
      .validateHmac(Object.fromEntries(query), { signator: "appProxy" })
      .catch(() => false);

  it("accepts Shopify's documented app proxy example (secret `hush`) exactly as the library does", async () => {
    // https://shopify.dev/docs/apps/build/online-store/display-dynamic-data#calculate-a-digital-signature
    const documented = new URLSearchParams(
      "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb",
    );
    expect(verifyAppProxyQuery({ query: documented, secrets: "hush", nowSec: 1317327555 })).toEqual(
      {
        ok: true,
        shop: "shop-name.myshopify.com",
        loggedInCustomerId: "1",
        pathPrefix: "/apps/awesome_reviews",
        timestampSec: 1317327555,
      },
    );
    const hush = shopifyApi({
      apiKey: "agreement-key",
      apiSecretKey: "hush",
      hostName: "app.example.test",
      apiVersion: ApiVersion.October26,
      isEmbeddedApp: true,
      logger: { level: LogSeverity.Error },
    });
    // The library reads the clock itself; the example's timestamp is from 2011.
    vi.useFakeTimers({ now: 1317327555_000, toFake: ["Date"] });
    try {
      await expect(hush.utils.validateHmac(documented, { signator: "appProxy" })).resolves.toBe(
        true,
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it("decides every app proxy query with mixed keys as the library does", async () => {
    const key = fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(key, fc.string({ maxLength: 6 })), {
          minLength: 1,
          maxLength: 6,
          selector: ([name]) => name.toLowerCase(),
        }),
        fc.constantFrom("locale", "code-point", "forged"),
        async (extra, signing) => {
          const nowSec = Math.floor(Date.now() / 1000);
          const params: [string, string][] = [
            ["shop", "neuroon-test.myshopify.com"],
            ["logged_in_customer_id", ""],
            ["path_prefix", "/apps/neuroon"],
            ["timestamp", String(nowSec)],
            ...extra.filter(([name]) => !["shop", "timestamp", "signature", "hmac"].includes(name)),
          ];
          const sorted = [...params].sort(([a], [b]) =>
            signing === "locale" ? a.localeCompare(b) : a < b ? -1 : a > b ? 1 : 0,
          );
          const message = sorted.map(([name, value]) => `${name}=${value}`).join("");
          const secret = signing === "forged" ? "attacker" : SECRET;
          const query = new URLSearchParams(params);
          query.set("signature", createHmac("sha256", secret).update(message).digest("hex"));
          const ours = verifyAppProxyQuery({ query, secrets: SECRET, nowSec }).ok;
          expect(ours).toBe(await libraryAcceptsProxy(query));
          if (signing === "locale") expect(ours).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("decides every webhook body and signature as the library's webhooks.validate does", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary", maxLength: 200 }),
        fc.constantFrom(SECRET, "attacker"),
        async (body, signingSecret) => {
          const signed = headers({ "x-shopify-hmac-sha256": getHmac(body, signingSecret) });
          const ours = verifyShopifyWebhook({ rawBody: body, headers: signed, secrets: SECRET }).ok;
          const theirs = await library.webhooks.validate({
            rawBody: body,
            rawRequest: { headers: signed, method: "POST", url: "/webhooks" } as never,
          });
          // The library refuses an empty body before checking the signature; ours checks it.
          expect(ours).toBe(theirs.valid || (body.length === 0 && signingSecret === SECRET));
        },
      ),
      { numRuns: 100 },
    );
  });
});
