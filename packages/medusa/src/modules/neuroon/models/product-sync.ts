import { model } from "@medusajs/framework/utils";

/**
 * Durable sync state per product: written before Neuroon is called, so a failed call (Medusa does
 * not retry subscribers) is retried by the `neuroon-retry` job instead of being lost.
 */
const NeuroonProductSync = model
  .define("neuroon_product_sync", {
    id: model.id({ prefix: "nrps" }).primaryKey(),
    product_id: model.text(),
    status: model
      .enum(["pending", "synced", "deleted", "skipped", "failed", "dead"])
      .default("pending"),
    attempts: model.number().default(0),
    last_error: model.text().nullable(),
    next_attempt_at: model.dateTime().nullable(),
    content_hash: model.text().nullable(),
    last_synced_at: model.dateTime().nullable(),
    origin: model.text().nullable(),
  })
  .indexes([{ on: ["product_id"], unique: true }, { on: ["status", "next_attempt_at"] }]);

export default NeuroonProductSync;
