/** The Neuroon rate-limit buckets (contract §4); every Plugin API route counts against one. */
export type RateBucket =
  | "sync"
  | "shop-info"
  | "verification"
  | "verify-action"
  | "unverify-action"
  | "other";

/** One bucket's limit: `limit` requests per fixed window of `windowMs`. */
export interface RateLimitRule {
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Rate limiting: `false` disables it (mirrors production today, where the plugin filter never
 * fires), `"real"` (the default) applies the documented table, and an object scales the windows
 * (`scale: 0.01` turns 1 min into 600 ms) and/or overrides single buckets.
 */
export type RateLimitsOption =
  | false
  | "real"
  | {
      readonly scale?: number;
      readonly buckets?: Partial<Record<RateBucket, Partial<RateLimitRule>>>;
    };

/** Eventual consistency: each sync batch becomes visible after a uniform delay in [minMs, maxMs]. */
export interface IndexingLatencyOption {
  readonly minMs: number;
  readonly maxMs: number;
}

/** A shop the emulator knows: id, Shop API Key and registered storefront URL. */
export interface ShopSpec {
  readonly shopId: string;
  readonly apiKey: string;
  readonly url: string;
  readonly name?: string;
  readonly maxProducts?: number;
  readonly maxSearchesPerMonth?: number;
  /** Start with the domain already verified. */
  readonly verified?: boolean;
}

/** The current public view of a shop, as `handle.shops` lists it. */
export interface EmulatorShop {
  readonly shopId: string;
  readonly apiKey: string;
  readonly url: string;
  readonly name: string;
  readonly maxProducts: number;
  readonly maxSearchesPerMonth: number;
  readonly verified: boolean;
  readonly verifiedDomain: string | null;
  readonly verificationCode: string;
  readonly productsCount: number;
}

/**
 * How FULL syncs behave (contract §7, §9 #10):
 * - `"run"` (default): consecutive FULL requests form one run; the first request of a run wipes
 *   the catalog, later ones append. A run ends after `runWindowMs` without a FULL request, on an
 *   INCREMENTAL sync, or when the `X-Idempotency-Key` run prefix (text before the last `:`) changes.
 * - `"each-request"`: every FULL request wipes the catalog before inserting its batch.
 * - `"upsert"`: FULL behaves like INCREMENTAL (never wipes).
 */
export type FullSyncMode = "run" | "each-request" | "upsert";

/**
 * What happens to a variant whose `parentExternalId` is neither stored nor earlier in the batch:
 * `"drop"` (default, newest docs: silently dropped), `"fail"` (counted in `failed`/`errors[]`),
 * `"reject"` (the whole request answers 422, as an older errors page describes).
 */
export type OrphanVariantMode = "drop" | "fail" | "reject";

/**
 * A repeated `X-Idempotency-Key` whose request differs from the first one:
 * `"reject"` (default) answers 400, `"replay"` replays the first response anyway,
 * `"process"` handles the new request and remembers its response instead.
 */
export type IdempotencyMismatchMode = "reject" | "replay" | "process";

/** Options for {@link startEmulator}. Every field is optional. */
export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  readonly host?: string;
  /** Shops to serve; when empty (and nothing persisted), the demo shop is created. */
  readonly shops?: readonly ShopSpec[];
  readonly rateLimits?: RateLimitsOption;
  /** Off by default (products are visible as soon as the sync answers). */
  readonly indexingLatency?: IndexingLatencyOption | false;
  /** NDJSON state file loaded on start and written on close and every `persistIntervalMs`. */
  readonly persistPath?: string;
  /** Period of background persistence writes (only when something changed); default 30 s. */
  readonly persistIntervalMs?: number;
  /** Shorthand for `orphanVariants: "reject"`. */
  readonly strictOrphans?: boolean;
  readonly orphanVariants?: OrphanVariantMode;
  readonly fullSync?: FullSyncMode;
  /** Idle time that ends a FULL run in `"run"` mode; default 60 s. */
  readonly fullSyncRunWindowMs?: number;
  /** Status for a key used on another shop's path: 403 (default, contract §9 #23) or 401. */
  readonly crossTenantStatus?: 401 | 403;
  /** Status for deleting a product that does not exist: 204 (default, newest docs) or 404. */
  readonly deleteMissingStatus?: 204 | 404;
  readonly idempotencyMismatch?: IdempotencyMismatchMode;
  /** `false` ignores `X-Idempotency-Key`. Default: on, keys kept 24 h, at most 10 000 kept. */
  readonly idempotency?: false | { readonly ttlMs?: number; readonly maxKeys?: number };
  /** Missing `conversions[].searchLogId`: 400 (default, `@NotBlank`) or accepted. */
  readonly requireSearchLogId?: boolean;
  /** Refuse sync and conversion calls with 403 "Domain not verified" until the shop verifies. */
  readonly requireVerification?: boolean;
  /** How many requests `handle.requests` keeps (oldest dropped first); default 500, 0 disables. */
  readonly requestLogLimit?: number;
  /** Largest accepted request body; default 16 MiB (a 500-product batch is far below). */
  readonly maxBodyBytes?: number;
  /** Clock for tests; default `Date.now`. */
  readonly now?: () => number;
  /** Random source in [0, 1) for indexing latency, for tests; default `Math.random`. */
  readonly random?: () => number;
}

/** A product as GET/list return it: the DTO fields as sent plus `createdAt` and `updatedAt`. */
export interface ProductView {
  readonly externalId: string;
  readonly name: string;
  readonly price: number;
  readonly url: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly [field: string]: unknown;
}

/** A conversion the emulator accepted. */
export interface RecordedConversion {
  readonly orderId: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly receivedAt: string;
}

/** One entry of the request log. The API key header is redacted. */
export interface RecordedRequest {
  readonly id: string;
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body when it parsed, the raw text otherwise, `undefined` without a body. */
  readonly body: unknown;
  readonly status: number;
  readonly durationMs: number;
  readonly shopId: string | null;
  readonly idempotencyKey: string | null;
  readonly replayed: boolean;
  /** Id of the fault rule that shaped the response, if any. */
  readonly faultId: string | null;
}

/** Result of {@link EmulatorHandle.verifyWidgetToken}. */
export type WidgetTokenVerification =
  | { readonly ok: true; readonly shopId: string; readonly issuedAtSec: number }
  | { readonly ok: false; readonly reason: string };
