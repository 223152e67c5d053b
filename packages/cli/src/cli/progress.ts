import { formatCount, type Output } from "./output.js";

/** How often a terminal bar redraws. */
const REDRAW_INTERVAL_MS = 100;
/** Longest silence between plain progress lines when stderr is not a terminal (a log, CI). */
const PLAIN_LINE_INTERVAL_MS = 5_000;
/**
 * How often a plain progress checks for silence: a line is due once a tick finds at least
 * `PLAIN_LINE_INTERVAL_MS - HEARTBEAT_TICK_MS` without one, so none is ever more than the
 * interval late, also while nothing moves (a rate-limit window, a slow server).
 */
const HEARTBEAT_TICK_MS = 1_000;
/** Waits shorter than this are not worth a line. */
const MIN_REPORTED_WAIT_MS = 1_000;
const BAR_WIDTH_CHARS = 24;

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** What is counted, plural ("lines", "products"). */
  unit: string;
  /** Known total, for the percentage and the ETA. */
  total?: number | undefined;
  /** Clock in ms; injectable for tests. */
  now?: () => number;
  /** Runs `tick` every `ms` until the returned stop is called; injectable for tests. */
  every?: (ms: number, tick: () => void) => () => void;
}

function everyUnref(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Progress of long work on stderr. On a terminal: one bar redrawn in place with the count, the
 * rate and the ETA. Otherwise (a pipe, a CI log): a plain line every few seconds and one at the
 * end, so logs show progress without control characters. With `--json` and no terminal, silent.
 */
export class Progress {
  readonly #output: Output;
  readonly #label: string;
  readonly #unit: string;
  readonly #now: () => number;
  readonly #startedAtMs: number;
  readonly #isTerminal: boolean;
  readonly #isSilent: boolean;
  #total: number | undefined;
  #done = 0;
  #lastDrawAtMs = 0;
  #drawnWidth = 0;
  #isFinished = false;
  #waitingUntilMs = 0;
  readonly #stopHeartbeat: (() => void) | undefined;

  constructor(output: Output, label: string, options: ProgressOptions) {
    this.#output = output;
    this.#label = label;
    this.#unit = options.unit;
    this.#total = options.total;
    this.#now = options.now ?? Date.now;
    this.#startedAtMs = this.#now();
    this.#lastDrawAtMs = this.#startedAtMs;
    this.#isTerminal = output.isInteractive;
    this.#isSilent = !this.#isTerminal && output.isJson;
    if (!this.#isTerminal && !this.#isSilent) {
      this.#stopHeartbeat = (options.every ?? everyUnref)(HEARTBEAT_TICK_MS, () =>
        this.#drawIfDue(),
      );
    }
  }

  /**
   * Says the work waits `waitMs` for the rate-limit window: at once (plain output), and in every
   * line until the wait is over.
   */
  waitFor(waitMs: number): void {
    if (this.#isSilent || this.#isFinished || waitMs < MIN_REPORTED_WAIT_MS) return;
    const nowMs = this.#now();
    this.#waitingUntilMs = nowMs + waitMs;
    this.#lastDrawAtMs = nowMs;
    this.#draw(nowMs);
  }

  /** Sets the count done so far (and the total, when it became known). */
  update(done: number, total?: number): void {
    this.#done = done;
    if (total !== undefined) this.#total = total;
    if (this.#isSilent || this.#isFinished) return;
    this.#drawIfDue();
  }

  #drawIfDue(): void {
    if (this.#isFinished) return;
    const nowMs = this.#now();
    const intervalMs = this.#isTerminal
      ? REDRAW_INTERVAL_MS
      : PLAIN_LINE_INTERVAL_MS - HEARTBEAT_TICK_MS;
    if (nowMs - this.#lastDrawAtMs < intervalMs) return;
    this.#lastDrawAtMs = nowMs;
    this.#draw(nowMs);
  }

  /** Adds to the count. */
  advance(by = 1): void {
    this.update(this.#done + by);
  }

  /** Clears the bar (terminal) or prints a final plain line; idempotent. */
  finish(): void {
    if (this.#isFinished) return;
    this.#isFinished = true;
    this.#stopHeartbeat?.();
    if (this.#isSilent) return;
    if (this.#isTerminal) {
      if (this.#drawnWidth > 0) this.#output.io.stderr.write(`\r${" ".repeat(this.#drawnWidth)}\r`);
      return;
    }
    const elapsedMs = this.#now() - this.#startedAtMs;
    if (elapsedMs >= PLAIN_LINE_INTERVAL_MS) this.#output.note(this.#plainLine(this.#now()));
  }

  #draw(nowMs: number): void {
    if (this.#isTerminal) {
      const columns = this.#output.io.stderr.columns;
      const full = this.#barLine(nowMs);
      // A line wider than the terminal wraps, and "\r" then redraws only its last row.
      const text = columns !== undefined && columns > 1 ? full.slice(0, columns - 1) : full;
      const width = Math.max(this.#drawnWidth, text.length);
      this.#output.io.stderr.write(`\r${text.padEnd(width)}`);
      this.#drawnWidth = width;
    } else {
      this.#output.note(this.#plainLine(nowMs));
    }
  }

  #stats(nowMs: number): { rate: number; etaSec: number | undefined; share: number | undefined } {
    const elapsedSec = Math.max((nowMs - this.#startedAtMs) / 1000, 0.001);
    const rate = this.#done / elapsedSec;
    const total = this.#total;
    const share = total !== undefined && total > 0 ? Math.min(this.#done / total, 1) : undefined;
    const etaSec =
      total !== undefined && rate > 0 ? Math.max(0, (total - this.#done) / rate) : undefined;
    return { rate, etaSec, share };
  }

  #barLine(nowMs: number): string {
    const { rate, etaSec, share } = this.#stats(nowMs);
    const count =
      this.#total === undefined
        ? `${formatCount(this.#done)} ${this.#unit}`
        : `${formatCount(this.#done)}/${formatCount(this.#total)} ${this.#unit}`;
    const parts = [this.#label];
    if (share !== undefined) {
      const filled = Math.round(share * BAR_WIDTH_CHARS);
      parts.push(`[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH_CHARS - filled)}]`);
      parts.push(`${Math.floor(share * 100)}%`.padStart(4));
    }
    parts.push(count, `${formatRate(rate)}/s`);
    if (etaSec !== undefined) parts.push(`ETA ${formatDuration(etaSec)}`);
    const waiting = this.#waiting(nowMs);
    if (waiting !== "") parts.push(`(${waiting})`);
    return parts.join(" ");
  }

  /** `waiting 41 s for the rate-limit window`, or "" when not waiting. */
  #waiting(nowMs: number): string {
    const leftMs = this.#waitingUntilMs - nowMs;
    return leftMs < MIN_REPORTED_WAIT_MS / 2
      ? ""
      : `waiting ${Math.round(leftMs / 1_000)} s for the rate-limit window`;
  }

  #plainLine(nowMs: number): string {
    const { rate, etaSec, share } = this.#stats(nowMs);
    const count =
      this.#total === undefined
        ? `${formatCount(this.#done)} ${this.#unit}`
        : `${formatCount(this.#done)}/${formatCount(this.#total)} ${this.#unit}`;
    const percent = share === undefined ? "" : ` (${Math.floor(share * 100)}%)`;
    const eta = etaSec === undefined ? "" : `, ETA ${formatDuration(etaSec)}`;
    const waiting = this.#waiting(nowMs);
    return `${this.#label}: ${count}${percent}, ${formatRate(rate)}/s${eta}${waiting === "" ? "" : `; ${waiting}`}`;
  }
}

function formatRate(rate: number): string {
  return rate >= 100 ? Math.round(rate).toLocaleString("en-US") : rate.toFixed(1);
}

/** `1:05`, `12:00`, `1:02:03`. */
export function formatDuration(totalSec: number): string {
  const seconds = Math.round(totalSec);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}
