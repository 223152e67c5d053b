import type { ChangeInput, ChangeQueue, TrackConversionRequest } from "@neuroon/core";
import type { BulkOperationWaiter } from "./bulk.js";
import type { WebhookDeliveryLog } from "./delivery-log.js";
import { gidToId, toGid } from "./ids.js";
import {
  type MapOrderOptions,
  mapPaidOrder,
  parseShopifyJson,
  type ShopifyOrderPayload,
} from "./map-order.js";
import { type HeaderBag, type VerifiedWebhook, verifyShopifyWebhook } from "./signatures.js";

/** One change for the durable queue: core's `ChangeInput`. */
export type WebhookChange = ChangeInput;

/** Where the handler puts changes: core's `ChangeQueue` (only `enqueue` is used). */
export type ChangeSink = Pick<ChangeQueue, "enqueue">;

/** Compliance and lifecycle callbacks; each may be omitted. */
export interface WebhookLifecycleHooks {
  /** `app/uninstalled`: the token is already revoked. Stop the shop's work; keep its data until `shop/redact`. */
  onUninstalled?(shop: string): Promise<void> | void;
  /** `shop/redact` (≈ 48 h after uninstall): delete everything held for the shop, Neuroon data included. */
  onShopRedact?(shop: string, payload: unknown): Promise<void> | void;
  /** `customers/redact`: delete what is held about the customer (this package keeps none). */
  onCustomersRedact?(shop: string, payload: unknown): Promise<void> | void;
  /** `customers/data_request`: report what is held about the customer (this package keeps none). */
  onCustomersDataRequest?(shop: string, payload: unknown): Promise<void> | void;
}

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions extends WebhookLifecycleHooks {
  /** The app's client secret; several during a rotation. */
  secrets: string | readonly string[];
  deliveries: WebhookDeliveryLog;
  /** The queue of a connected shop, or `undefined` when the shop is not (or no longer) connected. */
  queueFor(shop: string): ChangeSink | undefined | Promise<ChangeSink | undefined>;
  /**
   * Resolves an inventory item GID to the GIDs of the products whose variants it stocks (one item
   * can stock several variants of several products; `inventory_levels/update` names none).
   * Without it inventory topics are acknowledged and ignored: `products/update` also fires on
   * stock changes.
   */
  resolveInventoryItem?(
    shop: string,
    inventoryItemGid: string,
    signal: AbortSignal,
  ): Promise<readonly string[]>;
  /** Bounded time for that lookup before answering 503 (Shopify retries). Default 3,000 ms. */
  inventoryLookupTimeoutMs?: number;
  bulkWaiter?: BulkOperationWaiter;
  orders?: MapOrderOptions;
  /**
   * Largest body `handleRequest` reads before answering 413, so a hostile sender cannot make the
   * endpoint buffer and hash an unbounded body. Default {@link DEFAULT_MAX_WEBHOOK_BODY_BYTES}.
   */
  maxBodyBytes?: number;
}

/**
 * 5 MiB: a product at Shopify's 2,048-variant ceiling serialises to about 3 MiB, so real
 * deliveries fit with room to spare.
 */
export const DEFAULT_MAX_WEBHOOK_BODY_BYTES = 5 * 1024 * 1024;

/** What the handler did with a delivery. */
export type WebhookOutcome =
  | "enqueued"
  | "duplicate"
  | "ignored"
  | "not_attributable"
  | "shop_not_connected"
  | "lifecycle"
  | "rejected"
  | "bad_payload"
  | "too_large"
  | "failed";

/** Framework-free result: write `status` and `body` as the HTTP answer. */
export interface WebhookResult {
  status: number;
  body: string;
  outcome: WebhookOutcome;
  topic?: string;
  shop?: string;
  webhookId?: string;
  /** Why a delivery was rejected or failed. */
  reason?: string;
}

/** Handles Shopify webhook deliveries. */
export interface WebhookHandler {
  /** `rawBody` must be the exact bytes received (never re-serialized JSON). */
  handle(input: { rawBody: string | Uint8Array; headers: HeaderBag }): Promise<WebhookResult>;
  /** The same for a Fetch `Request` (React Router actions, Hono, workers). */
  handleRequest(request: Request): Promise<Response>;
}

const PRODUCT_TOPICS = new Set(["products/create", "products/update"]);
const INVENTORY_TOPICS = new Set([
  "inventory_levels/update",
  "inventory_levels/connect",
  "inventory_levels/disconnect",
]);

function productKey(payload: Record<string, unknown>): string | undefined {
  if (typeof payload.admin_graphql_api_id === "string")
    return gidToId(payload.admin_graphql_api_id, "Product");
  const id = payload.id;
  return (typeof id === "string" || typeof id === "number") && /^[0-9]+$/.test(String(id))
    ? String(id)
    : undefined;
}

const result = (
  status: number,
  outcome: WebhookOutcome,
  meta: Partial<WebhookResult> = {},
): WebhookResult => ({
  status,
  body: status === 200 ? "ok" : outcome,
  outcome,
  ...meta,
});

