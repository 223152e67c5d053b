import { hash } from "node:crypto";

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped, so two products
 * that differ only in key order or in absent-vs-undefined fields serialise identically. Array
 * order is kept (`undefined` items become `null`, as in JSON): it is what goes on the wire.
 *
 * Its output is persisted (content hashes in every merchant's sync state), so it must never
 * change for the same input: a new format would resend every catalog once. It runs for every
 * product of every pass, hence the concatenation loops and the sorted-keys shortcut.
 */
export function stableStringify(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") {
    // JSON.stringify(undefined) is undefined; top-level undefined hashes like null.
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) {
    let json = "[";
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) json += ",";
      json += stableStringify(value[i]);
    }
    return `${json}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Code-unit order, as `sort()` compares; mappers usually build objects in one fixed order.
  if (!isSorted(keys)) keys.sort();
  let json = "{";
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (json.length > 1) json += ",";
    json += `${quotedKey(key)}:${stableStringify(member)}`;
  }
  return `${json}}`;
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i += 1) {
    if ((keys[i - 1] as string) > (keys[i] as string)) return false;
  }
  return true;
}

// Products share a few dozen field names; attribute names are the open-ended part, so the memo
// stops growing at a bound.
const QUOTED_KEYS = new Map<string, string>();
const MAX_QUOTED_KEYS = 4096;

function quotedKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (QUOTED_KEYS.size < MAX_QUOTED_KEYS) QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

/** SHA-256 (hex) of {@link stableStringify}: the content hash that decides "unchanged". */
export function contentHash(value: unknown): string {
  return hash("sha256", stableStringify(value), "hex");
}
