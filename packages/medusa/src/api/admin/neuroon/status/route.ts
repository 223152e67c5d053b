import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http";
import { resolveNeuroon } from "../../../../lib/resolve";

/** Dead letters listed on the status page. */
const DEAD_LETTERS_SHOWN = 10;

/**
 * GET /admin/neuroon/status — the engine's queue (waiting, retrying, in flight, given up), how
 * many products Neuroon holds from this store, the latest dead letters and the latest runs.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const neuroon = resolveNeuroon(req.scope);
  const { queue, state } = await neuroon.runtime.storage();
  const [stats, synced, deadLetters, runs] = await Promise.all([
    queue.stats(),
    state.count(),
    queue.listDeadLetters({ limit: DEAD_LETTERS_SHOWN }),
    neuroon.listNeuroonSyncRuns({}, { take: 5, order: { started_at: "DESC" } }),
  ]);
  res.json({
    shop_id: neuroon.options.shopId,
    api_url: neuroon.options.apiUrl,
    queue: {
      pending: stats.pending,
      retrying: stats.delayed,
      in_flight: stats.inFlight,
      dead: stats.deadLetters,
    },
    products: { synced },
    dead_letters: deadLetters.map((letter) => ({
      kind: letter.kind,
      key: letter.key,
      attempts: letter.attempts,
      reason: letter.reason,
      failed_at: new Date(letter.failedAt).toISOString(),
    })),
    runs,
  });
}
