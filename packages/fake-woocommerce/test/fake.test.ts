import { createHmac, randomBytes } from "node:crypto";
import { afterEach, describe, expect, test } from "vitest";
import {
  type FakeWooCommerce,
  type FakeWooCommerceOptions,
  generateCatalog,
  parsePhpQuery,
  phpJsonEncode,
  startFakeWooCommerce,
} from "../src/index.js";

const KEY = "ck_fake";
const SECRET = "cs_fake";

let fake: FakeWooCommerce | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: Partial<FakeWooCommerceOptions> = {}): Promise<FakeWooCommerce> {
  fake = await startFakeWooCommerce({
    consumerKey: KEY,
    consumerSecret: SECRET,
    catalog: generateCatalog({ products: 40, seed: 2 }),
    ...options,
  });
  return fake;
}

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/**
 * Signs like the `oauth-1.0a` package the WooCommerce JS client uses: all query parameters plus
 * the oauth ones, percent-encoded, sorted by encoded key, HMAC-SHA256 with `secret&`.
 */
function signedUrl(
  method: string,
  url: string,
  params: [string, string][],
  options: { secret?: string; timestamp?: number; nonce?: string; signUrl?: string } = {},
): string {
  const oauth: [string, string][] = [
    ["oauth_consumer_key", KEY],
    ["oauth_nonce", options.nonce ?? randomBytes(16).toString("hex")],
    ["oauth_signature_method", "HMAC-SHA256"],
    ["oauth_timestamp", String(options.timestamp ?? Math.floor(Date.now() / 1000))],
    ["oauth_version", "1.0"],
  ];
  const all = [...params, ...oauth].map(([k, v]) => [rfc3986(k), rfc3986(v)] as const);
  all.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : 1));
  const paramString = all.map(([k, v]) => `${k}=${v}`).join("&");
  const base = `${method}&${rfc3986(options.signUrl ?? url)}&${rfc3986(paramString)}`;
  const signature = createHmac("sha256", `${options.secret ?? SECRET}&`)
    .update(base)
    .digest("base64");
  const query = [...params, ...oauth, ["oauth_signature", signature]]
    .map(
      ([k, v]) =>
        `${encodeURIComponent(k as string)
          .replace(/%5B/g, "[")
          .replace(/%5D/g, "]")}=${encodeURIComponent(v as string)}`,
    )
    .join("&");
  return `${url}?${query}`;
}

async function get(
  path: string,
  params: [string, string][] = [],
  options: Parameters<typeof signedUrl>[3] = {},
) {
  const store = fake as FakeWooCommerce;
  const response = await fetch(
    signedUrl("GET", `${store.url}/wp-json/wc/v3${path}`, params, options),
  );
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: JSON.parse(text) as unknown,
  };
}

describe("PHP behaviours", () => {
  test("wp_json_encode escapes slashes and non-ASCII (UTF-16 units)", () => {
    expect(phpJsonEncode({ url: "https://a.b/c", name: "Crème 😀", n: 1 })).toBe(
      '{"url":"https:\\/\\/a.b\\/c","name":"Cr\\u00e8me \\ud83d\\ude00","n":1}',
    );
    expect(JSON.parse(phpJsonEncode({ name: "Crème 😀" }))).toEqual({ name: "Crème 😀" });
  });

  test("parse_str keeps array members in arrival order and decodes + as space", () => {
    const parsed = parsePhpQuery(
      "include[0]=1&include[10]=11&include[1]=2&q=a+b%2Bc&x[a][]=1&x[a][]=2&flag",
    );
    expect(
      parsed.get("include") && (parsed.get("include") as { entries: unknown[] }).entries,
    ).toEqual([
      ["0", "1"],
      ["10", "11"],
      ["1", "2"],
    ]);
    expect(parsed.string("q")).toBe("a b+c");
    expect(parsed.string("flag")).toBe("");
    expect(parsed.list("include")).toEqual(["1", "11", "2"]);
  });
});

