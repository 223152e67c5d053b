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
    this.#behindMs = Math.max(0, this.#now() - serverMs);
  }

  /**
   * How far Neuroon's clock may be behind ours (never negative; an upper bound), from the last
   * response that had a `Date` header; `undefined` before any.
   */
  behindByMs(): number | undefined {
    return this.#behindMs;
  }
}
