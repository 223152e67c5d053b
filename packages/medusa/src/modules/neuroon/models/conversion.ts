import { model } from "@medusajs/framework/utils";

/** One row per placed order: the unique `order_id` is what makes a conversion reported exactly once. */
const NeuroonConversion = model
  .define("neuroon_conversion", {
    id: model.id({ prefix: "nrcv" }).primaryKey(),
    order_id: model.text(),
    status: model.enum(["pending", "sent", "skipped", "failed", "dead"]).default("pending"),
    attempts: model.number().default(0),
    last_error: model.text().nullable(),
    next_attempt_at: model.dateTime().nullable(),
    payload: model.json().nullable(),
    sent_at: model.dateTime().nullable(),
  })
  .indexes([{ on: ["order_id"], unique: true }]);

export default NeuroonConversion;
