import type { Catalog, StoredProduct } from "./catalog.js";
import { formatLocalDateTime, parseIsoDateTime } from "./format-time.js";
import type { ProductView } from "./types.js";

/** Default `size` of a Spring page (api-conventions). */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest accepted `size`; above it the list answers 400 (api-conventions: "maximum 100"). */
export const MAX_PAGE_SIZE = 100;
/** Default `limit` of a cursor page (undocumented; an emulator choice). */
export const DEFAULT_CURSOR_LIMIT = 100;
/** Largest accepted cursor `limit`, the same as the sync batch maximum. */
export const MAX_CURSOR_LIMIT = 500;

/** Fields `sort` accepts. */
export const SORTABLE_FIELDS = ["updatedAt", "createdAt", "name", "price", "externalId"] as const;
type SortField = (typeof SORTABLE_FIELDS)[number];
interface SortOrder {
  readonly field: SortField;
  readonly descending: boolean;
}

/** The wire shape of a stored product. */
export function toProductView(product: StoredProduct): ProductView {
  return {
    ...product.dto,
    createdAt: formatLocalDateTime(product.createdAtMs),
    updatedAt: formatLocalDateTime(product.updatedAtMs),
  } as ProductView;
}

type Listing = { ok: true; body: unknown } | { ok: false; errors: string[] };

function parseNonNegativeInt(text: string | null): number | null {
  if (text === null || !/^\d{1,9}$/.test(text.trim())) return null;
  return Number(text.trim());
}

function parseSort(values: string[], errors: string[]): SortOrder[] {
  const orders: SortOrder[] = [];
  for (const value of values) {
    if (value.trim() === "") continue;
    const [field = "", direction = "asc", ...rest] = value.split(",").map((part) => part.trim());
    if (!(SORTABLE_FIELDS as readonly string[]).includes(field)) {
      errors.push(
        `sort: unsupported field '${field}', expected one of ${SORTABLE_FIELDS.join(", ")}`,
      );
      continue;
    }
    const dir = direction.toLowerCase();
    if (rest.length > 0 || (dir !== "asc" && dir !== "desc")) {
      errors.push(`sort: expected 'field,asc' or 'field,desc', received '${value}'`);
      continue;
    }
    orders.push({ field: field as SortField, descending: dir === "desc" });
  }
  return orders;
}

/**
 * Sorted copies of a catalog for sorts other than write order. Building one costs O(n log n);
 * it is cached until the catalog changes, so paging through an unchanged catalog stays cheap.
 */
export class SortedViews {
  private readonly cache = new Map<string, { version: number; items: StoredProduct[] }>();

  get(catalog: Catalog, orders: readonly SortOrder[]): StoredProduct[] {
    const key = orders.map((o) => `${o.field}:${o.descending ? "d" : "a"}`).join("|");
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.version === catalog.version) return hit.items;
    const items = catalog.toArray();
    items.sort((a, b) => {
      for (const order of orders) {
        const result = compareField(a, b, order.field);
        if (result !== 0) return order.descending ? -result : result;
      }
      return a.seq - b.seq;
    });
    this.cache.set(key, { version: catalog.version, items });
    return items;
  }
}

