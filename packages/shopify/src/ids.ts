/**
 * Shopify ids. GIDs look like `gid://shopify/Product/8123456789012`; the numeric part is kept as a
 * string everywhere because ids may exceed 2^53 (sample fixtures already do).
 */

const GID_PATTERN = /^gid:\/\/shopify\/([A-Za-z]+)\/([0-9]{1,30})$/;
const NUMERIC_ID_PATTERN = /^[0-9]{1,30}$/;

/** Returns the numeric id of a GID (`gid://shopify/Product/42` → `"42"`), or throws. */
export function gidToId(gid: string, expectedType?: string): string {
  const match = GID_PATTERN.exec(gid);
  if (!match || (expectedType !== undefined && match[1] !== expectedType)) {
    throw new TypeError(
      `Expected a Shopify ${expectedType ?? ""} GID like gid://shopify/${expectedType ?? "Product"}/123, received ${JSON.stringify(gid.slice(0, 80))}`,
    );
  }
  return match[2] as string;
}

/** Builds a GID from a resource type and a numeric id given as a string or bigint. */
export function toGid(type: string, id: string | bigint): string {
  const text = String(id);
  if (!NUMERIC_ID_PATTERN.test(text)) {
    throw new TypeError(
      `Expected a numeric Shopify id, received ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  return `gid://shopify/${type}/${text}`;
}

/**
 * The Neuroon `externalId` of a product: its numeric Shopify id (core's `toExternalId`). Variant
 * records use core's `variantExternalId`: `<productId>:<variantId>`.
 */
export function productExternalId(productGid: string): string {
  return gidToId(productGid, "Product");
}

/** The product GID for a product `externalId` (or a variant record's `externalId`). */
export function productGidFromExternalId(externalId: string): string {
  const productId = externalId.split(":", 1)[0] ?? "";
  return toGid("Product", productId);
}
