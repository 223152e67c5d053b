import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped, so two products
 * that differ only in key order or in absent-vs-undefined fields serialise identically.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") {
    // JSON.stringify(undefined) is undefined; top-level undefined hashes like null.
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? "null" : stableStringify(item))).join(",")}]`;
  }
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    members.push(`${JSON.stringify(key)}:${stableStringify(member)}`);
  }
  return `{${members.join(",")}}`;
}

/** SHA-256 (hex) of {@link stableStringify}: the content hash that decides "unchanged". */
export function contentHash(value: unknown): string {
  return createHash("sha256").update(stableStringify(value)).digest("hex");
}
