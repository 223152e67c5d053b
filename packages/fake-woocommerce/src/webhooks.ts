import { createHash, createHmac, randomBytes } from "node:crypto";
import { phpJsonEncode } from "./php.js";
import type { FakeStore, Json } from "./store.js";
import type { FakeWebhook, WebhookStatus } from "./types.js";

/** The WooCommerce/WordPress versions the fake claims to be (User-Agent, `/system_status`). */
export const FAKE_WC_VERSION = "10.3.0";
/** The WordPress version the fake claims to run on. */
export const FAKE_WP_VERSION = "6.8.3";

/** `woocommerce_max_webhook_delivery_failures`: the count is checked before it is incremented. */
const MAX_DELIVERY_FAILURES = 5;
// WC_Webhook::deliver(): 'timeout' => MINUTE_IN_SECONDS.
const DELIVERY_TIMEOUT_MS = 60_000;

/** Valid topics (`wc_is_webhook_valid_topic`): resource.event for the core resources, or action.*. */
export function isValidTopic(topic: string): boolean {
  if (/^action\.(woocommerce|wc)_[a-z0-9_]+$/.test(topic)) return true;
  const [resource, event, ...rest] = topic.split(".");
  return (
    rest.length === 0 &&
    ["product", "order", "coupon", "customer"].includes(resource ?? "") &&
    ["created", "updated", "deleted", "restored"].includes(event ?? "")
  );
}

/** One delivery attempt as the fake made it: what was sent and how the receiver answered. */
export interface WebhookDelivery {
  webhookId: number;
  topic: string;
  resourceId: number;
  deliveryId: string;
  /** Exact request body bytes (PHP-style JSON, or `webhook_id=N` for a ping). */
  body: string;
  headers: Record<string, string>;
  /** Response status, or 0 when the request failed (refused, timeout). */
  responseStatus: number;
  /** 2xx, 301 and 302 count as success (redirects are not followed). */
  ok: boolean;
  isPing: boolean;
  error?: string;
}

/** The webhook registry and the delivery simulator. */
export class WebhookRegistry {
  readonly webhooks = new Map<number, FakeWebhook>();
  /** Every delivery and ping in order; tests read it to assert what the store sent. */
  readonly deliveries: WebhookDelivery[] = [];
  /** Deliveries still to lose silently (a crashed Action Scheduler run, a dropped queue). */
  dropNext = 0;
  /** Queued deliveries (Action Scheduler's pending actions), one per webhook and resource. */
  readonly #queued = new Map<string, { webhook: FakeWebhook; resourceId: number }>();

  constructor(
    private readonly store: FakeStore,
    private readonly now: () => Date,
    /** Secret used for webhooks created without one in `startFakeWooCommerce({webhookSecret})`. */
    private readonly defaultSecret: string | undefined,
  ) {}

  /** Creates a webhook like `POST /webhooks` (the ping is the caller's job). */
  create(input: {
    name?: string;
    topic: string;
    delivery_url: string;
    secret?: string;
    status?: WebhookStatus;
    user_id?: number;
  }): FakeWebhook {
    const at = this.now().toISOString().slice(0, 19);
    const id = this.store.allocateId();
    // WC generates a 50-character secret when none is given.
    const secret =
      input.secret || this.defaultSecret || randomBytes(38).toString("base64url").slice(0, 50);
    const webhook: FakeWebhook = {
      id,
      name: input.name ?? `Webhook created on ${at}`,
      status: input.status ?? "active",
      topic: input.topic,
      delivery_url: input.delivery_url,
      secret,
      failure_count: 0,
      user_id: input.user_id ?? 1,
      date_created_gmt: at,
      date_modified_gmt: at,
    };
    this.webhooks.set(id, webhook);
    return webhook;
  }

  /**
   * `GET /webhooks/{id}` JSON. Never the `secret`: WooCommerce 10 leaves it out of every answer,
   * even with `context=edit` (measured on a real store, issue 14).
   */
  serialize(webhook: FakeWebhook, _context = "view"): Json {
    const [resource, event] = webhook.topic.split(".");
    const base = `${this.store.homeUrl.replace(/\/+$/, "")}/wp-json/wc/v3`;
    const json: Json = {
      id: webhook.id,
      name: webhook.name,
      status: webhook.status,
      topic: webhook.topic,
      resource,
      event,
      hooks: hooksFor(webhook.topic),
      delivery_url: webhook.delivery_url,
      date_created: this.store.toLocal(webhook.date_created_gmt),
      date_created_gmt: webhook.date_created_gmt,
      date_modified: this.store.toLocal(webhook.date_modified_gmt),
      date_modified_gmt: webhook.date_modified_gmt,
      _links: {
        self: [{ href: `${base}/webhooks/${webhook.id}` }],
        collection: [{ href: `${base}/webhooks` }],
      },
    };
    return json;
  }

  /** The payload WooCommerce builds at send time: the current resource, or `{id}` for deletions. */
  buildPayload(topic: string, resourceId: number): unknown {
    const [resource, event] = topic.split(".");
    if (resource === "action") return { action: topic.slice("action.".length), arg: resourceId };
    if (event === "deleted") return { id: resourceId };
    if (resource === "product") {
      const product = this.store.products.get(resourceId);
      if (product) return this.store.serializeProduct(product);
      const variation = this.store.variations.get(resourceId);
      if (variation) return this.store.serializeVariation(variation, true);
      return { id: resourceId };
    }
    if (resource === "order") {
      const order = this.store.orders.get(resourceId);
      return order ? this.store.serializeOrder(order) : { id: resourceId };
    }
    return { id: resourceId };
  }

