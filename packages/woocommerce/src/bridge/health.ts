import type { IncomingMessage, ServerResponse } from "node:http";
import type { QueueStats } from "@neuroon/core";
import { VERSION } from "../version.js";
import { errorMessage } from "./logger.js";
import { POLL_ORDERS_META_KEY, POLL_PRODUCTS_META_KEY } from "./poller.js";
import type { BridgeResources } from "./resources.js";
import type { WebhookOutcome } from "./webhook-receiver.js";

/** State-store meta key of the last finished reconcile (ISO time). */
export const LAST_RECONCILE_META_KEY = "woocommerce:last-reconcile-at";

/** The bridge's health: what `GET /healthz` answers (503 when `ok` is false). */
export interface BridgeStatus {
  ok: boolean;
  /** Why `ok` is false, e.g. the last webhook could not be written to the queue (a full disk). */
  problems: string[];
  version: string;
  listening: boolean;
  queue: QueueStats;
  pollMarks: { products?: string; orders?: string };
  lastReconcileAt?: string;
}

/**
 * Remembers the last failed write of a webhook to the queue (answered 503) until a later write
 * succeeds: while it stands, the bridge reports itself unhealthy.
 */
export class QueueWriteHealth {
  #failure: { at: string; message: string } | undefined;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Takes one answered webhook into account. */
  record(outcome: WebhookOutcome): void {
    if (!outcome.ok && outcome.reason === "queue-unavailable") {
      this.#failure ??= { at: new Date(this.#now()).toISOString(), message: outcome.detail ?? "" };
    } else if (outcome.ok && outcome.status === "queued") {
      this.#failure = undefined;
    }
  }

  /** What is wrong, for {@link BridgeStatus.problems}. */
  problems(): string[] {
    const failure = this.#failure;
    return failure
      ? [
          `webhooks cannot be queued since ${failure.at} (${failure.message}); check that BRIDGE_DATA_DIR is writable and not full.`,
        ]
      : [];
  }
}

/** The bridge's status from its open resources. */
export async function readBridgeStatus(
  { queue, state }: Pick<BridgeResources, "queue" | "state">,
  health: QueueWriteHealth,
  listening: boolean,
): Promise<BridgeStatus> {
  const products = await state.getMeta<string>(POLL_PRODUCTS_META_KEY);
  const orders = await state.getMeta<string>(POLL_ORDERS_META_KEY);
  const lastReconcileAt = await state.getMeta<string>(LAST_RECONCILE_META_KEY);
  const problems = health.problems();
  return {
    ok: problems.length === 0,
    problems,
    version: VERSION,
    listening,
    queue: await queue.stats(),
    pollMarks: {
      ...(products !== undefined ? { products } : {}),
      ...(orders !== undefined ? { orders } : {}),
    },
    ...(lastReconcileAt !== undefined ? { lastReconcileAt } : {}),
  };
}

/** Answers `GET`/`HEAD /healthz`: the status as JSON, 200 when healthy, 503 otherwise or when it cannot be read. */
export async function answerHealthz(
  req: IncomingMessage,
  res: ServerResponse,
  status: () => Promise<BridgeStatus>,
): Promise<void> {
  try {
    const current = await status();
    res.writeHead(current.ok ? 200 : 503, { "content-type": "application/json; charset=utf-8" });
    res.end(req.method === "HEAD" ? undefined : JSON.stringify(current));
  } catch (error) {
    res.writeHead(503, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ ok: false, error: errorMessage(error) }));
  }
}
