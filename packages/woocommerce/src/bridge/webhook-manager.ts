import type { WooStoreReader } from "../reader.js";

/** A webhook as `GET /wc/v3/webhooks?context=edit` returns it (the fields the bridge reads). */
export interface WooWebhookRecord {
  id: number;
  name: string;
  status: "active" | "paused" | "disabled" | string;
  topic: string;
  delivery_url: string;
  /** WooCommerce 10 never returns it (not even with `context=edit`); older stores may. */
  secret?: string;
}

/** What happened to one topic's webhook. */
export interface WebhookAction {
  topic: string;
  id: number;
  action: "created" | "updated" | "reactivated" | "unchanged" | "removed-duplicate";
  /** Why it was updated: `secret`, `name`, `status disabled → active`. */
  changes?: string[];
}

export interface EnsureWebhooksOptions {
  deliveryUrl: string;
  /** The secret the bridge verifies with; given to created webhooks and fixed on existing ones. */
  secret: string;
  topics: readonly string[];
  /** Webhook name prefix shown in wp-admin. */
  name?: string;
  /**
   * Which secret the bridge gave which webhook. WooCommerce never returns a webhook's secret, so
   * without this every check would have to set it again; with it a second setup changes nothing.
   */
  secrets?: {
    has(webhookId: number, secret: string): boolean;
    remember(webhookId: number, secret: string): void;
  };
  signal?: AbortSignal;
}

const PER_PAGE = 100;

/** Every webhook of the store (all statuses), secrets included. */
export async function listStoreWebhooks(
  reader: WooStoreReader,
  signal?: AbortSignal,
): Promise<WooWebhookRecord[]> {
  const all: WooWebhookRecord[] = [];
  for (let page = 1; ; page += 1) {
    const response = await reader.request<WooWebhookRecord[]>(
      "get",
      "webhooks",
      { per_page: PER_PAGE, page, context: "edit", status: "all" },
      undefined,
      signal ? { signal } : {},
    );
    const items = Array.isArray(response.data) ? response.data : [];
    all.push(...items);
    const totalPages = Number(response.headers["x-wp-totalpages"] ?? 1);
    if (items.length < PER_PAGE || !(page < totalPages)) break;
  }
  return all;
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

/**
 * Makes the store's webhooks match what the bridge needs, idempotently (matched by delivery URL
 * and topic): creates a missing one, re-activates one WooCommerce disabled after repeated
 * failed deliveries (or someone paused), fixes a wrong secret, and deletes duplicates so an event
 * is not delivered twice. Used by `setup` and by the periodic health check.
 */
export async function ensureWebhooks(
  reader: WooStoreReader,
  options: EnsureWebhooksOptions,
): Promise<WebhookAction[]> {
  const { deliveryUrl, secret, topics, signal } = options;
  const name = options.name ?? "Neuroon bridge";
  const callOptions = signal ? { signal } : {};
  const existing = (await listStoreWebhooks(reader, signal)).filter((webhook) =>
    sameUrl(webhook.delivery_url, deliveryUrl),
  );
  const actions: WebhookAction[] = [];
  for (const topic of topics) {
    const matching = existing
      .filter((webhook) => webhook.topic === topic)
      .sort((a, b) => Number(b.status === "active") - Number(a.status === "active") || a.id - b.id);
    const [keep, ...duplicates] = matching;
    for (const duplicate of duplicates) {
      await reader.request(
        "delete",
        `webhooks/${duplicate.id}`,
        { force: true },
        undefined,
        callOptions,
      );
      actions.push({ topic, id: duplicate.id, action: "removed-duplicate" });
    }
    if (keep === undefined) {
      const response = await reader.request<WooWebhookRecord>(
        "post",
        "webhooks",
        {},
        { name: `${name}: ${topic}`, topic, delivery_url: deliveryUrl, secret, status: "active" },
        callOptions,
      );
      options.secrets?.remember(response.data.id, secret);
      actions.push({ topic, id: response.data.id, action: "created" });
      continue;
    }
    const update: Record<string, string> = {};
    const changes: string[] = [];
    if (keep.status !== "active") {
      update.status = "active";
      changes.push(`status ${keep.status} → active`);
    }
    // The secret is compared when the store shows it; otherwise it is set unless the bridge
    // remembers giving this webhook this very secret.
    const secretMatches =
      keep.secret !== undefined
        ? keep.secret === secret
        : (options.secrets?.has(keep.id, secret) ?? false);
    if (!secretMatches) {
      update.secret = secret;
      changes.push("secret");
    }
    if (changes.length === 0) {
      actions.push({ topic, id: keep.id, action: "unchanged" });
      continue;
    }
    await reader.request("put", `webhooks/${keep.id}`, {}, update, callOptions);
    if (update.secret !== undefined) options.secrets?.remember(keep.id, secret);
    const onlyStatus = changes.length === 1 && update.status !== undefined;
    actions.push({ topic, id: keep.id, action: onlyStatus ? "reactivated" : "updated", changes });
  }
  return actions;
}
