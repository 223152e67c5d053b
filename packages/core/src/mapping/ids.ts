import { describeValue, MappingError } from "./errors.js";
import { MAX_EXTERNAL_ID_LENGTH_CHARS } from "./limits.js";

/** A store id: WooCommerce/Shopify numbers, Medusa strings, Shopify GIDs, 64-bit ids as bigint. */
export type StoreId = string | number | bigint;

// gid://shopify/Product/123 and gid://shopify/ProductVariant/456?foo=bar (GIDs may carry params).
const SHOPIFY_GID_RE = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(?:\?[^/]*)?$/;
const VARIANT_SEPARATOR = ":";
// "." and "..", plain or percent-encoded: URL parsers collapse them (WHATWG treats %2e as ".").
const DOT_SEGMENT_RE = /^(?:\.|%2e){1,2}$/i;

/**
 * Whether an id is `.` or `..` (also percent-encoded): in the product's URL it is a dot segment,
 * which resolves to the collection or the shop, so the product could never be read or deleted
 * by it (a 404 there would even read as "already gone").
 */
export function isDotSegmentId(id: string): boolean {
  return DOT_SEGMENT_RE.test(id);
}

/**
 * A stable `externalId` for a store id. The same input always gives the same string, because the
 * externalId is Neuroon's upsert key and the key of the `neuroon_clicks` cookie.
 *
 * - Strings are trimmed and otherwise kept as they are (leading zeros, letters).
 * - A Shopify GID (`gid://shopify/Product/123`) becomes its numeric id `"123"`: shorter in the cookie
 *   and the DELETE path, identical to the `product_id` on order lines, and the same for GraphQL
 *   reads and REST webhooks. Other `gid://` ids are kept whole.
 * - Numbers must be non-negative safe integers: a number above 2^53 has already lost digits, so it
 *   is refused (`unsafe-integer-id`); pass such ids as a string or bigint. Bigints are exact.
 *
 * Throws `MappingError` (`invalid-id`) for blank, negative, fractional or over-long ids.
 */
export function toExternalId(id: StoreId): string {
  let text: string;
  if (typeof id === "string") {
    text = id.trim();
    const gid = SHOPIFY_GID_RE.exec(text);
    if (gid !== null) text = gid[1] as string;
  } else if (typeof id === "bigint") {
    if (id < 0n) throw invalidId(id, "a non-negative integer");
    text = id.toString();
  } else if (typeof id === "number") {
    if (Number.isInteger(id) && !Number.isSafeInteger(id)) {
      throw new MappingError(
        "unsafe-integer-id",
        `id ${describeValue(id)} is above Number.MAX_SAFE_INTEGER (2^53 - 1), so it may already have lost digits. Pass the id as a string or bigint (parse the platform's JSON with lossless-json or use its string id field).`,
        { field: "id" },
      );
    }
    if (!Number.isInteger(id) || id < 0) throw invalidId(id, "a non-negative integer");
    text = String(id);
  } else {
    throw invalidId(id, "a string, number or bigint");
  }
  if (text === "") throw invalidId(id, "a non-blank string");
  if (text.length > MAX_EXTERNAL_ID_LENGTH_CHARS) {
    throw invalidId(id, `at most ${MAX_EXTERNAL_ID_LENGTH_CHARS} characters`);
  }
  return text;
}

/**
 * The `externalId` of a variant: `"<parent>:<variant>"`, each part through {@link toExternalId}
 * (`variantExternalId("gid://shopify/Product/1", "gid://shopify/ProductVariant/2")` is `"1:2"`).
 *
 * Composite on purpose: once GIDs are reduced to numbers the resource type is gone, and a Shopify
 * product and variant may share a number; the parent prefix also keeps the id unique for Medusa
 * and WooCommerce. Order lines carry both ids on every platform, so conversions can rebuild it.
 * Set the variant's `parentExternalId` to `toExternalId(parentId)`.
 */
export function variantExternalId(parentId: StoreId, variantId: StoreId): string {
  const id = `${toExternalId(parentId)}${VARIANT_SEPARATOR}${toExternalId(variantId)}`;
  if (id.length > MAX_EXTERNAL_ID_LENGTH_CHARS) {
    throw invalidId(
      id,
      `at most ${MAX_EXTERNAL_ID_LENGTH_CHARS} characters for parent and variant together`,
    );
  }
  return id;
}

function invalidId(id: unknown, expected: string): MappingError {
  return new MappingError("invalid-id", `id must be ${expected}; received ${describeValue(id)}.`, {
    field: "id",
  });
}