  /**
   * Delivers `topic` for `resourceId` to every active webhook subscribed to it, sequentially,
   * the way the Action Scheduler job does: one POST each, no retry, failure counting and
   * auto-disable. Returns the attempts made.
   */
  async deliver(topic: string, resourceId: number): Promise<WebhookDelivery[]> {
    const results: WebhookDelivery[] = [];
    for (const webhook of [...this.webhooks.values()]) {
      if (webhook.status !== "active" || webhook.topic !== topic) continue;
      if (this.dropNext > 0) {
        this.dropNext -= 1;
        continue;
      }
      results.push(await this.deliverTo(webhook, resourceId));
    }
    return results;
  }

  /**
   * Queues `topic` for `resourceId` like a real store: a change schedules
   * `woocommerce_deliver_webhook_async` in Action Scheduler, at most one pending per webhook and
   * resource, and nothing is sent until {@link runQueue} (WP-Cron) runs.
   */
  enqueue(topic: string, resourceId: number): void {
    for (const webhook of this.webhooks.values()) {
      if (webhook.status !== "active" || webhook.topic !== topic) continue;
      this.#queued.set(`${webhook.id}:${resourceId}`, { webhook, resourceId });
    }
  }

  /** Deliveries waiting for {@link runQueue}. */
  get queued(): number {
    return this.#queued.size;
  }

  /**
   * Sends every queued delivery back to back, as Action Scheduler does when WP-Cron runs: within
   * one second they share their webhook's delivery id.
   */
  async runQueue(): Promise<WebhookDelivery[]> {
    const due = [...this.#queued.values()];
    this.#queued.clear();
    const results: WebhookDelivery[] = [];
    for (const { webhook, resourceId } of due) {
      if (webhook.status !== "active") continue;
      results.push(await this.deliverTo(webhook, resourceId));
    }
    return results;
  }

  /** Delivers one event to one webhook regardless of its topic subscription. */
  async deliverTo(webhook: FakeWebhook, resourceId: number): Promise<WebhookDelivery> {
    const [resource = "", event = ""] = webhook.topic.split(".");
    const body = phpJsonEncode(this.buildPayload(webhook.topic, resourceId)).trim();
    // WooCommerce: `wp_hash( $this->get_id() . strtotime( 'now' ) )`, so every delivery of one
    // webhook within the same second carries the same id (class-wc-webhook.php).
    const deliveryId = createHash("md5")
      .update(`${webhook.id}${Math.floor(this.now().getTime() / 1000)}`)
      .digest("hex");
    // `wp_specialchars_decode($secret)` keys the HMAC.
    const key = webhook.secret
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#0?39;/g, "'")
      .replace(/&amp;/g, "&");
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": `WooCommerce/${FAKE_WC_VERSION} Hookshot (WordPress/${FAKE_WP_VERSION})`,
      "x-wc-webhook-source": `${this.store.homeUrl.replace(/\/+$/, "")}/`,
      "x-wc-webhook-topic": webhook.topic,
      "x-wc-webhook-resource": resource,
      "x-wc-webhook-event": event,
      "x-wc-webhook-signature": createHmac("sha256", key).update(body).digest("base64"),
      "x-wc-webhook-id": String(webhook.id),
      "x-wc-webhook-delivery-id": deliveryId,
    };
    const delivery = await this.post(webhook, resourceId, body, headers, deliveryId, false);
    if (delivery.ok) {
      webhook.failure_count = 0;
    } else if (webhook.failure_count > MAX_DELIVERY_FAILURES) {
      webhook.status = "disabled";
    } else {
      webhook.failure_count += 1;
    }
    return delivery;
  }

  /** The creation ping: form body `webhook_id=N`, no X-WC-* headers, no signature. */
  async ping(webhook: FakeWebhook): Promise<WebhookDelivery> {
    return this.post(
      webhook,
      webhook.id,
      `webhook_id=${webhook.id}`,
      {
        "content-type": "application/x-www-form-urlencoded; charset=UTF-8",
        "user-agent": `WooCommerce/${FAKE_WC_VERSION} Hookshot (WordPress/${FAKE_WP_VERSION})`,
      },
      "",
      true,
    );
  }

  private async post(
    webhook: FakeWebhook,
    resourceId: number,
    body: string,
    headers: Record<string, string>,
    deliveryId: string,
    isPing: boolean,
  ): Promise<WebhookDelivery> {
    const delivery: WebhookDelivery = {
      webhookId: webhook.id,
      topic: webhook.topic,
      resourceId,
      deliveryId,
      body,
      headers,
      responseStatus: 0,
      ok: false,
      isPing,
    };
    try {
      const response = await fetch(webhook.delivery_url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      delivery.responseStatus = response.status;
      delivery.ok =
        (response.status >= 200 && response.status < 300) ||
        response.status === 301 ||
        response.status === 302;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    this.deliveries.push(delivery);
    return delivery;
  }
}

function hooksFor(topic: string): string[] {
  const table: Record<string, string[]> = {
    "product.created": [
      "woocommerce_process_product_meta",
      "woocommerce_new_product",
      "woocommerce_new_product_variation",
    ],
    "product.updated": [
      "woocommerce_process_product_meta",
      "woocommerce_update_product",
      "woocommerce_update_product_variation",
    ],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post", "woocommerce_trash_order"],
    "order.restored": ["untrashed_post", "woocommerce_untrash_order"],
  };
  if (topic.startsWith("action.")) return [topic.slice("action.".length)];
  return table[topic] ?? [];
}
