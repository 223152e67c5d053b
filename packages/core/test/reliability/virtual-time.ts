import { setTimeout as realDelay } from "node:timers/promises";
import type { SleepFunction } from "../../src/rate-limit.js";

/**
 * One clock shared by the client (its `now` and `sleep`) and the emulator (its `now`), so a test
 * can check the timestamps the server recorded against `Retry-After` and the rate window without
 * waiting for them in real time.
 *
 * A sleep does not advance the clock by itself: the clock jumps to the earliest pending wake-up
 * only when no HTTP request is in flight (counted by the client's `onRequest`/`onResponse`
 * hooks) for two consecutive real ticks. So a request is always stamped by the server at the
 * virtual instant it was sent, never at a later one some other sleeper jumped to.
 */
export class VirtualTime {
  now: number;
  inFlight = 0;
  readonly #timers: { at: number; seq: number; resolve: () => void }[] = [];
  #seq = 0;
  #running = false;

  constructor(startMs: number) {
    this.now = startMs;
  }

  readonly clock = (): number => this.now;

  readonly sleep: SleepFunction = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = { at: this.now + Math.max(0, ms), seq: this.#seq++, resolve };
      this.#timers.push(timer);
      signal?.addEventListener(
        "abort",
        () => {
          const index = this.#timers.indexOf(timer);
          if (index >= 0) this.#timers.splice(index, 1);
          reject(signal.reason);
        },
        { once: true },
      );
      void this.#run();
    });

  /** Hooks for the client: count requests between send and answer. */
  readonly hooks = {
    onRequest: () => {
      this.inFlight += 1;
    },
    onResponse: () => {
      this.inFlight -= 1;
    },
  };

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#timers.length > 0) {
        await realDelay(2);
        if (this.inFlight > 0) continue;
        await realDelay(2);
        if (this.inFlight > 0 || this.#timers.length === 0) continue;
        this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = this.#timers.shift();
        if (!next) break;
        this.now = Math.max(this.now, next.at);
        next.resolve();
      }
    } finally {
      this.#running = false;
    }
  }
}
