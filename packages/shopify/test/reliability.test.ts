import { createHmac, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeShopify } from "@neuroon/fake-shopify";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMemoryOfflineTokenStore,
  createShopifyBridge,
  type ShopifyBridge,
} from "../src/index.js";
import { API_SECRET, makeShopify, recordingQueue, SHOP, startFake } from "./harness.js";

// The Shopify bridge's Fetch entry point (`webhooks.handleRequest`) behind a node:http server on
// loopback, fed by the fake Shopify's signed deliveries and by hostile requests. Hostile requests
// get 401 (bad signature) or 400 (bad payload), never a 2xx that queues work and never a 5xx; the
// valid deliveries arriving between them are all queued.

const RETIRED_SECRET = "shpss_retired-before-the-last-rotation";

const sign = (body: string | Buffer, secret = API_SECRET) =>
  createHmac("sha256", secret).update(body).digest("base64");

describe("Shopify webhooks under hostile traffic (fake Shopify, real HTTP)", () => {
  let fake: FakeShopify;
  let bridge: ShopifyBridge;
  let server: Server;
  let url: string;
  const queue = recordingQueue();

  beforeAll(async () => {
    fake = await startFake();
    bridge = createShopifyBridge({
      shopify: makeShopify(fake),
      tokenStore: createMemoryOfflineTokenStore(),
      queueFor: (shop) => (shop === SHOP ? queue : undefined),
    });
    await bridge.tokens.install({ shop: SHOP, sessionToken: await fake.sessionToken(SHOP) });
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          for (const one of [value ?? []].flat()) headers.append(name, one);
        }
        const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
          method: req.method ?? "POST",
          headers,
          ...(req.method === "POST" ? { body: Buffer.concat(chunks) } : {}),
        });
        bridge.webhooks
          .handleRequest(request)
          .then(async (response) => {
            res.writeHead(response.status, { "content-type": "text/plain" });
            res.end(await response.text());
          })
          .catch((error: unknown) => {
            res.writeHead(500);
            res.end(String(error));
          });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    fake.subscribe(url, ["products/update", "products/delete"]);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fake.close();
  });

  const activeProducts = () =>
    fake.products(SHOP).filter((p) => p.status === "ACTIVE" && p.publishedToOnlineStore);

  const headersFor = (signature: string, webhookId: string, topic = "products/update") => ({
    "content-type": "application/json",
    "x-shopify-hmac-sha256": signature,
    "x-shopify-topic": topic,
    "x-shopify-shop-domain": SHOP,
    "x-shopify-api-version": "2026-10",
    "x-shopify-webhook-id": webhookId,
  });

  const post = async (body: string | Buffer, headers: Record<string, string>) => {
    const response = await fetch(url, { method: "POST", body, headers });
    await response.arrayBuffer();
    return response.status;
  };

  it("forged, stale, truncated and re-serialized signatures: 401 and nothing queued", async () => {
    const [first, second] = activeProducts();
    const [genuine] = await fake.updateProduct(SHOP, first?.id as string, { title: "Genuine" });
    const [later] = await fake.updateProduct(SHOP, second?.id as string, { title: "Later" });
    expect([genuine?.status, later?.status]).toEqual([200, 200]);
    const original = fake.deliveries.find((d) => d.webhookId === genuine?.webhookId);
    const next = fake.deliveries.find((d) => d.webhookId === later?.webhookId);
    if (!original || !next) throw new Error("no delivery recorded");
    const body = original.body;
    const signature = original.headers["x-shopify-hmac-sha256"] as string;
    expect(signature).toBe(sign(body));
    const queued = queue.changes.length;

    const cases: [string, string, string][] = [
      ["forged (random HMAC)", body, randomBytes(32).toString("base64")],
      ["forged (wrong secret)", body, sign(body, "not-the-app-secret")],
      ["stale: signed with a retired secret", body, sign(body, RETIRED_SECRET)],
      ["stale: an earlier delivery's signature on a new body", next.body, signature],
      ["truncated signature", body, signature.slice(0, -4)],
      ["truncated body, original signature", body.slice(0, body.length >> 1), signature],
      ["tampered body", body.replace("Genuine", "Hostile"), signature],
      ["re-serialized body", JSON.stringify(JSON.parse(body)), signature],
      ["hex instead of base64", body, Buffer.from(signature, "base64").toString("hex")],
      ["sha256= prefix", body, `sha256=${signature}`],
      ["two signatures", body, `${signature}, ${signature}`],
      ["empty signature", body, ""],
    ];
    for (const [label, payload, sig] of cases) {
      expect(payload === body && sig === signature, label).toBe(false);
      expect(await post(payload, headersFor(sig, `forged-${label}`)), label).toBe(401);
    }
    expect(queue.changes.length).toBe(queued);
    // The genuine delivery id was not burnt by the forgeries: a redelivery is still a duplicate
    // of the processed one, not a new change.
    expect((await fake.redeliver(genuine?.webhookId as string)).status).toBe(200);
    expect(queue.changes.length).toBe(queued);
  });

  it("hostile payloads (fast-check): 400 or 401, no crash, valid deliveries in between all queued", async () => {
    type Case = { label: string; body: Buffer; signed: boolean; expect: 400 | 401 };
    const signedBad = (label: string, body: Buffer | string): Case => ({
      label,
      body: Buffer.from(body),
      signed: true,
      expect: 400,
    });
    const notAnId = fc.oneof(
      fc.string().filter((s) => !/^[0-9]+$/.test(s)),
      fc.constant(null),
      fc.boolean(),
      fc.double().filter((d) => !Number.isInteger(d) || d < 0),
      fc.integer({ max: -1 }),
      fc.array(fc.integer()),
      fc.object(),
    );
    const hostile = fc.oneof(
      fc
        .integer({ min: 1_000, max: 200_000 })
        .map((d) => signedBad(`deep arrays ${d}`, `${"[".repeat(d)}${"]".repeat(d)}`)),
      fc
        .integer({ min: 1_000, max: 50_000 })
        .map((d) => signedBad(`deep objects ${d}`, `${'{"a":'.repeat(d)}1${"}".repeat(d)}`)),
      fc
        .integer({ min: 1_000, max: 100_000 })
        .map((d) => signedBad(`unclosed ${d}`, "{".repeat(d))),
      fc
        .integer({ min: 1, max: 2 * 2 ** 20 })
        .map((size) => signedBad(`huge ${size}`, Buffer.alloc(size, 0x20))),
      notAnId.map((id) =>
        signedBad(
          `wrong id ${JSON.stringify(id)?.slice(0, 30)}`,
          JSON.stringify({ id, title: "x" }),
        ),
      ),
      fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .map((bytes) =>
          signedBad(
            "invalid UTF-8 outside strings",
            Buffer.concat([
              Buffer.from('{"id":'),
              Buffer.from(bytes.map((b) => 0xc0 | (b & 0x3f))),
              Buffer.from("}"),
            ]),
          ),
        ),
      fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .map((bytes) =>
          signedBad(
            "invalid UTF-8 in a string, no id",
            Buffer.concat([
              Buffer.from('{"title":"'),
              Buffer.from(bytes.map((b) => 0xf8 | (b & 7))),
              Buffer.from('"}'),
            ]),
          ),
        ),
      fc.string({ maxLength: 300 }).map(
        (text): Case => ({
          label: "unsigned junk",
          body: Buffer.from(text),
          signed: false,
          expect: 401,
        }),
      ),
      fc.json().map(
        (json): Case => ({
          label: "unsigned JSON",
          body: Buffer.from(json),
          signed: false,
          expect: 401,
        }),
      ),
    );

    const products = activeProducts();
    const expected: string[] = [];
    let run = 0;
    const before = queue.changes.length;
    await fc.assert(
      fc.asyncProperty(hostile, fc.boolean(), async (c, interleave) => {
        run += 1;
        const signature = c.signed ? sign(c.body) : randomBytes(32).toString("base64");
        expect(await post(c.body, headersFor(signature, `hostile-${run}`)), c.label).toBe(c.expect);
        if (interleave) {
          const product = products[run % products.length];
          const [delivery] = await fake.updateProduct(SHOP, product?.id as string, {
            title: `Valid ${run}`,
          });
          expect(delivery?.status).toBe(200);
          expected.push(product?.id as string);
        }
      }),
      { numRuns: 150, seed: 4242 },
    );
    // Exactly the valid deliveries were queued, in order; nothing from the hostile ones.
    expect(queue.changes.slice(before).map((c) => c.key)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it("a 10 MiB body is refused with 413 before it is hashed, and the server keeps serving", async () => {
    const huge = Buffer.alloc(10 * 2 ** 20, 0x61);
    expect(await post(huge, headersFor(randomBytes(32).toString("base64"), "huge-unsigned"))).toBe(
      413,
    );
    expect(await post(huge, headersFor(sign(huge), "huge-signed"))).toBe(413);
    const before = queue.changes.length;
    const product = activeProducts()[0];
    const [delivery] = await fake.updateProduct(SHOP, product?.id as string, {
      title: "After huge",
    });
    expect(delivery?.status).toBe(200);
    expect(queue.changes.length).toBe(before + 1);
  });
});
