import type { SyncEvent } from "@neuroon/core";
import type { BridgeStore } from "./bridge-store.js";
import { type BridgeLogger, errorMessage } from "./logger.js";

/**
 * The bridge's `onEvent` for its sync engine: logs what an operator needs (conversions, skipped
 * orders, deletions, retries, rejections, errors), records reported orders in the delivery log
 * so a re-delivered order is not reported twice, then tells `listener`, whose errors are ignored.
 */
export function bridgeEngineEvents(
  store: BridgeStore,
  logger: BridgeLogger,
  listener?: (event: SyncEvent) => void,
): (event: SyncEvent) => void {
  return (event) => {
    logEngineEvent(event, store, logger);
    try {
      listener?.(event);
    } catch {
      // A listener must not break a sync.
    }
  };
}

function logEngineEvent(event: SyncEvent, store: BridgeStore, logger: BridgeLogger): void {
  switch (event.type) {
    case "conversion":
      try {
        store.markOrderReported(event.orderId);
      } catch (error) {
        logger.error("could not record a reported order", {
          orderId: event.orderId,
          error: errorMessage(error),
        });
      }
      logger.info("conversion reported", { orderId: event.orderId });
      return;
    case "conversion-skipped":
      logger.info("order not reported", { orderId: event.key, reason: event.reason });
      return;
    case "deleted":
      // A webhook for a product Neuroon never had (a new draft, a product that never existed) or
      // no longer has is not a deletion. Neuroon answers 204 for a missing product, so only the
      // sync state tells the first case.
      logger.info(
        event.alreadyGone
          ? "product already absent from Neuroon"
          : event.wasSynced
            ? "product deleted from Neuroon"
            : "delete sent for a product never synced to Neuroon",
        { externalId: event.externalId, reason: event.reason },
      );
      return;
    case "retry":
      logger.warn("change will be retried", {
        kind: event.kind,
        key: event.key,
        outcome: event.outcome,
        delayMs: event.delayMs,
        error: event.error,
      });
      return;
    case "rejected":
      logger.warn("product rejected", {
        externalId: event.externalId,
        reason: event.reason,
        by: event.by,
      });
      return;
    case "error":
      logger.error("sync error", { phase: event.phase, error: errorMessage(event.error) });
      return;
    default:
      return;
  }
}
