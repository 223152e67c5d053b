import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChangeInput, ChangeQueue, ClaimOptions, QueuedChange } from "../queue/types.js";

/**
 * One storage location (a SQLite file, a Redis key prefix, a PostgreSQL schema) that the battery
 * opens queues on. Every test gets a fresh one, so backends need no cleanup between assertions.
 */
export interface ChangeQueueHarness {
  /**
   * Opens a queue instance on this harness's storage; a second call gives a second, independent
   * instance (another "process") on the same storage. Every queue opened must read time from the
   * factory's `clock`: the battery moves it to expire leases and retry delays.
   */
  open(): Promise<ChangeQueue>;
  /**
   * Enqueues `change` from a child process that is SIGKILLed as soon as `enqueue` resolved, and
   * resolves once the child is dead. Optional: backends that can run in a child implement it; the
   * durability test is skipped without it.
   */
  enqueueThenKill?(change: ChangeInput): Promise<void>;
  /**
   * Claims with `options` from a child process on this storage that is SIGKILLed as soon as the
   * claim resolved (so it dies holding the leases), and resolves once the child is dead. Optional:
   * for backends that recognise a dead holder's leases on the same machine and reclaim them at
   * once; the test is skipped without it.
   */
  claimThenKill?(options: ClaimOptions): Promise<void>;
  /** Deletes the storage. Queues the battery opened are already closed. */
  cleanup(): Promise<void>;
}

/** What a backend gives the battery: a fresh harness whose queues read time from `clock`. */
export type ChangeQueueHarnessFactory = (clock: {
  now: () => number;
}) => Promise<ChangeQueueHarness>;

const START_MS = 1_750_000_000_000;
// Tests that start a child process (which loads the backend afresh) get room for a busy machine:
// the repository's one test timeout when its config sets it, else a minute.
const CHILD_PROCESS_TIMEOUT_MS = Number(process.env.NEUROON_TEST_TIMEOUT_MS ?? 60_000);
const LEASE_MS = 30_000;

/**
 * The conformance battery every {@link ChangeQueue} backend runs (house style rule 23): the same
 * assertions for SQLite, Redis and PostgreSQL, so "behind the same interface" is tested, not
 * hoped for. It covers coalescing (latest payload wins, counts add up, in-flight changes are never
 * rewritten), oldest-first claims with limits and kind filters, lease expiry and redelivery, lease
 * renewal, retries with caller-chosen delays, dead letters and replay, `lastEnqueuedAt`, stats,
 * input validation, concurrent claimers and persistence across reopen. Optional methods
 * (`lastEnqueuedAt`, `renewLeases`) are tested when the backend has them.
 *
 * Call it at the top level of a vitest test file (it registers a `describe` block); it needs
 * `vitest` and `fast-check`, both optional peer dependencies of `@neuroon/core`.
 *
 * @example
 * ```ts
 * // my-queue.test.ts
 * import { runChangeQueueConformance } from "@neuroon/core/testing";
 * import { openMyQueue } from "./my-queue.js";
 *
 * runChangeQueueConformance("my backend", async (clock) => {
 *   const database = await createScratchDatabase();
 *   return {
 *     open: async () => openMyQueue({ database, now: clock.now }),
 *     cleanup: () => database.drop(),
 *   };
 * });
 * ```
 */
