import type {
  ChangeInput,
  ChangeQueue,
  ClaimOptions,
  DeadLetter,
  QueuedChange,
  QueueStats,
  TrackConversionRequest,
} from "@neuroon/core";
import { backoffDelayMs } from "@neuroon/core";
import {
  type ConversionFromOrderOptions,
  conversionFromOrder,
  type WooOrder,
} from "@neuroon/woocommerce";
import type { BridgeStore } from "./bridge-store.js";
import { type BridgeLogger, errorMessage } from "./logger.js";

/**
 * The payload of a `conversion` change the webhook receiver and the poller enqueue: only the order
 * id. The worker re-reads the order from the store when it claims the change, so what is reported
 * is the order as it is then, never a stale or forged webhook body.
 */
export interface OrderReference {
  wooOrderId: number;
}

/** A `conversion` change for a WooCommerce order, keyed by the order id (one report per order). */
export function orderChange(orderId: number, origin: string): ChangeInput {
  return {
    kind: "conversion",
    key: String(orderId),
    payload: { wooOrderId: orderId } satisfies OrderReference,
    origin,
  };
}

function orderIdOf(payload: unknown): number | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const id = (payload as Partial<OrderReference>).wooOrderId;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

function isTrackRequest(payload: unknown): payload is TrackConversionRequest {
  return (
    typeof payload === "object" &&
    payload !== null &&
    typeof (payload as TrackConversionRequest).orderId === "string" &&
    Array.isArray((payload as TrackConversionRequest).conversions)
  );
}

export interface OrderResolvingQueueOptions {
  getOrder(id: number, signal?: AbortSignal): Promise<WooOrder | undefined>;
  store: BridgeStore;
  conversion?: ConversionFromOrderOptions;
  logger: BridgeLogger;
  /** Backoff for a store that cannot be read. */
  retry: { baseDelayMs: number; maxDelayMs: number; maxAttempts: number };
}

/**
 * A {@link ChangeQueue} in front of the durable queue that turns order references into the
 * conversion reports the sync engine sends. When the engine claims a `conversion` change whose
 * payload is an {@link OrderReference}, the order is read from the store:
 *
 * - already reported (see {@link BridgeStore.markOrderReported}) → acked, nothing sent;
 * - not paid, deleted, or without search clicks → acked, nothing sent (a later `order.updated`
 *   enqueues it again);
 * - paid with attributed lines → handed to the engine with the `TrackConversionRequest`;
 * - the store is unreachable → failed with backoff, so an outage delays the report and loses nothing.
 *
 * Everything else passes straight through.
 */
export class OrderResolvingQueue implements ChangeQueue {
  readonly #inner: ChangeQueue;
  readonly #options: OrderResolvingQueueOptions;
  #paused = false;
  /** Changes handed to the engine and not yet acked or failed, with their attempts so far. */
  readonly #outstanding = new Map<string, number>();

  constructor(inner: ChangeQueue, options: OrderResolvingQueueOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  enqueue(changes: ChangeInput | readonly ChangeInput[]): Promise<void> {
    return this.#inner.enqueue(changes);
  }

  /** Stops handing out changes (graceful shutdown: the engine's drain ends after its batch). */
  pause(): void {
    this.#paused = true;
  }

  async claim(options: ClaimOptions): Promise<QueuedChange[]> {
    if (this.#paused) return [];
    // Claim again when every claimed change was settled here: an empty answer tells the engine
    // the queue is drained.
    for (;;) {
      const claimed = await this.#inner.claim(options);
      if (claimed.length === 0) return claimed;
      const ready: QueuedChange[] = [];
      for (const change of claimed) {
        const resolved = await this.#resolve(change);
        if (resolved !== undefined) {
          ready.push(resolved);
          this.#outstanding.set(resolved.id, resolved.attempts);
        }
      }
      if (ready.length > 0) return ready;
    }
  }

  async #resolve(change: QueuedChange): Promise<QueuedChange | undefined> {
    if (change.kind !== "conversion" || isTrackRequest(change.payload)) return change;
    const orderId = orderIdOf(change.payload);
    const { logger, store } = this.#options;
    if (orderId === undefined) return change; // The engine dead-letters what it cannot read.
    if (store.isOrderReported(String(orderId))) {
      await this.#inner.ack([change.id]);
      return undefined;
    }
    let order: WooOrder | undefined;
    try {
      order = await this.#options.getOrder(orderId);
    } catch (error) {
      const { baseDelayMs, maxDelayMs, maxAttempts } = this.#options.retry;
      const delayMs = backoffDelayMs(change.attempts + 1, {
        initialDelayMs: baseDelayMs,
        maxDelayMs,
      });
      const outcome = await this.#inner.fail(
        change.id,
        `Reading order ${orderId} from WooCommerce failed: ${errorMessage(error)}`,
        { delayMs, maxAttempts },
      );
      logger.warn("order re-read failed; will retry", {
        orderId,
        attempts: change.attempts + 1,
        delayMs,
        outcome,
        error: errorMessage(error),
      });
      return undefined;
    }
    if (order === undefined) {
      logger.info("order not reported", { orderId, reason: "not-found" });
      await this.#inner.ack([change.id]);
      return undefined;
    }
    const result = conversionFromOrder(order, this.#options.conversion);
    if (!result.ok) {
      logger.info("order not reported", { orderId, reason: result.reason });
      await this.#inner.ack([change.id]);
      return undefined;
    }
    return { ...change, payload: result.conversion };
  }

  /** Passed through, so the engine keeps the leases of a long claim (see `ChangeQueue.renewLeases`). */
  async renewLeases(ids: readonly string[], leaseMs: number): Promise<string[]> {
    return (await this.#inner.renewLeases?.(ids, leaseMs)) ?? [];
  }

  ack(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#outstanding.delete(id);
    return this.#inner.ack(ids);
  }

  fail(
    id: string,
    error: string,
    options: { delayMs: number; maxAttempts: number },
  ): Promise<"retrying" | "dead"> {
    this.#outstanding.delete(id);
    return this.#inner.fail(id, error, options);
  }

  /** How many claimed changes are neither acked nor failed. */
  get outstanding(): number {
    return this.#outstanding.size;
  }

  /**
   * Puts back, with backoff, every change handed out and neither acked nor failed: after a drain
   * that threw half-way, so its changes are retried after the backoff rather than after their
   * lease expires. Returns how many.
   */
  async releaseOutstanding(error: string): Promise<number> {
    const { baseDelayMs, maxDelayMs, maxAttempts } = this.#options.retry;
    const entries = [...this.#outstanding];
    this.#outstanding.clear();
    for (const [id, attempts] of entries) {
      const delayMs = backoffDelayMs(attempts + 1, { initialDelayMs: baseDelayMs, maxDelayMs });
      await this.#inner.fail(id, error, { delayMs, maxAttempts });
    }
    return entries.length;
  }

  listDeadLetters(options?: { limit?: number }): Promise<DeadLetter[]> {
    return this.#inner.listDeadLetters(options);
  }

  replayDeadLetters(ids?: readonly string[]): Promise<number> {
    return this.#inner.replayDeadLetters(ids);
  }

  stats(): Promise<QueueStats> {
    return this.#inner.stats();
  }

  async lastEnqueuedAt(): Promise<number | undefined> {
    return await this.#inner.lastEnqueuedAt?.();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