function compareField(a: StoredProduct, b: StoredProduct, field: SortField): number {
  switch (field) {
    case "updatedAt":
      return a.updatedAtMs - b.updatedAtMs || a.seq - b.seq;
    case "createdAt":
      return a.createdAtMs - b.createdAtMs;
    case "price":
      return (a.dto.price as number) - (b.dto.price as number);
    default: {
      const x = a.dto[field] as string;
      const y = b.dto[field] as string;
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

function encodeCursor(seq: number): string {
  return Buffer.from(`s:${seq}`, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): number | null {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^s:(\d{1,15})$/.exec(text);
  return match === null ? null : Number(match[1]);
}

/**
 * Lists products. With a `cursor` parameter (even empty) it answers `{products, nextCursor}`
 * walking write order (the shape the docs' deletion-reconcile loop uses); otherwise a Spring
 * page `{content, page, size, totalElements, totalPages, first, last}`. The default order is
 * write order, i.e. `updatedAt` ascending, which `modifiedAfter` and `sort=updatedAt,…` reuse
 * without sorting; other sorts use a cached sorted copy.
 */
export function listProducts(
  catalog: Catalog,
  query: URLSearchParams,
  sortedViews: SortedViews,
): Listing {
  const errors: string[] = [];
  let afterMs: number | null = null;
  const modifiedAfter = query.get("modifiedAfter");
  if (modifiedAfter !== null && modifiedAfter.trim() !== "") {
    afterMs = parseIsoDateTime(modifiedAfter);
    if (afterMs === null) {
      errors.push(`modifiedAfter: must be an ISO 8601 date-time, received '${modifiedAfter}'`);
    }
  }
  const orders = parseSort(query.getAll("sort"), errors);

  if (query.has("cursor")) {
    const cursorText = query.get("cursor") ?? "";
    const limitText = query.get("limit");
    const limit = limitText === null ? DEFAULT_CURSOR_LIMIT : parseNonNegativeInt(limitText);
    if (limit === null || limit < 1 || limit > MAX_CURSOR_LIMIT) {
      errors.push(`limit: must be between 1 and ${MAX_CURSOR_LIMIT}`);
    }
    const afterSeq = cursorText === "" ? 0 : decodeCursor(cursorText);
    if (afterSeq === null)
      errors.push("cursor: invalid cursor, pass the nextCursor of the previous page");
    if (orders.length > 0) errors.push("sort: not supported with cursor pagination");
    if (errors.length > 0 || limit === null || afterSeq === null) return { ok: false, errors };
    let rank = catalog.rankAfterSeq(afterSeq);
    if (afterMs !== null) rank = Math.max(rank, catalog.rankAfterTime(afterMs));
    const products: ProductView[] = [];
    let last: StoredProduct | undefined;
    for (let i = rank; i < rank + limit; i++) {
      const product = catalog.at(i);
      if (product === undefined) break;
      products.push(toProductView(product));
      last = product;
    }
    const more = last !== undefined && rank + products.length < catalog.size;
    return {
      ok: true,
      body: { products, nextCursor: more && last !== undefined ? encodeCursor(last.seq) : null },
    };
  }

  const pageText = query.get("page");
  const sizeText = query.get("size");
  const page = pageText === null ? 0 : parseNonNegativeInt(pageText);
  const size = sizeText === null ? DEFAULT_PAGE_SIZE : parseNonNegativeInt(sizeText);
  if (page === null) errors.push("page: must be an integer greater than or equal to 0");
  if (size === null || size < 1) errors.push("size: must be an integer greater than or equal to 1");
  else if (size > MAX_PAGE_SIZE)
    errors.push(`size: must be less than or equal to ${MAX_PAGE_SIZE}`);
  if (errors.length > 0 || page === null || size === null) return { ok: false, errors };

  const content: ProductView[] = [];
  let totalElements: number;
  const writeOrder =
    orders.length === 0 || (orders.length === 1 && orders[0]?.field === "updatedAt");
  if (writeOrder) {
    const descending = orders[0]?.descending === true;
    const first = afterMs === null ? 0 : catalog.rankAfterTime(afterMs);
    totalElements = catalog.size - first;
    const start = page * size;
    for (let i = start; i < Math.min(start + size, totalElements); i++) {
      const rank = descending ? catalog.size - 1 - i : first + i;
      const product = catalog.at(rank);
      if (product !== undefined) content.push(toProductView(product));
    }
  } else {
    let items = sortedViews.get(catalog, orders);
    if (afterMs !== null) {
      const threshold = afterMs;
      items = items.filter((product) => product.updatedAtMs > threshold);
    }
    totalElements = items.length;
    for (const product of items.slice(page * size, page * size + size)) {
      content.push(toProductView(product));
    }
  }
  const totalPages = Math.ceil(totalElements / size);
  return {
    ok: true,
    body: {
      content,
      page,
      size,
      totalElements,
      totalPages,
      first: page === 0,
      last: page >= totalPages - 1,
    },
  };
}
