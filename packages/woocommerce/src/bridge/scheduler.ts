import { type BridgeLogger, errorMessage } from "./logger.js";

/** A recurring job of the bridge. */
export interface ScheduledTask {
  name: string;
  /** Milliseconds from now until the next run. */
  nextDelayMs(now: number): number;
  run(signal: AbortSignal): Promise<unknown>;
}

/** Milliseconds from `now` until the next `hour`:00 UTC (tomorrow's when it has passed). */
export function msUntilUtcHour(now: number, hour: number): number {
  const date = new Date(now);
  const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), hour, 0, 0);
  return next > now ? next - now : next + 24 * 60 * 60_000 - now;
}

/**
 * Runs tasks on timers; a task never overlaps itself (the next run is scheduled when the current
 * one ends). `stop()` clears the timers, aborts running tasks and waits for them.
 */
export class Scheduler {
  readonly #tasks: readonly ScheduledTask[];
  readonly #logger: BridgeLogger;
  readonly #now: () => number;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<Promise<unknown>>();
  #controller = new AbortController();
  #stopped = true;

  constructor(tasks: readonly ScheduledTask[], logger: BridgeLogger, now: () => number = Date.now) {
    this.#tasks = tasks;
    this.#logger = logger;
    this.#now = now;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#controller = new AbortController();
    for (const task of this.#tasks) this.#schedule(task);
  }

  #schedule(task: ScheduledTask): void {
    if (this.#stopped) return;
    const delayMs = Math.max(0, task.nextDelayMs(this.#now()));
    const timer = setTimeout(() => {
      this.#timers.delete(task.name);
      const run = this.#runTask(task).finally(() => {
        this.#running.delete(run);
        this.#schedule(task);
      });
      this.#running.add(run);
    }, delayMs);
    this.#timers.set(task.name, timer);
  }

  async #runTask(task: ScheduledTask): Promise<void> {
    const startedAt = this.#now();
    try {
      const result = await task.run(this.#controller.signal);
      this.#logger.info(`scheduled ${task.name} done`, {
        durationMs: this.#now() - startedAt,
        result,
      });
    } catch (error) {
      if (this.#controller.signal.aborted) return;
      this.#logger.error(`scheduled ${task.name} failed`, { error: errorMessage(error) });
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#controller.abort(new Error("The bridge is shutting down."));
    await Promise.allSettled([...this.#running]);
  }
}
