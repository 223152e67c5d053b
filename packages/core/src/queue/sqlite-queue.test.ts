import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runChangeQueueConformance } from "../testing/change-queue-conformance.js";
import { enqueueInChildThenKill, TS_RESOLVE_HOOK_SOURCE } from "./kill-child.js";
import { openSqliteQueue, type SqliteChangeQueue } from "./sqlite-queue.js";

runChangeQueueConformance("sqlite", async (clock) => {
  const dir = await mkdtemp(join(tmpdir(), "neuroon-queue-"));
  const path = join(dir, "queue.db");
  return {
    open: async () => openSqliteQueue({ path, now: clock.now }),
    enqueueThenKill: (change) =>
      enqueueInChildThenKill({
        moduleUrl: new URL("./sqlite-queue.ts", import.meta.url).href,
        factory: "openSqliteQueue",
        options: { path },
        nowMs: clock.now(),
        change,
      }),
    claimThenKill: (claim) =>
      enqueueInChildThenKill({
        moduleUrl: new URL("./sqlite-queue.ts", import.meta.url).href,
        factory: "openSqliteQueue",
        options: { path },
        nowMs: clock.now(),
        claim,
      }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe("SqliteChangeQueue", () => {
  let dir: string;
  let queue: SqliteChangeQueue | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "neuroon-queue-"));
  });
  afterEach(async () => {
    await queue?.close();
    queue = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("opens the file in WAL mode", async () => {
    queue = openSqliteQueue({ path: join(dir, "q.db") });
    const { DatabaseSync } = await import("node:sqlite");
    const probe = new DatabaseSync(join(dir, "q.db"));
    expect(probe.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    probe.close();
  });

  it("works in memory", async () => {
    queue = openSqliteQueue({ path: ":memory:" });
    await queue.enqueue({ kind: "product", key: "p1" });
    expect(await queue.stats()).toMatchObject({ pending: 1 });
  });

  it("rolls back the whole batch when one change cannot be stored", async () => {
    queue = openSqliteQueue({ path: join(dir, "q.db") });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(
      queue.enqueue([
        { kind: "product", key: "p1" },
        { kind: "product", key: "p2", payload: cyclic },
      ]),
    ).rejects.toThrow(/circular/i);
    expect(await queue.stats()).toMatchObject({ pending: 0 });
  });

  it("never hands the same change to two of several processes claiming at once", async () => {
    const path = join(dir, "q.db");
    queue = openSqliteQueue({ path });
    const keys = Array.from({ length: 600 }, (_, i) => `p${i}`);
    await queue.enqueue(keys.map((key) => ({ kind: "product" as const, key })));
    // Each child drains with small claims and acks, printing what it got, so the processes
    // contend for the write lock on every call.
    const drain = `${TS_RESOLVE_HOOK_SOURCE}
const { openSqliteQueue } = await import(process.env.QUEUE_MODULE);
const queue = openSqliteQueue({ path: process.env.QUEUE_PATH });
const keys = [];
for (;;) {
  const batch = await queue.claim({ limit: 3, leaseMs: 60_000 });
  if (batch.length === 0) break;
  keys.push(...batch.map((change) => change.key));
  await queue.ack(batch.map((change) => change.id));
}
await queue.close();
process.stdout.write(JSON.stringify(keys));
`;
    const env = {
      ...process.env,
      QUEUE_MODULE: new URL("./sqlite-queue.ts", import.meta.url).href,
      QUEUE_PATH: path,
    };
    const run = promisify(execFile);
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        run(process.execPath, ["--input-type=module", "--no-warnings", "-e", drain], { env }),
      ),
    );
    const claimed = results.flatMap(({ stdout }) => JSON.parse(stdout) as string[]);
    expect(claimed.length).toBe(keys.length);
    expect(new Set(claimed)).toEqual(new Set(keys));
    expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 });
  });

  it("rejects an unknown synchronous level", () => {
    expect(() => openSqliteQueue({ path: ":memory:", synchronous: "off" as never })).toThrow(
      /synchronous/,
    );
  });
});
