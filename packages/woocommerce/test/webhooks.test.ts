import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { phpJsonEncode } from "@neuroon/fake-woocommerce";
import { afterEach, describe, expect, test } from "vitest";
import {
  parseWooWebhook,
  signWooWebhookForTest,
  verifyWooWebhook,
  type WooWebhookEvent,
} from "../src/index.js";
import { type Harness, startStore } from "./helpers.js";

const SECRET = "whsec_'quoted' & <odd> secret";
const BODY = phpJsonEncode({
  id: 42,
  name: "Crème brûlée set",
  permalink: "https://shop.example/product/creme-brulee-set/",
});

describe("verifyWooWebhook", () => {
  const signature = signWooWebhookForTest(BODY, SECRET);

  test("the body as PHP encodes it: escaped slashes and \\u escapes", () => {
    expect(BODY).toContain("https:\\/\\/shop.example");
    expect(BODY).toContain("Cr\\u00e8me");
  });

  test.each([
    { case: "string body", body: BODY as string | Uint8Array },
    { case: "Buffer body", body: Buffer.from(BODY) },
    {
      case: "Uint8Array view into a larger buffer",
      body: new Uint8Array(Buffer.from(`xx${BODY}yy`)).subarray(2, 2 + Buffer.byteLength(BODY)),
    },
  ])("valid: $case", ({ body }) => {
    expect(verifyWooWebhook({ rawBody: body, signature, secrets: SECRET })).toEqual({ ok: true });
  });

  test("re-serialised JSON fails: verify the raw bytes", () => {
    const reserialised = JSON.stringify(JSON.parse(BODY));
    expect(reserialised).not.toBe(BODY);
    expect(verifyWooWebhook({ rawBody: reserialised, signature, secrets: SECRET })).toMatchObject({
      ok: false,
      reason: "signature-mismatch",
    });
  });

  test.each([
    {
      case: "forged with another secret",
      sig: signWooWebhookForTest(BODY, "other"),
      reason: "signature-mismatch",
    },
    {
      case: "body tampered",
      sig: signWooWebhookForTest(`${BODY} `, SECRET),
      reason: "signature-mismatch",
    },
    { case: "missing", sig: undefined, reason: "missing-signature" },
    { case: "empty", sig: "", reason: "missing-signature" },
    { case: "truncated", sig: signature.slice(0, 20), reason: "malformed-signature" },
    { case: "hex instead of base64", sig: "ab".repeat(32), reason: "malformed-signature" },
    { case: "sent twice", sig: [signature, signature], reason: "duplicate-signature" },
  ])("refused: $case", ({ sig, reason }) => {
    const result = verifyWooWebhook({ rawBody: BODY, signature: sig, secrets: SECRET });
    expect(result).toMatchObject({ ok: false, reason });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });

  test("rotation: any of the secrets may match", () => {
    const newSig = signWooWebhookForTest(BODY, "new-secret");
    expect(
      verifyWooWebhook({ rawBody: BODY, signature: newSig, secrets: [SECRET, "new-secret"] }).ok,
    ).toBe(true);
    expect(verifyWooWebhook({ rawBody: BODY, signature, secrets: [SECRET, "new-secret"] }).ok).toBe(
      true,
    );
    expect(verifyWooWebhook({ rawBody: BODY, signature, secrets: ["new-secret"] }).ok).toBe(false);
  });

  test("a parsed body or no secret is a programming error (TypeError)", () => {
    expect(() =>
      verifyWooWebhook({
        rawBody: JSON.parse(BODY) as unknown as string,
        signature,
        secrets: SECRET,
      }),
    ).toThrow(/raw request body.*received object/);
    expect(() => verifyWooWebhook({ rawBody: BODY, signature, secrets: [] })).toThrow(
      /WOOCOMMERCE_WEBHOOK_SECRET/,
    );
    expect(() => verifyWooWebhook({ rawBody: BODY, signature, secrets: "" })).toThrow(TypeError);
  });

  test("the signature check runs in linear time on hostile input (ReDoS guard)", () => {
    const hostile = `${"A".repeat(100_000)}!`;
    const started = performance.now();
    expect(verifyWooWebhook({ rawBody: BODY, signature: hostile, secrets: SECRET }).ok).toBe(false);
    expect(parseWooWebhook({ "x-wc-webhook-topic": `${"a".repeat(100_000)}!` }, BODY).ok).toBe(
      false,
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("parseWooWebhook", () => {
  test("the creation ping: form body, no X-WC headers", () => {
    expect(
      parseWooWebhook({ "content-type": "application/x-www-form-urlencoded" }, "webhook_id=17"),
    ).toEqual({
      ok: true,
      webhook: { kind: "ping", webhookId: 17 },
    });
  });

  test("a product delivery, with Node headers or fetch Headers", () => {
    const headers = {
      "X-WC-Webhook-Topic": "product.updated",
      "X-WC-Webhook-Resource": "product",
      "X-WC-Webhook-Event": "updated",
      "X-WC-Webhook-ID": "5",
      "X-WC-Webhook-Delivery-ID": "abc123",
      "X-WC-Webhook-Source": "https://shop.example/",
    };
    for (const input of [headers, new Headers(headers)]) {
      const parsed = parseWooWebhook(input, BODY);
      expect(parsed).toMatchObject({
        ok: true,
        webhook: {
          kind: "event",
          topic: "product.updated",
          resource: "product",
          event: "updated",
          webhookId: 5,
          deliveryId: "abc123",
          source: "https://shop.example/",
          resourceId: 42,
          parentId: undefined,
        },
      });
    }
  });

  test("a variation's product event names the parent to re-read", () => {
    const parsed = parseWooWebhook(
      { "x-wc-webhook-topic": "product.updated" },
      phpJsonEncode({ id: 77, type: "variation", parent_id: 42 }),
    );
    expect(parsed).toMatchObject({ ok: true, webhook: { resourceId: 77, parentId: 42 } });
  });

  test("deleted is just {id}; action topics carry arg", () => {
    expect(parseWooWebhook({ "x-wc-webhook-topic": "product.deleted" }, '{"id":9}')).toMatchObject({
      ok: true,
      webhook: { event: "deleted", resourceId: 9 },
    });
    expect(
      parseWooWebhook(
        { "x-wc-webhook-topic": "action.woocommerce_payment_complete" },
        '{"action":"woocommerce_payment_complete","arg":1234}',
      ),
    ).toMatchObject({ ok: true, webhook: { resource: "action", resourceId: 1234 } });
  });

  test("garbage is refused with a reason", () => {
    expect(parseWooWebhook({}, "hello")).toMatchObject({ ok: false, reason: "not-a-webhook" });
    expect(parseWooWebhook({ "x-wc-webhook-topic": "product.updated" }, "{nope")).toMatchObject({
      ok: false,
      reason: "invalid-json",
    });
    expect(parseWooWebhook({ "x-wc-webhook-topic": "Product Updated" }, "{}")).toMatchObject({
      ok: false,
      reason: "invalid-topic",
    });
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A receiver on loopback that records what WooCommerce posts and answers with `status()`. */
async function startReceiver(
  status: () => number,
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/woocommerce/webhooks`,
    received,
    server,
  };
}

describe("deliveries from the fake store over HTTP", () => {
  let harness: Harness | undefined;
  let receiver: Server | undefined;
  afterEach(async () => {
    await harness?.fake.close();
    receiver?.close();
    harness = undefined;
  });

  test("ping on creation, then signed deliveries that verify on the raw body and parse", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const sink = await startReceiver(() => 200);
    receiver = sink.server;
    const { data: webhook, status } = await reader.request<{ id: number; status: string }>(
      "post",
      "webhooks",
      {},
      {
        name: "Neuroon product.updated",
        topic: "product.updated",
        delivery_url: sink.url,
        secret: SECRET,
      },
    );
    expect(status).toBe(201);
    await expect.poll(() => sink.received.length).toBe(1);
    const ping = sink.received[0] as Received;
    expect(ping.headers["x-wc-webhook-signature"]).toBeUndefined();
    expect(parseWooWebhook(ping.headers, ping.body)).toEqual({
      ok: true,
      webhook: { kind: "ping", webhookId: webhook.id },
    });

    const variable = [...fake.store.products.values()].find(
      (p) => p.type === "variable" && p.status === "publish",
    );
    const variation = fake.store.variationsOf(variable?.id as number)[0];
    fake.store.updateProduct(100, { name: "Crème / Brûlée" });
    await fake.deliverWebhook("product.updated", 100);
    await fake.deliverWebhook("product.updated", variation?.id as number);
    expect(sink.received).toHaveLength(3);
    const [, product, ofVariation] = sink.received as [Received, Received, Received];
    expect(product.headers["user-agent"]).toMatch(
      /^WooCommerce\/[\d.]+ Hookshot \(WordPress\/[\d.]+\)$/,
    );
    expect(product.body.toString()).toContain("Cr\\u00e8me \\/ Br\\u00fbl\\u00e9e");
    const verification = verifyWooWebhook({
      rawBody: product.body,
      signature: product.headers["x-wc-webhook-signature"],
      secrets: ["old-secret", SECRET],
    });
    expect(verification).toEqual({ ok: true });
    const reserialised = JSON.stringify(JSON.parse(product.body.toString()));
    expect(
      verifyWooWebhook({
        rawBody: reserialised,
        signature: product.headers["x-wc-webhook-signature"],
        secrets: SECRET,
      }).ok,
    ).toBe(false);
    const parsed = parseWooWebhook(product.headers, product.body);
    expect(parsed).toMatchObject({
      ok: true,
      webhook: {
        kind: "event",
        topic: "product.updated",
        resourceId: 100,
        webhookId: webhook.id,
        source: `${fake.homeUrl}/`,
      },
    });
    const fromVariation = parseWooWebhook(ofVariation.headers, ofVariation.body);
    expect(fromVariation.ok && (fromVariation.webhook as WooWebhookEvent).parentId).toBe(
      variable?.id,
    );
  });

  test("the 7th consecutive failed delivery disables the webhook; no retries", async () => {
    harness = await startStore();
    const { fake, reader } = harness;
    const sink = await startReceiver(() => 500);
    receiver = sink.server;
    const { data: webhook } = await reader.request<{ id: number }>(
      "post",
      "webhooks",
      {},
      {
        topic: "product.updated",
        delivery_url: sink.url,
        secret: SECRET,
      },
    );
    await expect.poll(() => sink.received.length).toBe(1);
    for (let i = 1; i <= 6; i++) {
      await fake.deliverWebhook("product.updated", 100);
      expect(fake.webhooks.webhooks.get(webhook.id)?.status).toBe("active");
    }
    await fake.deliverWebhook("product.updated", 100);
    expect(fake.webhooks.webhooks.get(webhook.id)).toMatchObject({ status: "disabled" });
    // Disabled: nothing more is sent. 1 ping + 7 attempts.
    await fake.deliverWebhook("product.updated", 100);
    expect(sink.received).toHaveLength(8);
    const { data } = await reader.request<{ status: string }[]>("get", "webhooks", {
      status: "disabled",
    });
    expect(data.map((w) => w.status)).toEqual(["disabled"]);
    // Re-activating through the API, as a nightly check would.
    await reader.request("put", `webhooks/${webhook.id}`, {}, { status: "active" });
    expect(fake.webhooks.webhooks.get(webhook.id)).toMatchObject({
      status: "active",
      failure_count: 0,
    });
  });

  test("deleting a webhook needs force=true", async () => {
    harness = await startStore();
    const { reader } = harness;
    const { data: webhook } = await reader.request<{ id: number }>(
      "post",
      "webhooks",
      {},
      {
        topic: "order.updated",
        delivery_url: "http://127.0.0.1:9/unused",
        secret: SECRET,
      },
    );
    await expect(reader.request("delete", `webhooks/${webhook.id}`)).rejects.toMatchObject({
      status: 501,
      code: "woocommerce_rest_trash_not_supported",
    });
    await expect(
      reader.request("delete", `webhooks/${webhook.id}`, { force: true }),
    ).resolves.toMatchObject({ status: 200 });
  });
});
