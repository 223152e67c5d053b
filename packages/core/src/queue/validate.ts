import type { ChangeInput, ChangeKind, ClaimOptions } from "./types.js";

/** Default page size of `listDeadLetters`. */
export const DEFAULT_DEAD_LETTER_LIMIT = 100;

/** The `lastError` a change carries when it comes back because its lease ran out. */
export const LEASE_EXPIRED_ERROR = "lease expired before ack or fail (worker crashed or too slow)";

/** Every kind a change can have, in a stable order. */
export const CHANGE_KINDS: readonly ChangeKind[] = ["product", "delete", "conversion"];

/**
 * The coalescing namespace of a kind. `product` and `delete` describe the same product and merge
 * into the later one; conversions are keyed by order id, which may collide with a product id.
 */
export function laneOf(kind: ChangeKind): "product" | "conversion" {
  return kind === "conversion" ? "conversion" : "product";
}

/** Normalises `enqueue`'s argument to an array and rejects malformed changes before any write. */
export function normaliseChanges(changes: ChangeInput | readonly ChangeInput[]): ChangeInput[] {
  const list: readonly ChangeInput[] = isChangeArray(changes) ? changes : [changes];
  for (const change of list) {
    if (change === null || typeof change !== "object") {
      throw new TypeError(`A change must be an object, received ${describe(change)}`);
    }
    if (!CHANGE_KINDS.includes(change.kind)) {
      throw new TypeError(
        `Change kind must be one of ${CHANGE_KINDS.join(", ")}, received ${describe(change.kind)}`,
      );
    }
    if (typeof change.key !== "string" || change.key.length === 0) {
      throw new TypeError(
        `Change key must be a non-empty string (the product externalId or order id), received ${describe(change.key)}`,
      );
    }
    if (change.origin !== undefined && typeof change.origin !== "string") {
      throw new TypeError(`Change origin must be a string, received ${describe(change.origin)}`);
    }
  }
  return [...list];
}

/** Rejects claim options that would claim nothing or lease forever. */
export function validateClaimOptions(options: ClaimOptions): readonly ChangeKind[] {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new RangeError(
      `claim limit must be a positive integer, received ${describe(options.limit)}`,
    );
  }
  validateLeaseMs(options.leaseMs, "claim");
  const kinds = options.kinds ?? CHANGE_KINDS;
  for (const kind of kinds) {
    if (!CHANGE_KINDS.includes(kind)) {
      throw new TypeError(
        `claim kinds must be among ${CHANGE_KINDS.join(", ")}, received ${describe(kind)}`,
      );
    }
  }
  return [...new Set(kinds)].sort();
}

/** Rejects a lease length that would lease nothing or forever (`claim`, `renewLeases`). */
export function validateLeaseMs(leaseMs: number, method: string): void {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new RangeError(
      `${method} leaseMs must be a positive number, received ${describe(leaseMs)}`,
    );
  }
}

/** Rejects fail options that would retry immediately forever or never. */
export function validateFailOptions(options: { delayMs: number; maxAttempts: number }): void {
  if (!Number.isFinite(options.delayMs) || options.delayMs < 0) {
    throw new RangeError(
      `fail delayMs must be a number >= 0, received ${describe(options.delayMs)}`,
    );
  }
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new RangeError(
      `fail maxAttempts must be a positive integer, received ${describe(options.maxAttempts)}`,
    );
  }
}

/** Serialises a payload for storage; `undefined` means "no payload" and is stored as absent. */
export function encodePayload(payload: unknown): string | null {
  if (payload === undefined) return null;
  const json: string | undefined = JSON.stringify(payload);
  if (json === undefined) {
    throw new TypeError(`Change payload must be JSON-serialisable, received ${typeof payload}`);
  }
  return json;
}

function isChangeArray(
  changes: ChangeInput | readonly ChangeInput[],
): changes is readonly ChangeInput[] {
  return Array.isArray(changes);
}

function describe(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
