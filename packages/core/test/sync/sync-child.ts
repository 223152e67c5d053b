// Run in a child `node` process by engine-kill.test.ts: syncs a file-backed store into the
// emulator through file-backed SQLite queue and state, printing progress so the parent can
// SIGKILL it at an arbitrary point. Not a test file itself.
import { join } from "node:path";
import { NeuroonClient } from "../../src/client.js";
import { openSqliteQueue } from "../../src/queue/sqlite-queue.js";
import { openSqliteStateStore } from "../../src/state/sqlite-state-store.js";
import { SyncEngine } from "../../src/sync/sync-engine.js";
import { FileStore } from "./file-store.js";

interface ChildJob {
  dir: string;
  baseUrl: string;
  shopId: string;
  apiKey: string;
  batchSize: number;
}

const job = JSON.parse(process.env.NEUROON_SYNC_CHILD ?? "{}") as ChildJob;
const queue = openSqliteQueue({ path: join(job.dir, "queue.db") });
const state = openSqliteStateStore({ path: join(job.dir, "state.db"), shopId: job.shopId });
const client = new NeuroonClient({
  shopId: job.shopId,
  apiKey: job.apiKey,
  baseUrl: job.baseUrl,
  rateLimits: false,
  maxRetries: 1,
});
const engine = new SyncEngine({
  client,
  queue,
  state,
  source: new FileStore(join(job.dir, "catalog.json")),
  batchSize: job.batchSize,
  // The shipped lease (the engine's default, 5 minutes, as the bridge uses): a restart must not
  // wait for it to run out, the new process reclaims its dead predecessor's leases.
  claim: { limit: job.batchSize },
  retry: { baseDelayMs: 10, maxAttempts: 1_000 },
  onEvent: (event) => {
    if (event.type === "batch-sent" || event.type === "deleted")
      process.stdout.write(`${event.type}\n`);
  },
});
process.stdout.write("ready\n");
const drained = await engine.drain();
const full = await engine.fullSync();
process.stdout.write(`done ${JSON.stringify({ drained, full })}\n`);
await queue.close();
await state.close();
