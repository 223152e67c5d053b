/**
 * Upper bound of `externalId` and `parentExternalId`. The contract gives none; 255 is the default
 * length of a JPA `@Column` string, which the Spring backend most likely stores it in, it leaves
 * room for several ids in the 4096-byte `neuroon_clicks` cookie, and every platform id (Shopify
 * 64-bit numbers, Medusa `prod_<ULID>`, WooCommerce post ids) is far shorter.
 */
export const MAX_EXTERNAL_ID_LENGTH_CHARS = 255;
/** `name`: 1..512 characters (contract §2.1). */
export const MAX_NAME_LENGTH_CHARS = 512;
/** `description`: the API accepts up to 5000 characters (contract §2.1). */
export const MAX_DESCRIPTION_LENGTH_CHARS = 5000;
/** Descriptions above about 2000 characters degrade ranking (server-to-server "Payload semantics"). */
export const RECOMMENDED_DESCRIPTION_LENGTH_CHARS = 2000;
/** `rating` is 0..5 (contract §2.1). */
export const MAX_RATING = 5;
