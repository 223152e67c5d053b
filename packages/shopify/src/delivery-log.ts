/**
 * Remembers webhook deliveries by `X-Shopify-Webhook-Id` (stable across Shopify's retries of one
 * delivery), so a redelivery is acknowledged without doing the work twice.
 */
export interface WebhookDeliveryLog {
  /** Atomically records the delivery; `false` when it was already recorded. */
  claim(shop: string, webhookId: string): Promise<boolean>;
  /** Forgets a claim whose processing failed, so Shopify's retry is processed. */
  release(shop: string, webhookId: string): Promise<void>;
  /** Forgets every delivery of a shop (uninstall). */
  forgetShop(shop: string): Promise<void>;
}

/** Options of {@link createMemoryDeliveryLog}. */
export interface MemoryDeliveryLogOptions {
  /** How long an id is remembered. Shopify retries for 4 h; default 48 h. */
  ttlMs?: number;
  /** Oldest ids are dropped beyond this many. Default 100,000. */
  maxEntries?: number;
  now?: () => number;
}

/** An in-process delivery log with a TTL (single-process apps, tests). */
export function createMemoryDeliveryLog(
  options: MemoryDeliveryLogOptions = {},
): WebhookDeliveryLog {
  const ttlMs = options.ttlMs ?? 48 * 3_600_000;
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  // Insertion order is expiry order because every entry gets the same TTL.
  const seen = new Map<string, number>();
  const keyOf = (shop: string, id: string): string => `${shop}\u0000${id}`;
  const prune = (): void => {
    const time = now();
    for (const [key, expiresAt] of seen) {
      if (expiresAt > time && seen.size <= maxEntries) break;
      seen.delete(key);
    }
  };
  return {
    async claim(shop, webhookId) {
      prune();
      const key = keyOf(shop, webhookId);
      if (seen.has(key)) return false;
      seen.set(key, now() + ttlMs);
      return true;
    },
    async release(shop, webhookId) {
      seen.delete(keyOf(shop, webhookId));
    },
    async forgetShop(shop) {
      const prefix = `${shop}\u0000`;
      for (const key of seen.keys()) if (key.startsWith(prefix)) seen.delete(key);
    },
  };
}
