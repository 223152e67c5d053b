import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http";
import type { SyncStateStore } from "@neuroon/core";
import { resolveNeuroon } from "../../../../../lib/resolve";

/** The product's sync state as the admin widget shows it; `null` when never sent. */
async function syncState(state: SyncStateStore, productId: string) {
  const record = (await state.get([productId])).get(productId);
  if (!record) return null;
  return {
    product_id: productId,
    status: record.status,
    last_synced_at: new Date(record.syncedAt).toISOString(),
    last_error: record.reason ?? null,
  };
}

/** GET /admin/neuroon/products/:id — the product's sync state (`null` when never sent). */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const { runtime } = resolveNeuroon(req.scope);
  const { state } = await runtime.storage();
  res.json({ sync: await syncState(state, req.params.id as string) });
}

/** POST /admin/neuroon/products/:id — re-sends this product now, changed or not. */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const id = req.params.id as string;
  const { runtime } = resolveNeuroon(req.scope);
  const { state } = await runtime.storage();
  // Forgetting the last sent hash is what makes the engine send an unchanged product again.
  await state.delete([id]);
  await runtime.enqueue(req.scope, [{ kind: "product", key: id, origin: "admin" }]);
  const summary = await runtime.drain(req.scope);
  res.json({ summary, sync: await syncState(state, id) });
}
