import { randomBytes } from "node:crypto";
import type { FakeProduct } from "@neuroon/fake-woocommerce";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WooBridge } from "../../src/bridge/bridge.js";
import { createJsonLineLogger } from "../../src/bridge/logger.js";
import { signWooWebhookForTest } from "../../src/index.js";
import {
  API_KEY,
  type Harness,
  postWebhook,
  SHOP_ID,
  startHarness,
  WEBHOOK_SECRET,
  waitFor,
} from "./harness.js";

// The real bridge (createWooBridge: server, durable queue, worker) between the fake WooCommerce
// and the emulator, over loopback. Hostile requests never get a 2xx that queues work, never crash
// the bridge, and never cost a valid delivery that arrives between them. The API key never shows
// in anything the bridge writes or answers.

const RETIRED_SECRET = "whsec-retired-before-the-last-rotation-000";
const CAP = 64 * 1024;

describe("WooCommerce bridge under hostile webhook traffic (fake store + emulator)", () => {
  let h: Harness;
  let bridge: WooBridge;
  let webhookUrl: string;
  const logLines: string[] = [];

  const emuProduct = (externalId: string) =>
    h.emu.snapshot(SHOP_ID).find((product) => product.externalId === externalId);
  const simpleSynced = (): FakeProduct[] =>
    [...h.fake.store.products.values()].filter(
      (p) => p.type === "simple" && emuProduct(String(p.id)) !== undefined,
    );
  const queuedCount = () =>
    h.webhooks.filter((w) => w.outcome.ok && w.outcome.status === "queued").length;
  const syncRequests = () =>
    h.emu.requests.filter((r) => r.method === "POST" && r.path.endsWith("/products/sync")).length;

  /** Headers of a product.updated delivery, signed with `secret` unless a signature is given. */
  const headers = (body: string | Buffer, deliveryId: string, signature?: string) => ({
    "content-type": "application/json",
    "x-wc-webhook-source": `${h.fake.url}/`,
    "x-wc-webhook-topic": "product.updated",
    "x-wc-webhook-resource": "product",
    "x-wc-webhook-event": "updated",
    "x-wc-webhook-id": "1",
    "x-wc-webhook-delivery-id": deliveryId,
    "x-wc-webhook-signature": signature ?? signWooWebhookForTest(body, WEBHOOK_SECRET),
  });

  const post = async (body: string | Buffer, hdrs: Record<string, string>) => {
    const response = await fetch(webhookUrl, { method: "POST", body, headers: hdrs });
    await response.arrayBuffer();
    return response.status;
  };

  beforeAll(async () => {
    h = await startHarness({ products: 40, seed: 23, orders: 0 });
    bridge = h.makeBridge(
      { maxBodyBytes: CAP },
      {
        logger: createJsonLineLogger({ write: (text: string) => logLines.push(text) }),
      },
    );
    await bridge.start();
    webhookUrl = `${h.config.publicUrl}/woocommerce/webhooks`;
    await bridge.setup(); // creates the store's webhooks, pointed at the bridge
    await bridge.syncAll();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("forged, stale, truncated and re-serialized signatures: 401, nothing queued, nothing sent", async () => {
    const product = simpleSynced()[0] as FakeProduct;
    h.fake.store.updateProduct(product.id, { name: "Genuine edit" });
    const [genuine] = await h.fake.deliverWebhook("product.updated", product.id);
    if (!genuine) throw new Error("no delivery");
    expect(genuine.responseStatus).toBe(200);
    await waitFor(() => emuProduct(String(product.id))?.name === "Genuine edit");
    h.fake.store.updateProduct(product.id, { name: "Second genuine edit" });
    const [later] = await h.fake.deliverWebhook("product.updated", product.id);
    if (!later) throw new Error("no delivery");
    await waitFor(() => emuProduct(String(product.id))?.name === "Second genuine edit");

    const queuedBefore = queuedCount();
    const syncsBefore = syncRequests();
    const signature = genuine.headers["x-wc-webhook-signature"] as string;
    const tampered = genuine.body.replace("Genuine edit", "Hostile edit");
    expect(tampered).not.toBe(genuine.body);
    const cases: [string, string, string | undefined][] = [
      ["forged (random HMAC)", genuine.body, randomBytes(32).toString("base64")],
      ["forged (wrong secret)", genuine.body, signWooWebhookForTest(genuine.body, "x".repeat(32))],
      [
        "stale: signed with a retired secret",
        genuine.body,
        signWooWebhookForTest(genuine.body, RETIRED_SECRET),
      ],
      ["stale: an earlier delivery's signature on a new body", later.body, signature],
      ["truncated signature", genuine.body, signature.slice(0, -4)],
      [
        "truncated body, original signature",
        genuine.body.slice(0, genuine.body.length >> 1),
        signature,
      ],
      ["tampered body, original signature", tampered, signature],
      ["re-serialized body", JSON.stringify(JSON.parse(genuine.body)), signature],
      ["hex instead of base64", genuine.body, Buffer.from(signature, "base64").toString("hex")],
      ["sha256= prefix", genuine.body, `sha256=${signature}`],
      ["empty signature", genuine.body, ""],
    ];
    for (const [label, body, sig] of cases) {
      const status = await post(body, {
        ...headers(body, `forged-${label}`, sig),
      });
      expect(status, label).toBe(401);
    }
    const missing: Record<string, string> = headers(genuine.body, "forged-missing");
    delete missing["x-wc-webhook-signature"];
    expect(await post(genuine.body, missing)).toBe(401);

    expect(queuedCount()).toBe(queuedBefore);
    await bridge.drain();
    expect(syncRequests()).toBe(syncsBefore);
    expect(emuProduct(String(product.id))?.name).toBe("Second genuine edit");
    expect((await bridge.status()).queue).toMatchObject({
      pending: 0,
      inFlight: 0,
      deadLetters: 0,
    });
  });

  it("hostile payloads (fast-check): a clear refusal, no crash, valid deliveries in between all processed", async () => {
    // Each case carries the answer the bridge must give. Signed JSON that names no usable product
    // is acknowledged 200 "ignored" (WooCommerce disables a webhook after 7 non-2xx answers in a
    // row, so a signed but useless delivery must not count as a failure) and queues nothing.
    type Case = { label: string; body: Buffer; signed: boolean; expect: number | "ignored" };
    const deep = (depth: number, open: string, close: string) =>
      Buffer.from(`${open.repeat(depth)}${close.repeat(depth)}`);
    // Nested cases stay under the size cap (64 KiB here) so they reach the parser.
    const hostile = fc.oneof(
      fc.integer({ min: 1_000, max: 30_000 }).map(
        (depth): Case => ({
          label: `deep arrays ${depth}`,
          body: deep(depth, "[", "]"),
          signed: true,
          expect: "ignored",
        }),
      ),
      fc.integer({ min: 1_000, max: 10_000 }).map(
        (depth): Case => ({
          label: `deep objects ${depth}`,
          body: Buffer.from(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`),
          signed: true,
          expect: "ignored",
        }),
      ),
      fc.integer({ min: 1_000, max: 60_000 }).map(
        (depth): Case => ({
          label: `unclosed nesting ${depth}`,
          body: Buffer.from("[".repeat(depth)),
          signed: true,
          expect: 400,
        }),
      ),
      fc.integer({ min: CAP + 1, max: CAP * 8 }).map(
        (size): Case => ({
          label: `huge body ${size}`,
          body: Buffer.alloc(size, 0x20),
          signed: true,
          expect: 413,
        }),
      ),
      fc
        .oneof(
          fc.string(),
          fc.constant(null),
          fc.boolean(),
          fc.double(),
          fc.integer({ max: 0 }),
          fc.array(fc.integer()),
          fc.object(),
        )
        .map(
          (id): Case => ({
            label: `wrong id type ${JSON.stringify(id)?.slice(0, 40)}`,
            body: Buffer.from(JSON.stringify({ id, name: "x", type: "simple" })),
            signed: true,
            expect: "ignored",
          }),
        ),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes): Case => {
        // Bytes that are never valid UTF-8 (0xC0, 0xFF…) inside and outside a string.
        const garbage = Buffer.from(bytes.map((b) => 0xc0 | (b & 0x3f) | 0x80));
        return {
          label: "invalid UTF-8 outside strings",
          body: Buffer.concat([Buffer.from('{"id":'), garbage, Buffer.from("}")]),
          signed: true,
          expect: 400,
        };
      }),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map(
        (bytes): Case => ({
          label: "invalid UTF-8 in a string, no id",
          body: Buffer.concat([
            Buffer.from('{"name":"'),
            Buffer.from(bytes.map((b) => 0xf8 | (b & 7))),
            Buffer.from('"}'),
          ]),
          signed: true,
          expect: "ignored",
        }),
      ),
      fc.string({ maxLength: 200 }).map(
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

    const candidates = simpleSynced().slice(1, 30);
    expect(candidates.length).toBeGreaterThan(10);
    const expectedNames = new Map<string, string>();
    let run = 0;
    const queuedBefore = queuedCount();
    let validQueued = 0;
    await fc.assert(
      fc.asyncProperty(hostile, fc.boolean(), async (c, interleave) => {
        run += 1;
        const hdrs = headers(
          c.body,
          `hostile-${run}`,
          c.signed ? undefined : randomBytes(32).toString("base64"),
        );
        const response = await fetch(webhookUrl, {
          method: "POST",
          body: c.body,
          headers: hdrs,
        }).catch((error: unknown) => {
          // A 413 may close the socket before the whole body is written.
          if (c.expect === 413) return null;
          throw error;
        });
        if (response) {
          const json = (await response.json()) as { status?: string };
          if (c.expect === "ignored") {
            expect([response.status, json.status], c.label).toEqual([200, "ignored"]);
          } else {
            expect(response.status, c.label).toBe(c.expect);
          }
        }
        if (interleave) {
          const product = candidates[run % candidates.length] as FakeProduct;
          const name = `Valid delivery ${run}`;
          h.fake.store.updateProduct(product.id, { name });
          expectedNames.set(String(product.id), name);
          const [delivery] = await h.fake.deliverWebhook("product.updated", product.id);
          expect(delivery?.responseStatus).toBe(200);
          validQueued += 1;
        }
      }),
      { numRuns: 150, seed: 4242 },
    );
    // Only the valid deliveries queued anything.
    expect(queuedCount() - queuedBefore).toBe(validQueued);
    expect(validQueued).toBeGreaterThan(0);
    // The bridge is alive and every valid edit reached Neuroon.
    expect((await fetch(`${h.config.publicUrl}/healthz`)).status).toBe(200);
    await waitFor(() => [...expectedNames].every(([id, name]) => emuProduct(id)?.name === name), {
      timeoutMs: 20_000,
      what: "every valid edit in the emulator",
    });
    expect((await bridge.status()).queue.deadLetters).toBe(0);
  });

  it("the API key never appears in the bridge's logs, answers or errors, also when Neuroon refuses it", async () => {
    const product = simpleSynced()[0] as FakeProduct;
    // Neuroon stops accepting the key: the worker's sync fails with 401 and logs it.
    h.emu.rotateApiKey(SHOP_ID);
    h.fake.store.updateProduct(product.id, { name: "After the key was rotated" });
    await h.fake.deliverWebhook("product.updated", product.id);
    await waitFor(() => h.emu.requests.some((r) => r.status === 401), {
      what: "a 401 from Neuroon",
    });
    const syncError = await bridge.syncAll().then(
      () => null,
      (error: unknown) => error,
    );
    const answers = [
      JSON.stringify(await (await fetch(`${h.config.publicUrl}/healthz`)).json()),
      JSON.stringify(await bridge.status()),
      await postWebhook(webhookUrl, "{}", {}).then((r) => JSON.stringify(r.json)),
    ];
    await waitFor(() => logLines.some((line) => /error|warn/.test(line)), {
      what: "a logged failure",
    });
    const everything = [
      ...logLines,
      ...answers,
      String(syncError),
      JSON.stringify(syncError, Object.getOwnPropertyNames(syncError ?? {})),
      (syncError as Error | null)?.stack ?? "",
    ].join("\n");
    expect(everything.length).toBeGreaterThan(1_000);
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(API_KEY.slice(3));
    expect(everything).not.toContain(WEBHOOK_SECRET);
  });
});
