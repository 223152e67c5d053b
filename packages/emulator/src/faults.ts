/** What a fault does to a matching request. */
export type FaultAction =
  /** Answer with this status, JSON body (default: the standard error envelope) and headers. */
  | {
      readonly type: "error";
      readonly status: number;
      readonly body?: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Wait before handling the request normally. Latency faults stack with the other kinds. */
  | { readonly type: "latency"; readonly delayMs: number }
  /**
   * Destroy the socket without answering. With `afterProcessing` the request is handled first
   * (the write happens, the answer is lost), which is what a client timeout looks like.
   */
  | { readonly type: "drop"; readonly afterProcessing?: boolean }
  /**
   * Answer 429 with the rate-limit body, `Retry-After: retryAfterSec` (default 60) and
   * `X-RateLimit-Limit: limit` (default 100, the "other" bucket).
   */
  | { readonly type: "rate-limit"; readonly retryAfterSec?: number; readonly limit?: number };

/** Which requests a fault applies to. Omitted fields match everything. */
export interface FaultMatch {
  readonly method?: string;
  /** A path prefix, or a regular expression (JSON control API: `{"pathRegex": "…"}`). */
  readonly path?: string | RegExp;
}

/** A fault rule as given to `faults.add()` or `POST /__emulator/faults`. */
export interface FaultRule {
  readonly action: FaultAction;
  readonly match?: FaultMatch;
  /** How many matching requests it affects; default 1 unless `durationMs` is set. */
  readonly times?: number;
  /** Affect matching requests for this long from now (combined with `times` if both are set). */
  readonly durationMs?: number;
}

/** A registered fault, as listed by `faults.list()`. */
export interface ActiveFault {
  readonly id: string;
  readonly action: FaultAction;
  readonly match: { readonly method: string | null; readonly path: string | null };
  readonly remaining: number | null;
  readonly expiresAtMs: number | null;
}

interface Entry {
  readonly id: string;
  readonly action: FaultAction;
  readonly method: string | null;
  readonly path: string | RegExp | null;
  remaining: number | null;
  readonly expiresAtMs: number | null;
}

/** What the fault controller decided for one request. */
export interface FaultPlan {
  readonly delayMs: number;
  readonly terminal: { readonly id: string; readonly action: FaultAction } | null;
  readonly latencyIds: readonly string[];
}

/** Fault injection for the documented API (the control API is never affected). */
export class FaultController {
  private entries: Entry[] = [];
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  /** Registers a rule and returns its id. */
  add(rule: FaultRule): string {
    validateRule(rule);
    const id = `fault_${this.nextId++}`;
    const times = rule.times ?? (rule.durationMs === undefined ? 1 : null);
    this.entries.push({
      id,
      action: rule.action,
      method: rule.match?.method?.toUpperCase() ?? null,
      path: rule.match?.path ?? null,
      remaining: times,
      expiresAtMs: rule.durationMs === undefined ? null : this.now() + rule.durationMs,
    });
    return id;
  }

  /** Fails the next `count` matching requests with `status` (and optionally a body). */
  failNext(
    count: number,
    status: number,
    options: { body?: unknown; headers?: Record<string, string>; match?: FaultMatch } = {},
  ): string {
    const action: FaultAction = {
      type: "error",
      status,
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    };
    return this.add({ action, times: count, ...(options.match ? { match: options.match } : {}) });
  }

  /** Delays matching requests by `delayMs`, for the next `times` requests or for `durationMs`. */
  delay(delayMs: number, options: Omit<FaultRule, "action"> = {}): string {
    return this.add({ ...options, action: { type: "latency", delayMs } });
  }

  /** Drops the connection of the next `count` matching requests. */
  dropNext(count: number, options: { match?: FaultMatch; afterProcessing?: boolean } = {}): string {
    const action: FaultAction = { type: "drop", afterProcessing: options.afterProcessing === true };
    return this.add({ action, times: count, ...(options.match ? { match: options.match } : {}) });
  }

  /** Answers 429 to the next `times` requests or for `durationMs`, with `Retry-After`. */
  rateLimitStorm(
    options: Omit<FaultRule, "action"> & { retryAfterSec?: number; limit?: number },
  ): string {
    const { retryAfterSec, limit, ...rest } = options;
    return this.add({
      ...rest,
      action: {
        type: "rate-limit",
        ...(retryAfterSec === undefined ? {} : { retryAfterSec }),
        ...(limit === undefined ? {} : { limit }),
      },
    });
  }

  remove(id: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((entry) => entry.id !== id);
    return this.entries.length < before;
  }

  clear(): void {
    this.entries = [];
  }

  list(): ActiveFault[] {
    this.prune();
    return this.entries.map((entry) => ({
      id: entry.id,
      action: entry.action,
      match: { method: entry.method, path: entry.path === null ? null : String(entry.path) },
      remaining: entry.remaining,
      expiresAtMs: entry.expiresAtMs,
    }));
  }

  /**
   * Consumes the rules matching a request: every latency rule adds its delay, and the first
   * terminal rule (error, drop, rate-limit) decides the response.
   */
  plan(method: string, path: string): FaultPlan {
    if (this.entries.length === 0) return { delayMs: 0, terminal: null, latencyIds: [] };
    this.prune();
    let delayMs = 0;
    const latencyIds: string[] = [];
    let terminal: FaultPlan["terminal"] = null;
    for (const entry of this.entries) {
      if (entry.method !== null && entry.method !== method) continue;
      if (entry.path !== null && !matchesPath(entry.path, path)) continue;
      if (entry.action.type === "latency") {
        delayMs += entry.action.delayMs;
        latencyIds.push(entry.id);
      } else if (terminal === null) {
        terminal = { id: entry.id, action: entry.action };
      } else {
        continue;
      }
      if (entry.remaining !== null) entry.remaining -= 1;
    }
    this.prune();
    return { delayMs, terminal, latencyIds };
  }

  private prune(): void {
    const nowMs = this.now();
    this.entries = this.entries.filter(
      (entry) =>
        (entry.remaining === null || entry.remaining > 0) &&
        (entry.expiresAtMs === null || entry.expiresAtMs > nowMs),
    );
  }
}

function matchesPath(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === "string" ? path.startsWith(pattern) : pattern.test(path);
}

function validateRule(rule: FaultRule): void {
  const action = rule.action as FaultAction | null | undefined;
  const kinds = ["error", "latency", "drop", "rate-limit"];
  if (typeof action !== "object" || action === null || !kinds.includes(action.type)) {
    throw new TypeError(`Fault action.type must be one of ${kinds.join(", ")}.`);
  }
  if (
    action.type === "error" &&
    !(Number.isInteger(action.status) && action.status >= 100 && action.status <= 599)
  ) {
    throw new TypeError("Fault action.status must be an HTTP status code (100-599).");
  }
  if (action.type === "latency" && !(action.delayMs >= 0 && Number.isFinite(action.delayMs))) {
    throw new TypeError("Fault action.delayMs must be a number >= 0.");
  }
  if (
    action.type === "rate-limit" &&
    action.retryAfterSec !== undefined &&
    !(Number.isInteger(action.retryAfterSec) && action.retryAfterSec >= 1)
  ) {
    throw new TypeError("Fault action.retryAfterSec must be an integer >= 1.");
  }
  if (
    action.type === "rate-limit" &&
    action.limit !== undefined &&
    !(Number.isInteger(action.limit) && action.limit >= 0)
  ) {
    throw new TypeError("Fault action.limit must be an integer >= 0.");
  }
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times >= 1)) {
    throw new TypeError("Fault times must be an integer >= 1.");
  }
  if (rule.durationMs !== undefined && !(rule.durationMs > 0 && Number.isFinite(rule.durationMs))) {
    throw new TypeError("Fault durationMs must be a number > 0.");
  }
}