export function runChangeQueueConformance(name: string, factory: ChangeQueueHarnessFactory): void {
  describe(`ChangeQueue conformance: ${name}`, () => {
    let nowMs = START_MS;
    let harness: ChangeQueueHarness;
    let opened: ChangeQueue[] = [];
    let queue: ChangeQueue;

    const advance = (ms: number): void => {
      nowMs += ms;
    };
    const open = async (): Promise<ChangeQueue> => {
      const instance = await harness.open();
      opened.push(instance);
      return instance;
    };
    const claimAll = (q: ChangeQueue, options: Partial<Parameters<ChangeQueue["claim"]>[0]> = {}) =>
      q.claim({ limit: 1_000, leaseMs: LEASE_MS, ...options });

    beforeEach(async () => {
      nowMs = START_MS;
      opened = [];
      harness = await factory({ now: () => nowMs });
      queue = await open();
    });

    afterEach(async () => {
      for (const instance of opened) await instance.close();
      await harness.cleanup();
    });

    it("enqueues, claims and acks a change", async () => {
      await queue.enqueue({
        kind: "product",
        key: "p1",
        payload: { name: "Mug" },
        origin: "webhook:products/update",
      });
      expect(await queue.stats()).toEqual({ pending: 1, delayed: 0, inFlight: 0, deadLetters: 0 });

      const [change, ...rest] = await claimAll(queue);
      expect(rest).toEqual([]);
      expect(change).toMatchObject({
        kind: "product",
        key: "p1",
        payload: { name: "Mug" },
        origin: "webhook:products/update",
        attempts: 0,
        coalesced: 1,
        firstEnqueuedAt: START_MS,
        lastEnqueuedAt: START_MS,
      });
      expect(typeof change?.id).toBe("string");
      expect(change?.lastError).toBeUndefined();
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 1, deadLetters: 0 });

      await queue.ack([change?.id ?? ""]);
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 });
      advance(LEASE_MS * 2);
      expect(await claimAll(queue)).toEqual([]);
    });

    it("keeps an absent payload absent", async () => {
      await queue.enqueue({ kind: "delete", key: "p1" });
      const [change] = await claimAll(queue);
      expect(change).not.toHaveProperty("payload");
      expect(change).not.toHaveProperty("origin");
    });

    it("coalesces 100 edits of one product into one change with the latest payload", async () => {
      for (let i = 1; i <= 100; i += 1) {
        await queue.enqueue({ kind: "product", key: "p1", payload: { version: i } });
        advance(10);
      }
      const changes = await claimAll(queue);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        key: "p1",
        coalesced: 100,
        payload: { version: 100 },
        firstEnqueuedAt: START_MS,
        lastEnqueuedAt: START_MS + 990,
      });
    });

    it("coalesces within one batched enqueue call", async () => {
      const batch: ChangeInput[] = [];
      for (let i = 1; i <= 100; i += 1) {
        batch.push({ kind: "product", key: `p${i % 10}`, payload: { version: i } });
      }
      await queue.enqueue(batch);
      const changes = await claimAll(queue);
      expect(changes).toHaveLength(10);
      for (const change of changes) {
        expect(change.coalesced).toBe(10);
        const digit = Number(change.key.slice(1));
        expect(change.payload).toEqual({ version: 90 + (digit === 0 ? 10 : digit) });
      }
    });

    it("keeps a change enqueued while an earlier one for the key is in flight", async () => {
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 1 } });
      const [first] = await claimAll(queue);
      advance(5);
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 2 } });
      expect(await queue.stats()).toMatchObject({ pending: 1, inFlight: 1 });
      expect(first?.payload).toEqual({ version: 1 });

      const [second] = await claimAll(queue);
      expect(second?.id).not.toBe(first?.id);
      expect(second).toMatchObject({ key: "p1", payload: { version: 2 }, coalesced: 1 });

      await queue.ack([first?.id ?? "", second?.id ?? ""]);
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 });
    });

    it("merges product and delete changes for one key into the later one", async () => {
      await queue.enqueue({ kind: "product", key: "p1", payload: { name: "Mug" } });
      await queue.enqueue({ kind: "delete", key: "p1" });
      await queue.enqueue({ kind: "delete", key: "p2" });
      await queue.enqueue({ kind: "product", key: "p2", payload: { name: "Back" } });
      const changes = await claimAll(queue);
      expect(changes.map(({ key, kind, coalesced }) => ({ key, kind, coalesced }))).toEqual([
        { key: "p1", kind: "delete", coalesced: 2 },
        { key: "p2", kind: "product", coalesced: 2 },
      ]);
      expect(changes[0]).not.toHaveProperty("payload");
      expect(changes[1]?.payload).toEqual({ name: "Back" });
    });

    it("dedupes conversions by order id, apart from products with the same key", async () => {
      await queue.enqueue([
        { kind: "conversion", key: "42", payload: { total: 10 } },
        { kind: "product", key: "42" },
        { kind: "conversion", key: "42", payload: { total: 12 } },
      ]);
      const changes = await claimAll(queue);
      expect(changes.map(({ kind, key, coalesced }) => ({ kind, key, coalesced }))).toEqual([
        { kind: "conversion", key: "42", coalesced: 2 },
        { kind: "product", key: "42", coalesced: 1 },
      ]);
      expect(changes[0]?.payload).toEqual({ total: 12 });
    });

    it("claims oldest first, and a coalesced change keeps its place", async () => {
      for (const key of ["a", "b", "c"]) {
        await queue.enqueue({ kind: "product", key });
        advance(1);
      }
      await queue.enqueue({ kind: "product", key: "a", payload: { version: 2 } });
      expect((await claimAll(queue)).map((change) => change.key)).toEqual(["a", "b", "c"]);
    });

    it("claims at most `limit` changes per call", async () => {
      await queue.enqueue(
        ["a", "b", "c", "d", "e"].map((key) => ({ kind: "product" as const, key })),
      );
      expect((await claimAll(queue, { limit: 2 })).map((c) => c.key)).toEqual(["a", "b"]);
      expect((await claimAll(queue, { limit: 10 })).map((c) => c.key)).toEqual(["c", "d", "e"]);
      expect(await claimAll(queue, { limit: 10 })).toEqual([]);
    });

    it("claims only the requested kinds", async () => {
      await queue.enqueue([
        { kind: "product", key: "p1" },
        { kind: "conversion", key: "o1" },
        { kind: "delete", key: "p2" },
      ]);
      expect((await claimAll(queue, { kinds: ["conversion"] })).map((c) => c.key)).toEqual(["o1"]);
      expect(await claimAll(queue, { kinds: ["conversion"] })).toEqual([]);
      expect((await claimAll(queue, { kinds: ["product", "delete"] })).map((c) => c.key)).toEqual([
        "p1",
        "p2",
      ]);
    });

    it("delivers a change again once its lease expires", async () => {
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 1 } });
      const [first] = await claimAll(queue, { leaseMs: 1_000 });
      advance(999);
      expect(await claimAll(queue)).toEqual([]);
      advance(1);
      expect(await queue.stats()).toMatchObject({ pending: 1, inFlight: 0 });
      const [again] = await claimAll(queue);
      expect(again).toMatchObject({
        id: first?.id,
        key: "p1",
        payload: { version: 1 },
        attempts: 1,
      });
      expect(again?.lastError).toEqual(expect.any(String));
    });

    it("ignores an ack after the lease expired, so the change is redelivered", async () => {
      await queue.enqueue({ kind: "product", key: "p1" });
      const [first] = await claimAll(queue, { leaseMs: 1_000 });
      advance(1_001);
      await queue.ack([first?.id ?? ""]);
      expect(await queue.stats()).toMatchObject({ pending: 1 });
      expect((await claimAll(queue)).map((c) => c.id)).toEqual([first?.id]);
    });

    it("merges an expired change into a newer pending change for the same key", async () => {
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 1 } });
      await claimAll(queue, { leaseMs: 1_000 });
      advance(10);
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 2 } });
      advance(1_000);
      const changes = await claimAll(queue);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        payload: { version: 2 },
        coalesced: 2,
        firstEnqueuedAt: START_MS,
      });
    });

    // renewLeases() is optional in the interface; a backend that has it must agree with the others.
    const renewLeases = (q: ChangeQueue, context: { skip: () => void }) => {
      if (q.renewLeases === undefined) context.skip();
      return (ids: readonly string[], leaseMs: number) => q.renewLeases?.(ids, leaseMs);
    };

    it("renews a lease, so a change its holder is still working on is not delivered again", async (context) => {
      const renew = renewLeases(queue, context);
      await queue.enqueue([
        { kind: "product", key: "p1" },
        { kind: "product", key: "p2" },
      ]);
      const [p1, p2] = await claimAll(queue, { leaseMs: 1_000 });
      advance(900);
      expect(await renew([p1?.id ?? "", p1?.id ?? ""], 1_000)).toEqual([p1?.id]);
      // p2's lease (not renewed) ran out; p1's runs until 1 900.
      advance(900);
      const again = await claimAll(await open());
      expect(again.map((change) => change.key)).toEqual(["p2"]);
      expect(again[0]?.id).toBe(p2?.id);
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 2, deadLetters: 0 });
      advance(99);
      expect(await renew([p1?.id ?? ""], 5_000)).toEqual([p1?.id]);
      advance(4_999);
      expect(await claimAll(queue)).toEqual([]);
      // The holder's ack still counts: it never lost the lease.
      await queue.ack([p1?.id ?? ""]);
      expect(await queue.stats()).toMatchObject({ inFlight: 1 });
    });

    it("renews only live leases: not expired, acked, failed or unknown ones", async (context) => {
      const renew = renewLeases(queue, context);
      await queue.enqueue(["a", "b", "c"].map((key) => ({ kind: "product" as const, key })));
      const [a, b, c] = await claimAll(queue, { leaseMs: 1_000 });
      await queue.ack([a?.id ?? ""]);
      await queue.fail(b?.id ?? "", "later", { delayMs: 10_000, maxAttempts: 5 });
      advance(1_000);
      expect(
        await renew([a?.id ?? "", b?.id ?? "", c?.id ?? "", "999999", "not-an-id"], 1_000),
      ).toEqual([]);
      expect(await queue.stats()).toEqual({ pending: 1, delayed: 1, inFlight: 0, deadLetters: 0 });
      expect((await claimAll(queue)).map((change) => change.id)).toEqual([c?.id]);
      expect(await renew([], 1_000)).toEqual([]);
      await expect(queue.renewLeases?.([c?.id ?? ""], 0)).rejects.toThrow(/leaseMs/);
    });

    it("treats ack and fail of unknown ids as no-ops", async () => {
      await queue.enqueue({ kind: "product", key: "p1" });
      await queue.ack(["999999", "not-an-id", ""]);
      await expect(queue.fail("999999", "boom", { delayMs: 0, maxAttempts: 1 })).resolves.toBe(
        "retrying",
      );
      expect(await queue.stats()).toEqual({ pending: 1, delayed: 0, inFlight: 0, deadLetters: 0 });
    });

    it("retries a failed change after the delay with attempts incremented", async () => {
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 1 } });
      const [first] = await claimAll(queue);
      const outcome = await queue.fail(first?.id ?? "", "503 upstream", {
        delayMs: 5_000,
        maxAttempts: 3,
      });
      expect(outcome).toBe("retrying");
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 1, inFlight: 0, deadLetters: 0 });
      advance(4_999);
      expect(await claimAll(queue)).toEqual([]);
      advance(1);
      expect(await queue.stats()).toMatchObject({ pending: 1, delayed: 0 });
      const [retry] = await claimAll(queue);
      expect(retry).toMatchObject({
        id: first?.id,
        attempts: 1,
        lastError: "503 upstream",
        payload: { version: 1 },
      });
    });

    it("keeps the retry delay when a newer edit arrives during the backoff", async () => {
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 1 } });
      const [first] = await claimAll(queue);
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 2 } });
      await queue.fail(first?.id ?? "", "timeout", { delayMs: 5_000, maxAttempts: 3 });
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 1, inFlight: 0, deadLetters: 0 });
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 3 } });
      expect(await claimAll(queue)).toEqual([]);
      advance(5_000);
      const changes = await claimAll(queue);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({ payload: { version: 3 }, attempts: 1, coalesced: 3 });
    });

    it("moves a change to the dead letters with its reason after maxAttempts", async () => {
      await queue.enqueue({
        kind: "conversion",
        key: "o1",
        payload: { total: 5 },
        origin: "webhook:orders/paid",
      });
      const options = { delayMs: 1_000, maxAttempts: 3 };
      const [c1] = await claimAll(queue);
      expect(await queue.fail(c1?.id ?? "", "e1", options)).toBe("retrying");
      advance(1_000);
      const [c2] = await claimAll(queue);
      expect(c2?.attempts).toBe(1);
      expect(await queue.fail(c2?.id ?? "", "e2", options)).toBe("retrying");
      advance(1_000);
      const [c3] = await claimAll(queue);
      expect(c3?.attempts).toBe(2);
      expect(await queue.fail(c3?.id ?? "", "422 invalid price", options)).toBe("dead");

      expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 0, deadLetters: 1 });
      advance(60_000);
      expect(await claimAll(queue)).toEqual([]);
      const dead = await queue.listDeadLetters();
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        id: c1?.id,
        kind: "conversion",
        key: "o1",
        payload: { total: 5 },
        origin: "webhook:orders/paid",
        attempts: 3,
        reason: "422 invalid price",
        failedAt: START_MS + 2_000,
      });
    });

    it("lists dead letters oldest first, up to the limit", async () => {
      await queue.enqueue(["a", "b", "c"].map((key) => ({ kind: "product" as const, key })));
      for (const change of await claimAll(queue)) {
        await queue.fail(change.id, `bad ${change.key}`, { delayMs: 0, maxAttempts: 1 });
        advance(1);
      }
      expect((await queue.listDeadLetters()).map((d) => d.reason)).toEqual([
        "bad a",
        "bad b",
        "bad c",
      ]);
      expect((await queue.listDeadLetters({ limit: 2 })).map((d) => d.key)).toEqual(["a", "b"]);
    });

    it("replays dead letters with attempts reset", async () => {
      await queue.enqueue(
        ["a", "b"].map((key) => ({ kind: "product" as const, key, payload: { key } })),
      );
      for (const change of await claimAll(queue)) {
        await queue.fail(change.id, "rejected", { delayMs: 0, maxAttempts: 1 });
      }
      const [deadA, deadB] = await queue.listDeadLetters();
      expect(await queue.replayDeadLetters([deadA?.id ?? "", "424242"])).toBe(1);
      expect((await queue.listDeadLetters()).map((d) => d.key)).toEqual(["b"]);
      const [replayed] = await claimAll(queue);
      expect(replayed).toMatchObject({
        id: deadA?.id,
        key: "a",
        attempts: 0,
        payload: { key: "a" },
      });

      expect(await queue.replayDeadLetters()).toBe(1);
      expect(await queue.replayDeadLetters()).toBe(0);
      const [again] = await claimAll(queue);
      expect(again).toMatchObject({ id: deadB?.id, key: "b", attempts: 0 });
      expect(await queue.stats()).toMatchObject({ deadLetters: 0, inFlight: 2 });
    });

    it("replays a dead letter into a newer pending change for the same key", async () => {
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 1 } });
      const [first] = await claimAll(queue);
      await queue.fail(first?.id ?? "", "rejected", { delayMs: 0, maxAttempts: 1 });
      advance(10);
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 2 } });
      expect(await queue.replayDeadLetters()).toBe(1);
      const changes = await claimAll(queue);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        payload: { version: 2 },
        coalesced: 2,
        firstEnqueuedAt: START_MS,
      });
    });

    // lastEnqueuedAt() is optional in the interface; a backend that has it must agree with the
    // others. Both harnesses inject the battery clock, so exact values are compared.
    const lastEnqueuedAt = (q: ChangeQueue, context: { skip: () => void }) => {
      if (q.lastEnqueuedAt === undefined) context.skip();
      return q.lastEnqueuedAt?.();
    };

    it("reports no last enqueue on a fresh queue", async (context) => {
      expect(await lastEnqueuedAt(queue, context)).toBeUndefined();
    });

    it("moves the last enqueue on a new change and on one merged into a pending change", async (context) => {
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 1 } });
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS);
      advance(100);
      await queue.enqueue({ kind: "product", key: "p2" });
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS + 100);
      // A re-edit of a pending key does not grow the pending count; it must still move this.
      advance(100);
      await queue.enqueue({ kind: "product", key: "p1", payload: { version: 2 } });
      expect(await queue.stats()).toMatchObject({ pending: 2 });
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS + 200);
      advance(100);
      await queue.enqueue([
        { kind: "delete", key: "p2" },
        { kind: "conversion", key: "o1" },
      ]);
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS + 300);
      // Another instance on the same storage sees it too (the window reads other processes' enqueues).
      expect(await lastEnqueuedAt(await open(), context)).toBe(START_MS + 300);
    });

    it("keeps the last enqueue through claim, lease expiry and retry", async (context) => {
      await queue.enqueue({ kind: "product", key: "p1" });
      advance(100);
      await queue.enqueue({ kind: "product", key: "p2" });
      const claimed = await claimAll(queue);
      expect(claimed).toHaveLength(2);
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS + 100);
      advance(LEASE_MS);
      const redelivered = await claimAll(queue);
      expect(redelivered).toHaveLength(2);
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS + 100);
      const p2 = redelivered.find((change) => change.key === "p2");
      await queue.fail(p2?.id ?? "", "timeout", { delayMs: 5_000, maxAttempts: 5 });
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS + 100);
    });

    it("counts only changes still queued: ack and dead-lettering drop theirs, replay restores it", async (context) => {
      await queue.enqueue({ kind: "product", key: "p1" });
      advance(100);
      await queue.enqueue({ kind: "product", key: "p2" });
      const [first, second] = await claimAll(queue);
      expect([first?.key, second?.key]).toEqual(["p1", "p2"]);
      // Acking a change older than the latest leaves the value alone.
      await queue.ack([first?.id ?? ""]);
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS + 100);
      // A change for p2 enqueued while p2 is in flight is a new change with a later enqueue.
      advance(100);
      await queue.enqueue({ kind: "product", key: "p2" });
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS + 200);
      const [third] = await claimAll(queue);
      await queue.ack([third?.id ?? ""]);
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS + 100);
      expect(await queue.fail(second?.id ?? "", "bad", { delayMs: 0, maxAttempts: 1 })).toBe(
        "dead",
      );
      expect(await lastEnqueuedAt(queue, context)).toBeUndefined();
      expect(await queue.replayDeadLetters()).toBe(1);
      expect(await lastEnqueuedAt(queue, context)).toBe(START_MS + 100);
      const [replayed] = await claimAll(queue);
      await queue.ack([replayed?.id ?? ""]);
      expect(await lastEnqueuedAt(queue, context)).toBeUndefined();
    });

    it("reports pending, delayed, in-flight and dead-letter counts", async () => {
      await queue.enqueue(["a", "b", "c", "d"].map((key) => ({ kind: "product" as const, key })));
      const [a, b, c] = await claimAll(queue, { limit: 3 });
      await queue.fail(a?.id ?? "", "later", { delayMs: 10_000, maxAttempts: 5 });
      await queue.fail(b?.id ?? "", "never", { delayMs: 0, maxAttempts: 1 });
      expect(c?.key).toBe("c");
      expect(await queue.stats()).toEqual({ pending: 1, delayed: 1, inFlight: 1, deadLetters: 1 });
    });

    it("takes a batch of 10 000 changes in one call", async () => {
      const batch = Array.from({ length: 10_000 }, (_, i) => ({
        kind: "product" as const,
        key: `p${i}`,
        payload: { price: i, name: `Product ${i}` },
      }));
      // Speed is a benchmark's business (SQLite takes ~100 ms here, Redis ~150 ms), not a test's.
      await queue.enqueue(batch);
      expect(await queue.stats()).toMatchObject({ pending: 10_000 });
      const claimed = await queue.claim({ limit: 10_000, leaseMs: LEASE_MS });
      expect(claimed).toHaveLength(10_000);
      expect(claimed[9_999]).toMatchObject({ key: "p9999", payload: { price: 9_999 } });
    });

    it("rejects malformed input before writing anything", async () => {
      await expect(
        queue.enqueue([
          { kind: "product", key: "ok" },
          { kind: "upsert" as never, key: "p1" },
        ]),
      ).rejects.toThrow(/kind/);
      await expect(queue.enqueue({ kind: "product", key: "" })).rejects.toThrow(/key/);
      await expect(queue.enqueue({ kind: "product", key: "p1", payload: () => 1 })).rejects.toThrow(
        /payload/,
      );
      await expect(queue.claim({ limit: 0, leaseMs: 1_000 })).rejects.toThrow(/limit/);
      await expect(queue.claim({ limit: 1, leaseMs: 0 })).rejects.toThrow(/leaseMs/);
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 });
    });

    it("never hands the same change to two concurrent claimers", async () => {
      const other = await open();
      const keys = Array.from({ length: 200 }, (_, i) => `p${i}`);
      await queue.enqueue(keys.map((key) => ({ kind: "product" as const, key })));
      const drain = async (q: ChangeQueue): Promise<QueuedChange[]> => {
        const got: QueuedChange[] = [];
        for (;;) {
          const batch = await q.claim({ limit: 7, leaseMs: LEASE_MS });
          if (batch.length === 0) return got;
          got.push(...batch);
        }
      };
      const [mine, theirs] = await Promise.all([drain(queue), drain(other)]);
      const ids = [...mine, ...theirs].map((change) => change.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set([...mine, ...theirs].map((change) => change.key))).toEqual(new Set(keys));
      expect(await other.stats()).toMatchObject({ pending: 0, inFlight: 200 });
    });

    it("keeps pending, delayed and dead changes across close and reopen", async () => {
      await queue.enqueue(
        ["a", "b", "c"].map((key) => ({ kind: "product" as const, key, payload: { key } })),
      );
      const [a, b] = await claimAll(queue, { limit: 2 });
      await queue.fail(a?.id ?? "", "later", { delayMs: 10_000, maxAttempts: 5 });
      await queue.fail(b?.id ?? "", "never", { delayMs: 0, maxAttempts: 1 });
      await queue.close();

      const reopened = await open();
      expect(await reopened.stats()).toEqual({
        pending: 1,
        delayed: 1,
        inFlight: 0,
        deadLetters: 1,
      });
      expect((await reopened.listDeadLetters())[0]).toMatchObject({ key: "b", reason: "never" });
      advance(10_000);
      expect((await claimAll(reopened)).map((c) => c.payload)).toEqual([
        { key: "a" },
        { key: "c" },
      ]);
    });

    it("loses nothing when the process is killed right after enqueue resolved", {
      timeout: CHILD_PROCESS_TIMEOUT_MS,
    }, async (context) => {
      if (harness.enqueueThenKill === undefined) {
        context.skip();
        return;
      }
      await harness.enqueueThenKill({
        kind: "product",
        key: "killed",
        payload: { survived: true },
      });
      const [change] = await claimAll(queue);
      expect(change).toMatchObject({ key: "killed", payload: { survived: true } });
    });

    it("reclaims at once the leases of a holder process on this machine that was killed", {
      timeout: CHILD_PROCESS_TIMEOUT_MS,
    }, async (context) => {
      if (harness.claimThenKill === undefined) {
        context.skip();
        return;
      }
      await queue.enqueue([
        { kind: "product", key: "p1", payload: { version: 1 } },
        { kind: "product", key: "p2" },
      ]);
      // The child claims p1 (oldest first) and is killed holding it, its lease 30 s from over.
      await harness.claimThenKill({ limit: 1, leaseMs: LEASE_MS });
      const claimed = await claimAll(queue);
      expect(claimed.map((change) => change.key)).toEqual(["p1", "p2"]);
      expect(claimed[0]).toMatchObject({ payload: { version: 1 }, attempts: 1 });
      expect(claimed[0]?.lastError).toMatch(/died/);
      expect(claimed[1]).toMatchObject({ attempts: 0 });
      // A live holder's leases (this process's) are left alone, whatever instance looks.
      expect(await claimAll(await open())).toEqual([]);
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 2, deadLetters: 0 });
      await queue.ack(claimed.map((change) => change.id));
      expect(await queue.stats()).toEqual({ pending: 0, delayed: 0, inFlight: 0, deadLetters: 0 });
    });

    it("coalesces any enqueue sequence to one change per key with the latest payload", async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              kind: fc.constantFrom("product" as const, "delete" as const, "conversion" as const),
              key: fc.constantFrom("a", "b", "c"),
              payload: fc.integer(),
            }),
            { minLength: 1, maxLength: 30 },
          ),
          async (edits) => {
            run += 1;
            const prefix = `run${run}-`;
            const changes = edits.map((edit) => ({ ...edit, key: prefix + edit.key }));
            await queue.enqueue(changes.slice(0, 10));
            for (const change of changes.slice(10)) await queue.enqueue(change);

            const expected = new Map<
              string,
              { kind: string; payload: number; coalesced: number }
            >();
            for (const change of changes) {
              const lane = `${change.kind === "conversion" ? "c" : "p"}:${change.key}`;
              const previous = expected.get(lane);
              expected.set(lane, {
                kind: change.kind,
                payload: change.payload,
                coalesced: (previous?.coalesced ?? 0) + 1,
              });
            }
            const claimed = await claimAll(queue);
            await queue.ack(claimed.map((change) => change.id));
            const actual = new Map(
              claimed.map((change) => [
                `${change.kind === "conversion" ? "c" : "p"}:${change.key}`,
                { kind: change.kind, payload: change.payload, coalesced: change.coalesced },
              ]),
            );
            expect(actual).toEqual(expected);
          },
        ),
        { numRuns: 25 },
      );
    });
  });
}