/**
 * The webhook endpoint: verifies the HMAC on the raw body (401 otherwise, as the compliance
 * review requires), drops redeliveries by `X-Shopify-Webhook-Id`, turns the delivery into a queued
 * change and answers at once; the sync engine does the work. Product topics become re-read hints
 * (payloads are incomplete and may arrive out of order), `products/delete` a delete, `orders/paid`
 * a conversion keyed by order id, `bulk_operations/finish` wakes the waiting export.
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const lookupTimeoutMs = options.inventoryLookupTimeoutMs ?? 3_000;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BODY_BYTES;

  async function dispatch(
    verified: VerifiedWebhook,
    payload: Record<string, unknown>,
  ): Promise<WebhookResult> {
    const { topic, shop } = verified;
    const meta = { topic, shop, webhookId: verified.webhookId };
    const origin = `webhook:${topic}`;
    switch (topic) {
      case "app/uninstalled":
        await options.onUninstalled?.(shop);
        await options.deliveries.forgetShop(shop);
        return result(200, "lifecycle", meta);
      case "shop/redact":
        await options.onShopRedact?.(shop, payload);
        return result(200, "lifecycle", meta);
      case "customers/redact":
        await options.onCustomersRedact?.(shop, payload);
        return result(200, "lifecycle", meta);
      case "customers/data_request":
        await options.onCustomersDataRequest?.(shop, payload);
        return result(200, "lifecycle", meta);
      case "bulk_operations/finish": {
        const id = payload.admin_graphql_api_id;
        if (typeof id === "string") options.bulkWaiter?.notify(shop, id);
        return result(200, "lifecycle", meta);
      }
      default:
        break;
    }

    // Check the shop first: an uninstalled shop's deliveries must not trigger Admin API calls.
    const queue = await options.queueFor(shop);
    if (!queue) return result(200, "shop_not_connected", meta);
    let change: WebhookChange | undefined;
    if (PRODUCT_TOPICS.has(topic) || topic === "products/delete") {
      const key = productKey(payload);
      if (!key) return result(400, "bad_payload", { ...meta, reason: "no product id" });
      change = { kind: topic === "products/delete" ? "delete" : "product", key, origin };
    } else if (topic === "orders/paid") {
      const conversion: TrackConversionRequest | undefined = mapPaidOrder(
        payload as ShopifyOrderPayload,
        options.orders,
      );
      if (!conversion) return result(200, "not_attributable", meta);
      change = { kind: "conversion", key: conversion.orderId, payload: conversion, origin };
    } else if (INVENTORY_TOPICS.has(topic) && options.resolveInventoryItem) {
      const itemId = payload.inventory_item_id;
      if (
        (typeof itemId !== "number" && typeof itemId !== "string") ||
        !/^[0-9]+$/.test(String(itemId))
      ) {
        return result(400, "bad_payload", { ...meta, reason: "no inventory_item_id" });
      }
      const productGids = await options.resolveInventoryItem(
        shop,
        toGid("InventoryItem", String(itemId)),
        AbortSignal.timeout(lookupTimeoutMs),
      );
      if (productGids.length === 0) return result(200, "ignored", meta);
      // Every product is on disk before Shopify gets its 200; a failure answers 5xx and
      // Shopify's retry re-enqueues them all (the queue coalesces per product).
      for (const productGid of productGids) {
        await queue.enqueue({ kind: "product", key: gidToId(productGid, "Product"), origin });
      }
      return result(200, "enqueued", meta);
    } else {
      return result(200, "ignored", meta);
    }

    await queue.enqueue(change);
    return result(200, "enqueued", meta);
  }

  const handle: WebhookHandler["handle"] = async ({ rawBody, headers }) => {
    const verified = verifyShopifyWebhook({ rawBody, headers, secrets: options.secrets });
    if (!verified.ok)
      return { status: 401, body: "unauthorized", outcome: "rejected", reason: verified.reason };
    const meta = { topic: verified.topic, shop: verified.shop, webhookId: verified.webhookId };
    let payload: Record<string, unknown>;
    try {
      const parsed = parseShopifyJson(
        typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody),
      );
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
        throw new TypeError("not a JSON object");
      payload = parsed as Record<string, unknown>;
    } catch (error) {
      return result(400, "bad_payload", { ...meta, reason: (error as Error).message });
    }
    if (!(await options.deliveries.claim(verified.shop, verified.webhookId)))
      return result(200, "duplicate", meta);
    try {
      const outcome = await dispatch(verified, payload);
      if (outcome.status >= 400)
        await options.deliveries.release(verified.shop, verified.webhookId);
      return outcome;
    } catch (error) {
      // Not recorded: Shopify retries the delivery (8 times over 4 h).
      await options.deliveries.release(verified.shop, verified.webhookId);
      return {
        status: 503,
        body: "retry later",
        outcome: "failed",
        ...meta,
        reason: (error as Error).message,
      };
    }
  };

  return {
    handle,
    async handleRequest(request) {
      if (request.method !== "POST")
        return new Response("method not allowed", { status: 405, headers: { allow: "POST" } });
      const rawBody = await readBodyWithin(request, maxBodyBytes);
      if (rawBody === undefined) {
        return new Response("too_large", {
          status: 413,
          headers: { "content-type": "text/plain" },
        });
      }
      const outcome = await handle({ rawBody, headers: request.headers });
      return new Response(outcome.body, {
        status: outcome.status,
        headers: { "content-type": "text/plain" },
      });
    },
  };
}

/** Reads the body, or returns `undefined` as soon as it is known to exceed `limitBytes`. */
async function readBodyWithin(
  request: Request,
  limitBytes: number,
): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limitBytes) return undefined;
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limitBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
