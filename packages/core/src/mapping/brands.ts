import { dedupeStrings } from "./strings.js";

/** A named object as the platforms give brands: WooCommerce `brands[]`, a Medusa brand module link. */
export interface NamedValue {
  readonly name?: string | null | undefined;
}

/** What a dedicated brand field can hold across the platforms. */
export type BrandFieldValue =
  | string
  | NamedValue
  | ReadonlyArray<string | NamedValue | null | undefined>
  | null
  | undefined;

/**
 * `brands` from the brand field the adapter names (WooCommerce `brands[]`, Shopify `vendor`, a
 * Medusa brand link or `metadata.brand`): trimmed, blanks dropped, deduplicated
 * case-insensitively (first spelling kept), `undefined` when nothing is left.
 *
 * It never looks anywhere else: the Plugin API asks not to derive brands from the title, so a
 * product without a brand field has no brands. A string is one brand; it is not split on commas
 * ("Dolce & Gabbana", "Marks, Spencer & Co" stay whole).
 */
export function brandsFrom(value: BrandFieldValue): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  const items = typeof value === "string" || !isArray(value) ? [value] : value;
  const names: unknown[] = [];
  for (const item of items) {
    names.push(typeof item === "object" && item !== null ? item.name : item);
  }
  const brands = dedupeStrings(names);
  return brands.length > 0 ? brands : undefined;
}

function isArray(
  value: NamedValue | ReadonlyArray<string | NamedValue | null | undefined>,
): value is ReadonlyArray<string | NamedValue | null | undefined> {
  return Array.isArray(value);
}
