/** How far back {@link ServerClock.leastBehindByMs} looks, and how many responses it keeps. */
const RECENT_WINDOW_MS = 10_000;
const RECENT_OBSERVATIONS = 256;

/**
 * What this process can tell about Neuroon's clock from the HTTP `Date` header of its responses
 * (RFC 9110 §6.6.1: every origin server with a clock sends one). The drift scan asks Neuroon for
 * products changed after an instant of *our* clock, which Neuroon compares with timestamps of
 * *its* clock; knowing how far behind ours it may be lets that query overlap the previous one
 * by seconds instead of a blind minute.
 */
export class ServerClock {
  readonly #now: () => number;
  #behindMs: number | undefined;
  /** Recent observations (our receipt time, lag bound), for {@link ServerClock.leastBehindByMs}. */
  #recent: { atMs: number; behindMs: number }[] = [];

  /** `now`: the clock the caller's timestamps use (the client's). */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Records the `Date` header of a response that has just arrived; ignores a missing or bad one. */
  observe(dateHeader: string | undefined): void {
    if (dateHeader === undefined) return;
    const serverMs = Date.parse(dateHeader);
    if (Number.isNaN(serverMs)) return;
    // The header has whole seconds and was written before the response travelled, so this is
    // an upper bound: the true lag plus up to 1 s of truncation plus the trip back.
    const now = this.#now();
    this.#behindMs = Math.max(0, now - serverMs);
    this.#recent.push({ atMs: now, behindMs: this.#behindMs });
    if (this.#recent.length > RECENT_OBSERVATIONS) this.#recent.shift();
  }

  /**
   * The tightest of the bounds observed in the last {@link RECENT_WINDOW_MS}: each response's
   * bound is the true lag plus where in its second the header was written plus the trip back, so
   * the least of many responses comes close to the lag itself, where one alone may be a second
   * over it. Still an upper bound; `undefined` without a recent response.
   */
  leastBehindByMs(): number | undefined {
    const since = this.#now() - RECENT_WINDOW_MS;
    let least: number | undefined;
    for (const observation of this.#recent) {
      if (observation.atMs < since) continue;
      if (least === undefined || observation.behindMs < least) least = observation.behindMs;
    }
    return least;
  }

  /**
   * How far Neuroon's clock may be behind ours (never negative; an upper bound), from the last
   * response that had a `Date` header; `undefined` before any.
   */
  behindByMs(): number | undefined {
    return this.#behindMs;
  }
}
