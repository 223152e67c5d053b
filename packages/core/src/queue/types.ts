/**
 * The durable change queue: every store change is written here before it is acknowledged to the
 * store, so a crash, an outage or a bad batch never loses it. Backends (embedded SQLite, Redis via
 * BullMQ) implement this one interface and pass one shared conformance suite.
 */

/**
 * `product`: something about one product changed; the worker re-reads the store (or uses the
 * payload a feed carried) to decide between upsert and delete. `delete`: the store says the
 * product is gone. `conversion`: a paid order to report, keyed by order id.
 */
export type ChangeKind = "product" | "delete" | "conversion";

export interface ChangeInput {
  kind: ChangeKind;
  /** The product's externalId, or the order id for conversions. */
  key: string;
  /** Optional JSON payload; for coalesced changes the latest payload wins. */
  payload?: unknown;
  /** Where the change came from (`webhook:products/update`, `reconcile`, `feed`…), for reports. */
  origin?: string;
}

/**
 * A change as the queue hands it out from {@link ChangeQueue.claim}: what to do (`kind`, `key`,
 * the latest `payload`), plus the bookkeeping a worker needs (`attempts`, how many enqueues were
 * `coalesced` into it, when they happened, the last error). Settle each one with `ack` or `fail`.
 *
 * @example
 * for (const change of await queue.claim({ limit: 100, leaseMs: 60_000 })) {
 *   try {
 *     await handle(change.kind, change.key, change.payload);
 *     await queue.ack([change.id]);
 *   } catch (error) {
 *     const delayMs = backoffDelayMs(change.attempts + 1, { maxDelayMs: 300_000 });
 *     await queue.fail(change.id, String(error), { delayMs, maxAttempts: 8 });
 *   }
 * }
 */
export interface QueuedChange {
  /** Backend-assigned id, stable for the life of the change. */
  id: string;
  kind: ChangeKind;
  key: string;
  payload?: unknown;
  origin?: string;
  /** Delivery attempts made so far (0 on first claim). */
  attempts: number;
  /** How many enqueues were merged into this change. */
  coalesced: number;
  /** Epoch ms of the first enqueue merged into this change. */
  firstEnqueuedAt: number;
  /** Epoch ms of the latest enqueue merged into this change. */
  lastEnqueuedAt: number;
  lastError?: string;
}

export interface DeadLetter extends QueuedChange {
  /** Epoch ms when the change was given up on. */
  failedAt: number;
  reason: string;
}

export interface ClaimOptions {
  /** At most this many changes. */
  limit: number;
  /** Only these kinds (default: all). */
  kinds?: readonly ChangeKind[];
  /** A claimed change not acked or failed within this time is delivered again (crash recovery). */
  leaseMs: number;
}

export interface QueueStats {
  /** Ready to be claimed now. */
  pending: number;
  /** Waiting for a retry delay to pass. */
  delayed: number;
  /** Claimed and not yet acked. */
  inFlight: number;
  deadLetters: number;
}

/**
 * The durable, coalescing queue between an adapter's events and the sync engine. Adapters
 * `enqueue` (and acknowledge the platform only after it resolved); the engine `claim`s, then
 * `ack`s or `fail`s each change. Built in: `SqliteChangeQueue` (`openSqliteQueue`) and the Redis
 * queue in `@neuroon/core/bullmq`; a custom backend implements this interface and passes the queue
 * conformance suite.
 *
 * @example
 * const queue = openSqliteQueue({ path: "./data/neuroon.db" });
 * // In a webhook handler, after verifying the signature:
 * await queue.enqueue({ kind: "product", key: String(product.id), origin: "webhook:products/update" });
 * response.writeHead(200).end(); // only now: the change survives a crash
 * // Elsewhere, the engine drains it:
 * await new SyncEngine({ client, queue, state, source, shopId }).drain();
 */
export interface ChangeQueue {
  /**
   * Durably records changes; resolves only once they would survive a crash. Changes with the same
   * `key` that are not in flight are coalesced into one (a `delete` and a `product` change for the
   * same key merge into the later one). A change enqueued while an earlier one for the same key is
   * in flight is kept as a new change, never merged into the in-flight one.
   */
  enqueue(changes: ChangeInput | readonly ChangeInput[]): Promise<void>;
  /**
   * Claims ready changes, oldest first (by first enqueue), leasing them for `leaseMs`. A change
   * whose lease expired comes back here with `attempts + 1` and a `lastError` saying so.
   */
  claim(options: ClaimOptions): Promise<QueuedChange[]>;
  /**
   * Optional: extends the leases of claimed changes to `leaseMs` from now, so a worker still busy
   * with them (a slow Neuroon, a long rate-limit wait) does not see them handed out again, to
   * itself or another worker. Returns the ids whose lease was extended; an id not in flight under
   * a live lease (unknown, acked, failed, or expired: due for redelivery) is left alone and left
   * out. `SyncEngine` renews what it holds every third of its lease while it works; every backend
   * in this package has it.
   */
  renewLeases?(ids: readonly string[], leaseMs: number): Promise<string[]>;
  /** Marks claimed changes done. Acking an unknown or expired lease id is a no-op. */
  ack(ids: readonly string[]): Promise<void>;
  /**
   * Records a failed attempt: the change becomes ready again after `delayMs`, or moves to the
   * dead-letter list with `error` as its reason once `maxAttempts` is reached. Failing an id that
   * is not in flight under a live lease (unknown, acked, or expired and so due for redelivery
   * anyway) changes nothing and resolves `"retrying"`.
   */
  fail(
    id: string,
    error: string,
    options: { delayMs: number; maxAttempts: number },
  ): Promise<"retrying" | "dead">;
  listDeadLetters(options?: { limit?: number }): Promise<DeadLetter[]>;
  /** Moves dead letters (all, or the given ids) back to pending with attempts reset; returns the count. */
  replayDeadLetters(ids?: readonly string[]): Promise<number>;
  stats(): Promise<QueueStats>;
  /**
   * Optional: epoch ms (queue clock) of the latest enqueue still in the queue, merged enqueues
   * included; undefined when empty. The workers' coalescing window uses it, when a backend can
   * answer cheaply (both built-in backends do), to see a burst that only re-edits keys already
   * pending, which does not grow the pending count. "In the queue" means pending, delayed or in
   * flight: claiming leaves it alone, acking or dead-lettering the change that holds it lowers it
   * (to undefined once nothing is left), replaying a dead letter brings its time back.
   */
  lastEnqueuedAt?(): Promise<number | undefined>;
  close(): Promise<void>;
}
