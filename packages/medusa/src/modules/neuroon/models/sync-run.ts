import { model } from "@medusajs/framework/utils";

/** A full resync or nightly reconcile, for the admin status page. */
const NeuroonSyncRun = model.define("neuroon_sync_run", {
  id: model.id({ prefix: "nrrun" }).primaryKey(),
  kind: model.enum(["full", "reconcile"]),
  status: model.enum(["running", "completed", "failed"]).default("running"),
  started_at: model.dateTime(),
  finished_at: model.dateTime().nullable(),
  upserted: model.number().default(0),
  deleted: model.number().default(0),
  failed: model.number().default(0),
  error: model.text().nullable(),
});

export default NeuroonSyncRun;
