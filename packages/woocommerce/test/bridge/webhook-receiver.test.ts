import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type ChangeInput, openSqliteQueue, type SqliteChangeQueue } from "@neuroon/core";
import fc from "fast-check";
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BridgeStore } from "../../src/bridge/bridge-store.js";
import { SILENT_LOGGER } from "../../src/bridge/logger.js";
import { createWebhookHandler, type WebhookOutcome } from "../../src/bridge/webhook-receiver.js";
import { signWooWebhookForTest } from "../../src/index.js";
import { postWebhook, tempDir, WEBHOOK_SECRET } from "./harness.js";

// PHP's wp_json_encode: escaped slashes and \uXXXX, which JSON.stringify does not reproduce.
const PRODUCT_BODY =
  '{"id":42,"name":"Caf\\u00e9 cup","type":"simple","status":"publish","permalink":"https:\\/\\/shop.example\\/cafe-cup\\/","parent_id":0}';
const VARIATION_BODY =
  '{"id":77,"name":"Tee - Red","type":"variation","status":"publish","parent_id":70}';

function headersFor(
  topic: string,
  body: string,
  deliveryId: string,
  secret = WEBHOOK_SECRET,
): Record<string, string> {
  const [resource = "", event = ""] = topic.split(".");
  return {
    "content-type": "application/json",
    "x-wc-webhook-source": "https://shop.example/",
    "x-wc-webhook-topic": topic,
    "x-wc-webhook-resource": resource,
    "x-wc-webhook-event": event,
    "x-wc-webhook-signature": signWooWebhookForTest(body, secret),
    "x-wc-webhook-id": "12",
    "x-wc-webhook-delivery-id": deliveryId,
  };
}

interface Receiver {
  url: string;
  queue: SqliteChangeQueue;
  store: BridgeStore;
  enqueued: ChangeInput[][];
  outcomes: { outcome: WebhookOutcome; statusCode: number; durationMs: number }[];
  close(): Promise<void>;
}

