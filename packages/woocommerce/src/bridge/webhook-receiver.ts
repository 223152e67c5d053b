import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChangeInput, ChangeQueue } from "@neuroon/core";
import { orderChange } from "../conversions.js";
import { parseWooWebhook, verifyWooWebhook, type WooWebhookEvent } from "../webhooks.js";
import type { BridgeStore } from "./bridge-store.js";
import { type BridgeLogger, errorMessage } from "./logger.js";

/** What the receiver did with one request; also the JSON body of its answer. */
export type WebhookOutcome =
  | { ok: true; status: "ping"; webhookId: number }
  | { ok: true; status: "queued"; topic: string; keys: string[] }
  | { ok: true; status: "ignored"; topic: string; reason: string }
  | { ok: false; reason: string; message: string; detail?: string };

export interface WebhookReceiverOptions {
  queue: ChangeQueue;
  store: BridgeStore;
  /** Any of them verifies a delivery (rotation). */
  secrets: readonly string[];
  maxBodyBytes: number;
  logger: BridgeLogger;
  /** Called after each answered request, for metrics and tests. */
  onOutcome?: (outcome: WebhookOutcome, statusCode: number, durationMs: number) => void;
}

const PING_RE = /^webhook_id=\d+$/;

class BodyTooLargeError extends Error {}

function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    req.on("error", (error) => {
      if (!failed) {
        failed = true;
        reject(error);
      }
    });
  });
}

/**
 * The queue changes for one verified delivery, or why it is acknowledged without any. Products
 * are keyed by the parent (variations carry `parent_id`) and always re-read from the store by
 * the engine: the payload is built late by Action Scheduler and may be stale, and `*.deleted`
 * carries only `{id}` (a trashed product re-reads as missing, so the engine deletes it).
 */
export function changesForEvent(
  event: WooWebhookEvent,
): { changes: ChangeInput[] } | { ignored: string } {
  const origin = `webhook:${event.topic}`;
  if (event.resource === "product") {
    if (!["created", "updated", "deleted", "restored"].includes(event.event)) {
      return { ignored: `product event "${event.event}" is not handled` };
    }
    const id = event.parentId ?? event.resourceId;
    if (id === undefined) return { ignored: "the product payload has no id" };
    return { changes: [{ kind: "product", key: String(id), origin }] };
  }
  if (event.resource === "order") {
    if (event.event !== "created" && event.event !== "updated") {
      return { ignored: `order event "${event.event}" does not report conversions` };
    }
    if (event.resourceId === undefined) return { ignored: "the order payload has no id" };
    return { changes: [orderChange(event.resourceId, origin)] };
  }
  if (event.topic === "action.woocommerce_payment_complete" && event.resourceId !== undefined) {
    return { changes: [orderChange(event.resourceId, origin)] };
  }
  return { ignored: `topic ${event.topic} is not used by the bridge` };
}

/**
 * The webhook endpoint as a `node:http` handler. In order: body size cap (413), the unsigned
 * creation ping (200), the signature over the raw bytes (401, before anything is parsed), the JSON
 * (400), then the durable enqueue; the answer
 * (200) is sent only after the enqueue committed. A queue that cannot write answers 503, so
 * WooCommerce records a failure rather than the bridge losing the event silently.
 */
export function createWebhookHandler(
  options: WebhookReceiverOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { queue, store, secrets, maxBodyBytes, logger } = options;
  return async (req, res) => {
    const startedAt = performance.now();
    const answer = (statusCode: number, outcome: WebhookOutcome) => {
      // `detail` (the queue's error) is for the operator's /healthz, not for the caller.
      const body = JSON.stringify(outcome, (key, value) => (key === "detail" ? undefined : value));
      if (!res.headersSent) {
        res.writeHead(statusCode, {
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(body),
          ...(statusCode === 413 ? { connection: "close" } : {}),
        });
      }
      res.end(body);
      options.onOutcome?.(outcome, statusCode, performance.now() - startedAt);
    };

    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      answer(405, {
        ok: false,
        reason: "method-not-allowed",
        message: "WooCommerce webhooks are POSTed.",
      });
      return;
    }
    let raw: Buffer;
    try {
      raw = await readRawBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        logger.warn("webhook body over the size cap", { maxBodyBytes });
        answer(413, {
          ok: false,
          reason: "body-too-large",
          message: `The body is larger than ${maxBodyBytes} bytes.`,
        });
        return;
      }
      logger.warn("webhook body could not be read", { error: errorMessage(error) });
      answer(400, {
        ok: false,
        reason: "unreadable-body",
        message: "The body could not be read.",
      });
      return;
    }

    const topicHeader = req.headers["x-wc-webhook-topic"];
    // The creation ping: a form body `webhook_id=N`, no X-WC-* headers, no signature (notes §3.2).
    if (topicHeader === undefined && PING_RE.test(raw.toString("latin1").trim())) {
      const parsed = parseWooWebhook(req.headers, raw);
      if (parsed.ok && parsed.webhook.kind === "ping") {
        logger.info("webhook ping", { webhookId: parsed.webhook.webhookId });
        answer(200, { ok: true, status: "ping", webhookId: parsed.webhook.webhookId });
        return;
      }
    }

    const verified = verifyWooWebhook({
      rawBody: raw,
      signature: req.headers["x-wc-webhook-signature"],
      secrets,
    });
    if (!verified.ok) {
      logger.warn("webhook refused: bad signature", {
        reason: verified.reason,
        topic: typeof topicHeader === "string" ? topicHeader.slice(0, 60) : undefined,
        remote: req.socket.remoteAddress,
      });
      answer(401, { ok: false, reason: verified.reason, message: verified.message });
      return;
    }

    const parsed = parseWooWebhook(req.headers, raw);
    if (!parsed.ok) {
      logger.warn("webhook refused", { reason: parsed.reason });
      answer(400, { ok: false, reason: parsed.reason, message: parsed.message });
      return;
    }
    const webhook = parsed.webhook;
    if (webhook.kind === "ping") {
      answer(200, { ok: true, status: "ping", webhookId: webhook.webhookId });
      return;
    }
    // No deduplication on X-WC-Webhook-Delivery-ID: it is not unique (see BridgeStore).
    const { topic, deliveryId } = webhook;
    try {
      const plan = changesForEvent(webhook);
      if ("ignored" in plan) {
        logger.info("webhook acknowledged and ignored", { topic, reason: plan.ignored });
        answer(200, { ok: true, status: "ignored", topic, reason: plan.ignored });
        return;
      }
      // A conversion already reported needs no store read at all.
      const changes = plan.changes.filter(
        (change) => change.kind !== "conversion" || !store.isOrderReported(change.key),
      );
      if (changes.length > 0) await queue.enqueue(changes);
      const keys = changes.map((change) => change.key);
      logger.info("webhook queued", { topic, deliveryId, keys });
      answer(200, { ok: true, status: "queued", topic, keys });
    } catch (error) {
      logger.error("webhook could not be queued", { topic, error: errorMessage(error) });
      answer(503, {
        ok: false,
        reason: "queue-unavailable",
        message:
          "The change could not be written to the durable queue; it will be caught by the next poll.",
        detail: errorMessage(error),
      });
    }
  };
}