describe("authentication (WC_REST_Authentication)", () => {
  test("OAuth 1.0a HMAC-SHA256 in the query string over http", async () => {
    await start();
    const { status, headers, json } = await get("/products", [
      ["per_page", "5"],
      ["page", "2"],
    ]);
    expect(status).toBe(200);
    expect(headers.get("x-wp-total")).toBe(
      String(
        [...(fake as FakeWooCommerce).store.products.values()].filter((p) => p.status !== "trash")
          .length,
      ),
    );
    expect(headers.get("x-wp-totalpages")).toBe(
      String(Math.ceil(Number(headers.get("x-wp-total")) / 5)),
    );
    expect(headers.get("link")).toMatch(/rel="prev".*rel="next"/);
    expect(json).toHaveLength(5);
  });

  test("OAuth in an Authorization header", async () => {
    const store = await start();
    const url = `${store.url}/wp-json/wc/v3/products`;
    const signed = new URL(signedUrl("GET", url, []));
    const header = `OAuth ${[...signed.searchParams].map(([k, v]) => `${k}="${encodeURIComponent(v)}"`).join(", ")}`;
    const response = await fetch(url, { headers: { authorization: header } });
    expect(response.status).toBe(200);
  });

  test.each([
    {
      case: "wrong secret",
      options: { secret: "nope" },
      message: "Invalid signature - provided signature does not match.",
    },
    {
      case: "signed for another host",
      options: { signUrl: "http://localhost/wp-json/wc/v3/products" },
      message: "Invalid signature - provided signature does not match.",
    },
    {
      case: "timestamp 16 minutes old",
      options: { timestamp: Math.floor(Date.now() / 1000) - 16 * 60 },
      message: "Invalid timestamp.",
    },
  ])("401 on $case", async ({ options, message }) => {
    await start();
    const { status, json } = await get("/products", [], options);
    expect(status).toBe(401);
    expect(json).toEqual({
      code: "woocommerce_rest_authentication_error",
      message,
      data: { status: 401 },
    });
  });

  test("a nonce cannot be used twice", async () => {
    await start();
    expect((await get("/products", [], { nonce: "n1" })).status).toBe(200);
    expect((await get("/products", [], { nonce: "n1" })).json).toMatchObject({
      message: "Invalid nonce - nonce has already been used.",
    });
  });

  test("clock skew injected on the store side", async () => {
    await start();
    fake?.faults.setClockSkewMs(20 * 60_000);
    expect((await get("/products")).json).toMatchObject({ message: "Invalid timestamp." });
  });

  test("Basic auth is ignored over plain http (is_ssl() false): anonymous 401", async () => {
    const store = await start();
    const response = await fetch(`${store.url}/wp-json/wc/v3/products`, {
      headers: { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString("base64")}` },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      code: "woocommerce_rest_cannot_view",
      message: "Sorry, you cannot list resources.",
      data: { status: 401 },
    });
  });

  test("with is_ssl(): Basic auth and consumer_key query parameters", async () => {
    const store = await start({ isSsl: true });
    const basic = (secret: string) =>
      fetch(`${store.url}/wp-json/wc/v3/products/categories`, {
        headers: { authorization: `Basic ${Buffer.from(`${KEY}:${secret}`).toString("base64")}` },
      });
    expect((await basic(SECRET)).status).toBe(200);
    expect(await (await basic("bad")).json()).toMatchObject({
      message: "Consumer secret is invalid.",
    });
    const query = await fetch(
      `${store.url}/wp-json/wc/v3/products?consumer_key=${KEY}&consumer_secret=${SECRET}`,
    );
    expect(query.status).toBe(200);
  });

  test("a read key cannot write", async () => {
    const store = await start({
      isSsl: true,
      extraKeys: [
        { consumerKey: "ck_ro", consumerSecret: "cs_ro", permissions: "read", userId: 2 },
      ],
    });
    const response = await fetch(
      `${store.url}/wp-json/wc/v3/webhooks?consumer_key=ck_ro&consumer_secret=cs_ro`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ topic: "product.updated", delivery_url: "https://x.example" }),
      },
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      message: "The API key provided does not have write permissions.",
    });
  });

  test("array parameters: PHP order signs for up to 10 members; the JS client's sorted include[10] does not", async () => {
    await start();
    const ids = (n: number) =>
      Array.from({ length: n }, (_, i) => [`include[${i}]`, String(100 + i)] as [string, string]);
    // The client folds params into the URL sorted as text: include[0], include[10], include[1], …
    const sorted = (n: number) => ids(n).sort(([a], [b]) => (a < b ? -1 : 1));
    expect((await get("/products", sorted(10))).status).toBe(200);
    expect((await get("/products", sorted(11))).status).toBe(401);
    expect(
      (
        await get("/products", [
          [
            "include",
            ids(11)
              .map(([, v]) => v)
              .join(","),
          ],
        ])
      ).status,
    ).toBe(200);
  });
});

describe("REST behaviour", () => {
  test("per_page over 100, bad enums and unknown routes", async () => {
    await start();
    expect((await get("/products", [["per_page", "101"]])).json).toMatchObject({
      code: "rest_invalid_param",
      message: "Invalid parameter(s): per_page",
      data: {
        status: 400,
        params: { per_page: "per_page must be between 1 (inclusive) and 100 (inclusive)" },
      },
    });
    expect((await get("/products", [["status", "live"]])).status).toBe(400);
    expect((await get("/nothing")).json).toMatchObject({
      code: "rest_no_route",
      data: { status: 404 },
    });
    expect((await get("/products/999999")).json).toEqual({
      code: "woocommerce_rest_product_invalid_id",
      message: "Invalid ID.",
      data: { status: 404 },
    });
  });

  test("responses are PHP-encoded JSON and _fields trims them (nested too)", async () => {
    const store = await start();
    const id = [...store.store.products.values()].find((p) => p.status === "publish")?.id as number;
    const { text, json } = await get(`/products/${id}`, [
      ["_fields", "id,permalink,dimensions.width"],
    ]);
    expect(text).toContain(":\\/\\/");
    expect(json).toEqual({ id, permalink: expect.any(String), dimensions: { width: "" } });
  });

  test("a variation read as a product has type variation and parent_id", async () => {
    const store = await start();
    const variation = [...store.store.variations.values()][0];
    const { json } = await get(`/products/${variation?.id}`);
    expect(json).toMatchObject({
      id: variation?.id,
      type: "variation",
      parent_id: variation?.parent_id,
    });
  });

  test("trash: hidden from status=any, listed with status=trash; DELETE trashes, force deletes", async () => {
    const store = await start();
    const product = store.store.addProduct({ name: "Doomed", regular_price: "1.00" });
    const del = async (force: boolean) =>
      fetch(
        signedUrl(
          "DELETE",
          `${store.url}/wp-json/wc/v3/products/${product.id}`,
          force ? [["force", "true"]] : [],
        ),
        {
          method: "DELETE",
        },
      );
    expect((await del(false)).status).toBe(200);
    const any = (
      await get("/products", [
        ["per_page", "100"],
        ["_fields", "id"],
      ])
    ).json as { id: number }[];
    expect(any.map((p) => p.id)).not.toContain(product.id);
    const trash = (
      await get("/products", [
        ["status", "trash"],
        ["_fields", "id"],
      ])
    ).json as { id: number }[];
    expect(trash.map((p) => p.id)).toContain(product.id);
    expect((await del(false)).status).toBe(410);
    expect((await del(true)).status).toBe(200);
    expect(store.store.products.has(product.id)).toBe(false);
  });

  test("variable parents: price is the lowest enabled variation, regular_price empty", async () => {
    const store = await start();
    const parent = store.store.addProduct({ name: "V", type: "variable" });
    store.store.addVariation(parent.id, { regular_price: "30.00" });
    store.store.addVariation(parent.id, { regular_price: "12.50" });
    store.store.addVariation(parent.id, { regular_price: "5.00", status: "private" });
    const { json } = await get(`/products/${parent.id}`);
    expect(json).toMatchObject({
      price: "12.50",
      regular_price: "",
      variations: expect.any(Array),
    });
  });

  test("faults: status codes, then normal service", async () => {
    const store = await start();
    store.faults.add({ path: "/products", status: 503, times: 1 });
    expect((await get("/products")).status).toBe(503);
    expect((await get("/products")).status).toBe(200);
  });

  test("faults can match query parameters (a plugin blocking context=edit)", async () => {
    const store = await start();
    store.faults.add({
      path: "/products",
      query: { context: "edit" },
      status: 403,
      code: "rest_forbidden_context",
    });
    expect((await get("/products", [["context", "edit"]])).json).toMatchObject({
      code: "rest_forbidden_context",
      data: { status: 403 },
    });
    expect((await get("/products", [["context", "view"]])).status).toBe(200);
    expect((await get("/products")).status).toBe(200);
  });

  test("post_password only in the edit context, with raw descriptions; context is validated", async () => {
    const store = await start();
    const locked = store.store.addProduct({
      name: "Members only",
      regular_price: "10.00",
      description: "Shown after the password. [gallery ids=1]",
      post_password: "s3cret",
    });
    const open = store.store.addProduct({ name: "Open", regular_price: "10.00" });
    const view = (await get(`/products/${locked.id}`)).json as Record<string, unknown>;
    expect(view).not.toHaveProperty("post_password");
    expect(view.description).not.toContain("[gallery");
    const edit = (await get(`/products/${locked.id}`, [["context", "edit"]])).json as Record<
      string,
      unknown
    >;
    expect(edit).toMatchObject({ post_password: "s3cret", description: locked.description });
    // The trimmed collection read the adapter makes, in `include` order of the store's choosing.
    const list = (
      await get("/products", [
        ["include", `${locked.id},${open.id}`],
        ["per_page", "100"],
        ["context", "edit"],
        ["_fields", "id,post_password"],
      ])
    ).json as unknown[];
    expect(list).toEqual(
      expect.arrayContaining([
        { id: locked.id, post_password: "s3cret" },
        { id: open.id, post_password: "" },
      ]),
    );
    expect(list).toHaveLength(2);
    const viewList = (
      await get("/products", [
        ["include", String(locked.id)],
        ["_fields", "id,post_password"],
      ])
    ).json;
    expect(viewList).toEqual([{ id: locked.id }]);
    expect((await get("/products", [["context", "embed"]])).json).toMatchObject({
      code: "rest_invalid_param",
      data: { status: 400, params: { context: "context is not one of view and edit." } },
    });
  });
});

describe("generateCatalog", () => {
  test("is deterministic per seed and covers every case the bridge must handle", () => {
    const a = generateCatalog({ products: 3000, seed: 42, at: new Date("2026-11-01T00:00:00Z") });
    const b = generateCatalog({ products: 3000, seed: 42, at: new Date("2026-11-01T00:00:00Z") });
    expect(a).toEqual(b);
    expect(generateCatalog({ products: 50, seed: 43 })).not.toEqual(
      generateCatalog({ products: 50, seed: 42 }),
    );
    expect(a.products).toHaveLength(3000);
    const values = <K extends keyof (typeof a.products)[0]>(key: K) =>
      new Set(a.products.map((p) => p[key]));
    expect(values("type")).toEqual(new Set(["simple", "variable", "grouped", "external"]));
    expect(values("status")).toEqual(new Set(["publish", "draft", "pending", "private", "trash"]));
    expect(values("catalog_visibility")).toEqual(
      new Set(["visible", "catalog", "search", "hidden"]),
    );
    expect(a.variations.length).toBeGreaterThan(700);
    expect(a.products.some((p) => p.date_on_sale_from_gmt !== null)).toBe(true);
    expect(
      a.categories.some((c) =>
        a.categories.some((d) => d.parent === c.id && a.categories.some((e) => e.parent === d.id)),
      ),
    ).toBe(true);
    expect(a.brands.some((brand) => brand.parent !== 0)).toBe(true);
  });
});

describe("webhook deliveries", () => {
  test("headers, PHP body, signature over the exact bytes, deleted = {id}, drops", async () => {
    const { createServer } = await import("node:http");
    const got: { headers: Record<string, unknown>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        got.push({ headers: req.headers, body });
        res.writeHead(302, { location: "http://127.0.0.1:1/" }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const store = await start();
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
      const webhook = store.webhooks.create({
        topic: "product.deleted",
        delivery_url: url,
        secret: "sek",
      });
      const [delivery] = await store.deliverWebhook("product.deleted", 123);
      // A 302 counts as success and is not followed.
      expect(delivery).toMatchObject({ ok: true, responseStatus: 302 });
      expect(got).toHaveLength(1);
      const { headers, body } = got[0] as { headers: Record<string, unknown>; body: string };
      expect(body).toBe('{"id":123}');
      expect(headers).toMatchObject({
        "x-wc-webhook-topic": "product.deleted",
        "x-wc-webhook-resource": "product",
        "x-wc-webhook-event": "deleted",
        "x-wc-webhook-id": String(webhook.id),
        "x-wc-webhook-source": `${store.homeUrl}/`,
        "x-wc-webhook-signature": createHmac("sha256", "sek").update(body).digest("base64"),
      });
      expect(headers["x-wc-webhook-delivery-id"]).toMatch(/^[0-9a-f]{32}$/);
      store.faults.dropWebhookDeliveries(1);
      expect(await store.deliverWebhook("product.deleted", 124)).toEqual([]);
      await store.deliverWebhook("product.deleted", 125);
      expect(got.map((g) => g.body)).toEqual(['{"id":123}', '{"id":125}']);
      const ping = await store.webhooks.ping(webhook);
      expect(ping).toMatchObject({ isPing: true, body: `webhook_id=${webhook.id}` });
      expect(ping.headers["x-wc-webhook-signature"]).toBeUndefined();
    } finally {
      server.close();
    }
  });
});