async function startReceiver(
  dir: string,
  options: { maxBodyBytes?: number; enqueueDelayMs?: number; failEnqueue?: boolean } = {},
): Promise<Receiver> {
  const path = join(dir, "bridge.db");
  const queue = openSqliteQueue({ path });
  const store = new BridgeStore(path);
  const enqueued: ChangeInput[][] = [];
  const outcomes: Receiver["outcomes"] = [];
  const handler = createWebhookHandler({
    queue: {
      ...queue,
      enqueue: async (changes) => {
        if (options.enqueueDelayMs) await new Promise((r) => setTimeout(r, options.enqueueDelayMs));
        if (options.failEnqueue) throw new Error("SQLITE_FULL: database or disk is full");
        enqueued.push([changes].flat() as ChangeInput[]);
        await queue.enqueue(changes);
      },
    } as SqliteChangeQueue,
    store,
    secrets: [WEBHOOK_SECRET, "previous-secret-during-rotation"],
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    logger: SILENT_LOGGER,
    onOutcome: (outcome, statusCode, durationMs) =>
      outcomes.push({ outcome, statusCode, durationMs }),
  });
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/woocommerce/webhooks`,
    queue,
    store,
    enqueued,
    outcomes,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
      await queue.close();
    },
  };
}

async function pending(queue: SqliteChangeQueue): Promise<number> {
  const stats = await queue.stats();
  return stats.pending + stats.delayed + stats.inFlight;
}

describe("webhook receiver over HTTP", () => {
  let dir: ReturnType<typeof tempDir>;
  let receiver: Receiver;

  beforeEach(async () => {
    dir = tempDir();
    receiver = await startReceiver(dir.path);
  });
  afterEach(async () => {
    await receiver.close();
    dir.remove();
  });

  it("queues a signed product.updated keyed by the product id and answers 200 after the enqueue", async () => {
    const response = await postWebhook(
      receiver.url,
      PRODUCT_BODY,
      headersFor("product.updated", PRODUCT_BODY, "d-1"),
    );
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      ok: true,
      status: "queued",
      topic: "product.updated",
      keys: ["42"],
    });
    const [change] = await receiver.queue.claim({ limit: 10, leaseMs: 1_000 });
    expect(change).toMatchObject({ kind: "product", key: "42", origin: "webhook:product.updated" });
  });

  it("keys a variation's webhook by its parent", async () => {
    const response = await postWebhook(
      receiver.url,
      VARIATION_BODY,
      headersFor("product.updated", VARIATION_BODY, "d-var"),
    );
    expect(response.json).toMatchObject({ status: "queued", keys: ["70"] });
  });

  it("accepts the previous secret during a rotation", async () => {
    const response = await postWebhook(
      receiver.url,
      PRODUCT_BODY,
      headersFor("product.updated", PRODUCT_BODY, "d-rot", "previous-secret-during-rotation"),
    );
    expect(response.status).toBe(200);
  });

  it("answers the unsigned creation ping 200 without queueing", async () => {
    const response = await postWebhook(receiver.url, "webhook_id=12", {
      "content-type": "application/x-www-form-urlencoded; charset=UTF-8",
    });
    expect(response).toEqual({ status: 200, json: { ok: true, status: "ping", webhookId: 12 } });
    expect(await pending(receiver.queue)).toBe(0);
  });

  it.each([
    [
      "a forged signature",
      (h: Record<string, string>) => {
        h["x-wc-webhook-signature"] = signWooWebhookForTest(PRODUCT_BODY, "not-the-secret");
      },
      "signature-mismatch",
    ],
    [
      "a missing signature",
      (h: Record<string, string>) => {
        delete h["x-wc-webhook-signature"];
      },
      "missing-signature",
    ],
    [
      "a malformed signature",
      (h: Record<string, string>) => {
        h["x-wc-webhook-signature"] = "sha256=abc";
      },
      "malformed-signature",
    ],
    [
      "the signature of the re-serialized body",
      (h: Record<string, string>) => {
        h["x-wc-webhook-signature"] = signWooWebhookForTest(
          JSON.stringify(JSON.parse(PRODUCT_BODY)),
          WEBHOOK_SECRET,
        );
      },
      "signature-mismatch",
    ],
  ])("refuses %s with 401 and queues nothing", async (_name, mutate, reason) => {
    const headers = headersFor("product.updated", PRODUCT_BODY, "d-bad");
    mutate(headers);
    const response = await postWebhook(receiver.url, PRODUCT_BODY, headers);
    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ ok: false, reason });
    expect(receiver.enqueued).toHaveLength(0);
    expect(await pending(receiver.queue)).toBe(0);
  });

  it("refuses a body with a forged signature even when it has no topic (not a ping)", async () => {
    const response = await postWebhook(receiver.url, "webhook_id=12&x=1", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(response.status).toBe(401);
  });

  it("answers malformed JSON with 400 and queues nothing", async () => {
    const body = '{"id":42,"name":';
    const response = await postWebhook(
      receiver.url,
      body,
      headersFor("product.updated", body, "d-json"),
    );
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ ok: false, reason: "invalid-json" });
    expect(await pending(receiver.queue)).toBe(0);
  });

  it("acknowledges an unknown topic without queueing", async () => {
    const body = '{"id":5,"code":"SPRING"}';
    const response = await postWebhook(
      receiver.url,
      body,
      headersFor("coupon.created", body, "d-coupon"),
    );
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ ok: true, status: "ignored", topic: "coupon.created" });
    expect(await pending(receiver.queue)).toBe(0);
  });

  it("answers a body over the cap with 413 and queues nothing", async () => {
    const body = JSON.stringify({ id: 1, description: "x".repeat(70 * 1024) });
    const response = await postWebhook(
      receiver.url,
      body,
      headersFor("product.updated", body, "d-big"),
    );
    expect(response.status).toBe(413);
    expect(await pending(receiver.queue)).toBe(0);
  });

  it("answers 413 to a chunked body (no Content-Length) once it passes the cap", async () => {
    const chunk = "x".repeat(16 * 1024);
    const body = Readable.from(
      (function* () {
        yield '{"id":1,"description":"';
        for (let i = 0; i < 8; i += 1) yield chunk;
        yield '"}';
      })(),
    );
    const response = await request(receiver.url, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "x-wc-webhook-topic": "product.updated",
        "x-wc-webhook-signature": signWooWebhookForTest("{}", WEBHOOK_SECRET),
      },
    });
    expect(response.statusCode).toBe(413);
    await response.body.dump();
    expect(await pending(receiver.queue)).toBe(0);
  });

  it("answers 405 to anything but POST", async () => {
    const response = await fetch(receiver.url);
    expect(response.status).toBe(405);
  });

  it("queues every delivery sharing one delivery id (WooCommerce's id is per webhook and second)", async () => {
    const other = PRODUCT_BODY.replace(/"id":\s*\d+/, '"id":4243');
    const first = await postWebhook(
      receiver.url,
      PRODUCT_BODY,
      headersFor("product.updated", PRODUCT_BODY, "d-same-second"),
    );
    const second = await postWebhook(
      receiver.url,
      other,
      headersFor("product.updated", other, "d-same-second"),
    );
    expect(first.json).toMatchObject({ status: "queued" });
    expect(second.json).toMatchObject({ status: "queued", keys: ["4243"] });
    expect(receiver.enqueued).toHaveLength(2);
  });

  it("queues order.created and order.updated as a conversion keyed by the order id", async () => {
    const body = '{"id":900,"status":"processing","line_items":[]}';
    const response = await postWebhook(
      receiver.url,
      body,
      headersFor("order.updated", body, "d-o"),
    );
    expect(response.json).toMatchObject({ status: "queued", keys: ["900"] });
    const [change] = await receiver.queue.claim({ limit: 10, leaseMs: 1_000 });
    expect(change).toMatchObject({ kind: "conversion", key: "900", payload: { wooOrderId: 900 } });
  });

  it("does not queue an order already reported", async () => {
    receiver.store.markOrderReported("901");
    const body = '{"id":901,"status":"completed"}';
    const response = await postWebhook(
      receiver.url,
      body,
      headersFor("order.updated", body, "d-o2"),
    );
    expect(response.json).toMatchObject({ status: "queued", keys: [] });
    expect(await pending(receiver.queue)).toBe(0);
  });

  it("acks within a second: p99 of 300 signed deliveries", async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const body = `{"id":${1000 + i},"type":"simple","status":"publish"}`;
      const started = performance.now();
      const response = await postWebhook(
        receiver.url,
        body,
        headersFor("product.updated", body, `lat-${i}`),
      );
      latencies.push(performance.now() - started);
      expect(response.status).toBe(200);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length * 0.5)] as number;
    const p99 = latencies[Math.floor(latencies.length * 0.99)] as number;
    console.info(
      `webhook ack latency over HTTP: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`,
    );
    expect(p99).toBeLessThan(1_000);
    expect((await receiver.queue.stats()).pending).toBe(300);
  });

  it("never answers a random signature 2xx (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (signature) => {
        const headers = headersFor("product.updated", PRODUCT_BODY, "d-prop");
        headers["x-wc-webhook-signature"] = signature.replace(/[^\x20-\x7e]/g, "");
        const response = await postWebhook(receiver.url, PRODUCT_BODY, headers);
        return response.status === 401;
      }),
      { numRuns: 40 },
    );
    expect(await pending(receiver.queue)).toBe(0);
  });
});

describe("webhook receiver and a slow or broken queue", () => {
  it("answers only after the enqueue resolved", async () => {
    const dir = tempDir();
    const receiver = await startReceiver(dir.path, { enqueueDelayMs: 150 });
    try {
      const started = performance.now();
      const response = await postWebhook(
        receiver.url,
        PRODUCT_BODY,
        headersFor("product.updated", PRODUCT_BODY, "d-slow"),
      );
      expect(response.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      expect((await receiver.queue.stats()).pending).toBe(1);
    } finally {
      await receiver.close();
      dir.remove();
    }
  });

  it("answers 503 when the queue cannot write, and does not remember the delivery", async () => {
    const dir = tempDir();
    const receiver = await startReceiver(dir.path, { failEnqueue: true });
    try {
      const response = await postWebhook(
        receiver.url,
        PRODUCT_BODY,
        headersFor("product.updated", PRODUCT_BODY, "d-full"),
      );
      expect(response.status).toBe(503);
    } finally {
      await receiver.close();
      dir.remove();
    }
  });
});
