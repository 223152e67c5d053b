/** A remembered first response for an idempotency key. */
export interface IdempotentRecord {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
  readonly storedAtMs: number;
}

/** Default lifetime of an idempotency key. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Default bound on remembered keys; the oldest are evicted first. */
export const IDEMPOTENCY_MAX_KEYS = 10_000;

/**
 * First responses by (shopId, key), kept for a TTL and bounded in count. A `Map` iterates in
 * insertion order, so the first entries are always the oldest: expiry and eviction stop at the
 * first live entry.
 */
export class IdempotencyStore {
  private readonly records = new Map<string, IdempotentRecord>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys: number,
  ) {}

  get(shopId: string, key: string, nowMs: number): IdempotentRecord | undefined {
    this.expire(nowMs);
    return this.records.get(`${shopId}\u0000${key}`);
  }

  set(shopId: string, key: string, record: IdempotentRecord): void {
    const id = `${shopId}\u0000${key}`;
    this.records.delete(id);
    this.records.set(id, record);
    while (this.records.size > this.maxKeys) {
      const oldest = this.records.keys().next();
      if (oldest.done === true) break;
      this.records.delete(oldest.value);
    }
  }

  clear(): void {
    this.records.clear();
  }

  private expire(nowMs: number): void {
    for (const [id, record] of this.records) {
      if (nowMs - record.storedAtMs < this.ttlMs) break;
      this.records.delete(id);
    }
  }
}
