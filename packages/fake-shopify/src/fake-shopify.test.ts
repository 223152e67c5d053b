import "@shopify/shopify-api/adapters/node";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { getOperationAST, parse } from "graphql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildAdminSchema, flattenBulkResult, requestedCost } from "./admin-schema.js";
import { generateCatalog } from "./catalog.js";
import { toShopifyJson } from "./payloads.js";
import { type FakeShopify, startFakeShopify } from "./server.js";

const API_KEY = "fake-key";
const API_SECRET = "fake-secret";
const SHOP = "fake-shop.myshopify.com";

/** The parts of fake answers the tests read. */
interface Answer {
  access_token: string;
  refresh_token: string;
  errors: { message: string; extensions: { code: string } }[];
  extensions: { cost: unknown };
  data: { products: { nodes: unknown[] } };
}

const shopify = shopifyApi({
  apiKey: API_KEY,
  apiSecretKey: API_SECRET,
  hostName: "app.example.test",
  apiVersion: ApiVersion.October26,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

async function graphql(fake: FakeShopify, token: string, query: string, variables?: unknown) {
  const response = await fake.fetch(`https://${SHOP}/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": token },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

async function exchange(fake: FakeShopify, sessionToken: string) {
  const response = await fake.fetch(`https://${SHOP}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_id: API_KEY,
      client_secret: API_SECRET,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: sessionToken,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      expiring: "1",
    }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe("generateCatalog", () => {
  it("is deterministic and covers every indexability case", () => {
    const a = generateCatalog({ seed: 3, products: 30 });
    expect(generateCatalog({ seed: 3, products: 30 })).toEqual(a);
    expect(new Set(a.map((p) => p.status))).toEqual(
      new Set(["ACTIVE", "DRAFT", "ARCHIVED", "UNLISTED"]),
    );
    expect(a.some((p) => p.status === "ACTIVE" && !p.publishedToOnlineStore)).toBe(true);
    expect(a.some((p) => p.variants.length > 1)).toBe(true);
    expect(
      a.some((p) =>
        p.variants.some((v) => v.compareAtPrice && Number(v.compareAtPrice) > Number(v.price)),
      ),
    ).toBe(true);
    expect(BigInt(a[0]?.id as string)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it("serializes ids beyond 2^53 as bare JSON numbers", () => {
    const json = toShopifyJson({ id: "\u0000int:9007199254740993", name: "x" });
    expect(json).toBe('{"id":9007199254740993,"name":"x"}');
  });
});

describe("requestedCost", () => {
  const schema = buildAdminSchema();
  const cost = (query: string, variables: Record<string, unknown> = {}) => {
    const document = parse(query);
    return requestedCost(schema, document, getOperationAST(document) as never, variables);
  };
  it.each([
    ["{ shop { currencyCode } }", {}, 1],
    ["{ products(first: 10) { nodes { id title } } }", {}, 12],
    [
      "{ products(first: 10) { edges { node { id variants(first: 5) { nodes { id } } } } } }",
      {},
      2 + 10 * (1 + 2 + 5),
    ],
    ["query($ids: [ID!]!) { nodes(ids: $ids) { id } }", { ids: ["a", "b", "c"] }, 3],
    [
      'mutation { bulkOperationRunQuery(query: "{ products { edges { node { id } } } }") { userErrors { message } } }',
      {},
      10 + 1 + 1,
    ],
  ])("%s with %j costs %i", (query, variables, expected) => {
    expect(cost(query, variables)).toBe(expected);
  });
});

describe("flattenBulkResult", () => {
  it("puts nested connection nodes on their own lines with __parentId", () => {
    const lines = flattenBulkResult({
      products: {
        edges: [
          {
            node: {
              id: "gid://shopify/Product/1",
              variants: { edges: [{ node: { id: "gid://shopify/ProductVariant/2" } }] },
            },
          },
        ],
      },
    });
    expect(lines).toEqual([
      { id: "gid://shopify/Product/1" },
      { id: "gid://shopify/ProductVariant/2", __parentId: "gid://shopify/Product/1" },
    ]);
  });
});

describe("startFakeShopify", () => {
  let fake: FakeShopify;
  let clock: number;
  beforeEach(async () => {
    clock = Date.now();
    fake = await startFakeShopify({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      shops: [{ domain: SHOP, products: { products: 12 } }],
      bucket: { maximumAvailable: 100, restoreRate: 100 },
      now: () => clock,
    });
  });
  afterEach(() => fake.close());

  it("exchanges a session token for an expiring offline token and rotates refresh tokens", async () => {
    const { status, body } = await exchange(fake, await fake.sessionToken(SHOP));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^shprt_/),
    });
    const refresh = (token: string) =>
      fake.fetch(`https://${SHOP}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_id: API_KEY,
          client_secret: API_SECRET,
          grant_type: "refresh_token",
          refresh_token: token,
        }),
      });
    expect((await refresh(body.refresh_token)).status).toBe(200);
    expect((await refresh(body.refresh_token)).status).toBe(400);
  });

  it("refuses a forged session token and a token past its expiry", async () => {
    const forged = (await getJwt("fake-shop", API_KEY, "other-secret")).token;
    expect((await exchange(fake, forged)).status).toBe(400);
    const { body } = await exchange(fake, await fake.sessionToken(SHOP));
    expect((await graphql(fake, body.access_token, "{ shop { currencyCode } }")).status).toBe(200);
    clock += 3601_000;
    expect((await graphql(fake, body.access_token, "{ shop { currencyCode } }")).status).toBe(401);
  });

  it("answers THROTTLED with HTTP 200 when the bucket is short, and refills", async () => {
    const { body: token } = await exchange(fake, await fake.sessionToken(SHOP));
    fake.drainBucket(SHOP, 0);
    // 100 points: the whole bucket, which takes a second to refill at 100 points/s.
    const query = "{ products(first: 98) { nodes { id } } }";
    const throttled = await graphql(fake, token.access_token, query);
    expect(throttled.status).toBe(200);
    expect(throttled.body.errors[0]?.extensions.code).toBe("THROTTLED");
    expect(throttled.body.extensions.cost).toMatchObject({
      requestedQueryCost: 100,
      throttleStatus: { maximumAvailable: 100, restoreRate: 100 },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const ok = await graphql(fake, token.access_token, query);
    expect(ok.body.data.products.nodes).toHaveLength(12);
  });

  it("answers from Shopify's real schema: what Shopify rejects is rejected in Shopify's shape", async () => {
    const { body: token } = await exchange(fake, await fake.sessionToken(SHOP));
    const product = fake.products(SHOP)[0]?.id as string;
    // The hand-written schema took this: `featuredMedia` is the `Media` interface on Shopify.
    const wrongQuery = `{ product(id: "gid://shopify/Product/${product}") { featuredMedia { image { url } } } }`;
    const wrong = await graphql(fake, token.access_token, wrongQuery);
    expect(wrong.status).toBe(200);
    expect(wrong.body).toEqual({
      errors: [
        {
          message: "Field 'image' doesn't exist on type 'Media'",
          locations: [{ line: 1, column: wrongQuery.indexOf("image") + 1 }],
          extensions: { code: "undefinedField", typeName: "Media", fieldName: "image" },
        },
      ],
    });
    const missing = await graphql(fake, token.access_token, "{ product { id } }");
    expect(missing.body.errors).toMatchObject([
      {
        message: "Field 'product' is missing required arguments: id",
        extensions: { code: "missingRequiredArguments" },
      },
    ]);
    const right = await graphql(
      fake,
      token.access_token,
      `{ product(id: "gid://shopify/Product/${product}") { featuredMedia { ... on MediaImage { image { url } } } variantsCount { count precision } } shop { currencyCode } }`,
    );
    expect(right.body).toMatchObject({
      data: {
        product: { variantsCount: { precision: "EXACT" } },
        shop: { currencyCode: expect.stringMatching(/^[A-Z]{3}$/) },
      },
    });
    expect(right.body.errors).toBeUndefined();
  });

  it("names a field the real schema has but the fake does not serve", async () => {
    const { body: token } = await exchange(fake, await fake.sessionToken(SHOP));
    const answer = await graphql(fake, token.access_token, "{ shop { email } }");
    expect(answer.body.errors).toMatchObject([
      { message: expect.stringContaining("does not serve Shop.email"), path: ["shop", "email"] },
    ]);
  });

  it("signs webhook deliveries so the library's validate accepts them", async () => {
    const checks: unknown[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        void shopify.webhooks
          .validate({
            rawBody: Buffer.concat(chunks).toString("utf8"),
            rawRequest: request,
            rawResponse: response,
          })
          .then((check) => {
            checks.push(check);
            response.writeHead(check.valid ? 200 : 401);
            response.end();
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      fake.subscribe(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, [
        "products/update",
      ]);
      const product = fake.products(SHOP)[0];
      const [delivery] = await fake.updateProduct(SHOP, product?.id as string, {
        title: "Changed",
      });
      expect(delivery?.status).toBe(200);
      expect(checks[0]).toMatchObject({
        valid: true,
        topic: "PRODUCTS_UPDATE",
        domain: SHOP,
        apiVersion: "2026-10",
        webhookId: delivery?.webhookId,
      });
      expect(delivery?.body).toContain(`"id":${product?.id},`);
    } finally {
      server.close();
    }
  });

  it("signs app proxy queries so the library's validateHmac accepts them", async () => {
    const query = fake.appProxyQuery(SHOP);
    await expect(
      shopify.utils.validateHmac(Object.fromEntries(query), { signator: "appProxy" }),
    ).resolves.toBe(true);
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://proxy");
      void shopify.utils
        .validateHmac(Object.fromEntries(url.searchParams), { signator: "appProxy" })
        .then((ok) => {
          response.writeHead(ok ? 200 : 401);
          response.end();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const response = await fake.proxyRequest(
        SHOP,
        `http://127.0.0.1:${(server.address() as AddressInfo).port}/proxy/token`,
      );
      expect(response.status).toBe(200);
    } finally {
      server.close();
    }
  });
});
