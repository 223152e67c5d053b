/**
 * The PHP behaviours WooCommerce's bytes depend on: `wp_json_encode()` output, `parse_str()`
 * array semantics and `rawurlencode()`. Ported so the fake's responses and signatures match a
 * real store byte for byte where it matters (webhook HMACs, OAuth base strings).
 */

/**
 * `wp_json_encode($value)` with PHP's default flags: `/` is escaped as `\/` and every non-ASCII
 * UTF-16 unit as `\uXXXX` (lower-case hex, surrogate pairs kept as two escapes). Re-serialising
 * the parsed result with `JSON.stringify` therefore yields different bytes, which is why webhook
 * signatures must be checked on the raw body.
 */
export function phpJsonEncode(value: unknown): string {
  const json = JSON.stringify(value) ?? "null";
  // `/` and non-ASCII can only occur inside JSON strings, so a global replace is safe.
  return json
    .replace(/\//g, "\\/")
    .replace(
      /[\u0080-\uffff]/g,
      (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
}

/** PHP's `rawurlencode()` followed by WooCommerce's `%7E` → `~` (`wc_rest_urlencode_rfc3986`). */
export function rfc3986Encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A PHP array: an ordered map. JavaScript objects reorder integer-like keys, which would change
 * the OAuth base string for `include[10]` vs `include[1]`, so entries are kept in a list.
 */
export type PhpValue = string | PhpArray;

/** See {@link PhpValue}. */
export class PhpArray {
  readonly entries: [string, PhpValue][] = [];
  private nextIndex = 0;

  get(key: string): PhpValue | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }

  set(key: string, value: PhpValue): void {
    const existing = this.entries.find(([k]) => k === key);
    if (existing) existing[1] = value;
    else this.entries.push([key, value]);
    if (/^\d+$/.test(key)) this.nextIndex = Math.max(this.nextIndex, Number(key) + 1);
  }

  push(value: PhpValue): void {
    this.set(String(this.nextIndex), value);
  }

  delete(key: string): void {
    const at = this.entries.findIndex(([k]) => k === key);
    if (at >= 0) this.entries.splice(at, 1);
  }

  /** The scalar at `key`, or undefined when absent or an array. */
  string(key: string): string | undefined {
    const value = this.get(key);
    return typeof value === "string" ? value : undefined;
  }

  /** Values of a list parameter: `a[]=1&a[]=2`, `a[0]=1` or WordPress's `a=1,2` (`wp_parse_list`). */
  list(key: string): string[] | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (typeof value === "string") {
      return value
        .split(/[\s,]+/)
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    }
    return value.entries.flatMap(([, item]) => (typeof item === "string" ? [item] : []));
  }

  /** Merges `other` over this array (PHP `array_merge` for string keys). */
  merge(other: PhpArray): PhpArray {
    const merged = new PhpArray();
    for (const [k, v] of this.entries) merged.set(k, v);
    for (const [k, v] of other.entries) merged.set(k, v);
    return merged;
  }
}

function phpUrlDecode(text: string): string {
  const plus = text.replace(/\+/g, " ");
  try {
    return decodeURIComponent(plus);
  } catch {
    // PHP's urldecode() leaves malformed escapes alone instead of failing.
    return plus.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
}

/**
 * `parse_str()`: `a=1&b[]=2&c[x][y]=3` into nested ordered arrays, in the order the pairs
 * arrive. A later scalar overwrites an earlier one, like PHP.
 */
export function parsePhpQuery(query: string): PhpArray {
  const root = new PhpArray();
  if (query.length === 0) return root;
  for (const pair of query.split("&")) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf("=");
    const rawKey = phpUrlDecode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : phpUrlDecode(pair.slice(eq + 1));
    const open = rawKey.indexOf("[");
    if (open <= 0 || !rawKey.endsWith("]")) {
      root.set(rawKey, value);
      continue;
    }
    const base = rawKey.slice(0, open);
    const path = [...rawKey.slice(open).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? "");
    let node = root;
    let key = base;
    for (const segment of path) {
      let child = node.get(key);
      if (!(child instanceof PhpArray)) {
        child = new PhpArray();
        node.set(key, child);
      }
      node = child;
      key = segment;
    }
    if (key === "") node.push(value);
    else node.set(key, value);
  }
  return root;
}
