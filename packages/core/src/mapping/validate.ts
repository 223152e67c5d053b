import type { NeuroonProduct } from "../types.js";
import { isAsciiDigit, isAsciiLetter } from "./char-codes.js";
import { describeValue } from "./errors.js";
import { isDotSegmentId } from "./ids.js";
import {
  MAX_DESCRIPTION_LENGTH_CHARS,
  MAX_EXTERNAL_ID_LENGTH_CHARS,
  MAX_NAME_LENGTH_CHARS,
  MAX_RATING,
} from "./limits.js";
import { cleanLine, dedupeStrings, truncateAtWord } from "./strings.js";

/** One reason a product cannot be sent. `field` is a path: `name`, `categories[2]`, `attributes.color`. */
export interface ValidationIssue {
  field: string;
  message: string;
}

/** Result of {@link validateProduct}. */
export type ProductValidationResult =
  | { ok: true; product: NeuroonProduct }
  | { ok: false; issues: ValidationIssue[] };

/**
 * What a mapper may hand to {@link normalizeProduct}: a `NeuroonProduct` whose optional fields may
 * also be `null` (platform JSON is full of them).
 */
export type NeuroonProductInput = {
  [K in keyof NeuroonProduct]: undefined extends NeuroonProduct[K]
    ? NeuroonProduct[K] | null | undefined
    : NeuroonProduct[K];
};

/** A product {@link prepareBatch} left out, with every reason. */
export interface RejectedProduct {
  /** Position in the input. */
  index: number;
  /** The product's `externalId` when it has a usable one. */
  externalId: string | undefined;
  issues: ValidationIssue[];
}

/** Result of {@link prepareBatch}. */
export interface PreparedBatch {
  /** Normalised, valid products in input order: safe to send. */
  valid: NeuroonProduct[];
  rejected: RejectedProduct[];
}

type StringListField = "categories" | "brands" | "tags";

const STRING_LIST_FIELDS: readonly StringListField[] = ["categories", "brands", "tags"];
/**
 * Every field of a {@link NeuroonProduct}, in the order the API documents them: what a feed's
 * columns may be named after, and what validation recognises (anything else is flagged).
 */
export const NEUROON_PRODUCT_FIELDS = [
  "externalId",
  "parentExternalId",
  "name",
  "price",
  "salePrice",
  "currency",
  "url",
  "imageUrl",
  "sku",
  "description",
  "categories",
  "brands",
  "tags",
  "inStock",
  "stockQuantity",
  "rating",
  "reviewCount",
  "isActive",
  "attributes",
] as const satisfies readonly (keyof NeuroonProduct)[];
const KNOWN_FIELDS = new Set<string>(NEUROON_PRODUCT_FIELDS);
const CURRENCY_CODE_RE = /^[A-Z]{3}$/;
// C0 controls other than tab/newline, DEL and C1 controls: never part of an id.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHAR_RE = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a product against the Plugin API's documented limits (contract §2.1) before it is sent.
 * It does not repair anything (that is {@link normalizeProduct}); it reports every problem, not
 * just the first. Lengths are UTF-16 code units, as the Java backend's `@Size` counts them.
 *
 * Rules: `externalId` (and `parentExternalId`) a non-blank string of at most 255 characters
 * without control characters; `name` 1..512; `description` at most 5000; `price` finite >= 0;
 * `salePrice` finite >= 0 and < `price`; `url` absolute http(s); `imageUrl` absolute http(s);
 * `currency` three upper-case letters; `rating` 0..5; `stockQuantity` and `reviewCount`
 * non-negative integers; `attributes` non-blank string keys to string values; `categories`,
 * `brands`, `tags` arrays of non-blank strings; booleans are booleans; no unknown fields.
 */
export function validateProduct(product: unknown): ProductValidationResult {
  if (typeof product !== "object" || product === null || Array.isArray(product)) {
    return {
      ok: false,
      issues: [
        { field: "", message: `expected a product object; received ${describeValue(product)}.` },
      ],
    };
  }
  const p = product as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const add = (field: string, message: string): void => {
    issues.push({ field, message });
  };

  checkId(p.externalId, "externalId", true, add);
  checkId(p.parentExternalId, "parentExternalId", false, add);
  if (
    typeof p.parentExternalId === "string" &&
    p.parentExternalId !== "" &&
    p.parentExternalId === p.externalId
  ) {
    add(
      "parentExternalId",
      "parentExternalId must differ from externalId; a product cannot be its own parent.",
    );
  }
  checkText(
    p.name,
    "name",
    1,
    MAX_NAME_LENGTH_CHARS,
    true,
    add,
    "normalizeProduct() truncates long names at a word boundary.",
  );
  checkText(
    p.description,
    "description",
    0,
    MAX_DESCRIPTION_LENGTH_CHARS,
    false,
    add,
    "use toPlainText() with a maxLength, or normalizeProduct().",
  );
  checkText(p.sku, "sku", 1, Number.POSITIVE_INFINITY, false, add);

  const priceOk = checkNumber(p.price, "price", true, add);
  if (checkNumber(p.salePrice, "salePrice", false, add) && priceOk) {
    if ((p.salePrice as number) >= (p.price as number)) {
      add(
        "salePrice",
        `salePrice must be lower than price (${p.price}); received ${p.salePrice}. Omit it when the product is not on sale (normalizeProduct() drops it).`,
      );
    }
  }
  if (
    p.currency !== undefined &&
    (typeof p.currency !== "string" || !CURRENCY_CODE_RE.test(p.currency))
  ) {
    add(
      "currency",
      `currency must be an ISO 4217 code of three upper-case letters like "EUR"; received ${describeValue(p.currency)}.`,
    );
  }
  checkUrl(p.url, "url", true, add);
  checkUrl(p.imageUrl, "imageUrl", false, add);

  for (const field of STRING_LIST_FIELDS) checkStringList(p[field], field, add);
  checkBoolean(p.inStock, "inStock", add);
  checkBoolean(p.isActive, "isActive", add);
  checkCount(p.stockQuantity, "stockQuantity", add);
  checkCount(p.reviewCount, "reviewCount", add);
  if (p.rating !== undefined) {
    if (
      typeof p.rating !== "number" ||
      !Number.isFinite(p.rating) ||
      p.rating < 0 ||
      p.rating > MAX_RATING
    ) {
      add(
        "rating",
        `rating must be a number from 0 to ${MAX_RATING}; received ${describeValue(p.rating)}. Convert other scales before mapping.`,
      );
    }
  }
  checkAttributes(p.attributes, add);
  for (const key of Object.keys(p)) {
    if (!KNOWN_FIELDS.has(key) && p[key] !== undefined) {
      add(
        key,
        `${key} is not a field of the Plugin API product (PluginProductDTO); remove it or put it in attributes.`,
      );
    }
  }
  return issues.length === 0
    ? { ok: true, product: product as NeuroonProduct }
    : { ok: false, issues };
}

/**
 * Repairs what can be repaired, without I/O or mutation, and returns a new product whose keys are
 * in a fixed order (stable JSON, stable idempotency hashes). What it cannot repair is left for
 * {@link validateProduct} to report.
 *
 * - Strings are trimmed; `name`, `sku`, ids, labels and attribute keys/values also get inner
 *   whitespace collapsed. `description` keeps its line breaks.
 * - `name` longer than 512 and `description` longer than 5000 are cut at a word boundary with "…".
 * - `currency` is upper-cased (Medusa's `"eur"`).
 * - `null`, `undefined`, blank optional strings, empty arrays and empty `attributes` are dropped.
 * - `categories`, `brands`, `tags`: blanks dropped, duplicates removed case-insensitively.
 * - `attributes`: entries with a blank key or value dropped.
 * - `salePrice` is dropped when it is not a finite number lower than `price`, or is negative.
 * - `stockQuantity`: a negative stock (WooCommerce backorders) becomes 0, fractional stock is
 *   rounded down.
 */
export function normalizeProduct(input: NeuroonProductInput): NeuroonProduct {
  const p = input as unknown as Record<string, unknown>;
  // One named store per field, in the fixed order: each store site always sees the same object
  // shape, where `out[key] = value` through a shared helper made every store a generic lookup.
  const out: Record<string, unknown> = {};
  const externalId = typeof p.externalId === "string" ? cleanLine(p.externalId) : p.externalId;
  if (isPresent(externalId)) out.externalId = externalId;
  const parentExternalId = optionalLine(p.parentExternalId);
  if (isPresent(parentExternalId)) out.parentExternalId = parentExternalId;
  const sku = optionalLine(p.sku);
  if (isPresent(sku)) out.sku = sku;
  const name =
    typeof p.name === "string" ? truncateAtWord(cleanLine(p.name), MAX_NAME_LENGTH_CHARS) : p.name;
  if (isPresent(name)) out.name = name;
  const description = optionalText(p.description, MAX_DESCRIPTION_LENGTH_CHARS);
  if (isPresent(description)) out.description = description;
  if (isPresent(p.price)) out.price = p.price;
  if (isLowerSalePrice(p.salePrice, p.price)) out.salePrice = p.salePrice;
  const currency =
    typeof p.currency === "string" ? emptyToUndefined(p.currency.trim().toUpperCase()) : p.currency;
  if (isPresent(currency)) out.currency = currency;
  const url = typeof p.url === "string" ? p.url.trim() : p.url;
  if (isPresent(url)) out.url = url;
  const imageUrl = optionalLine(p.imageUrl);
  if (isPresent(imageUrl)) out.imageUrl = imageUrl;
  const categories = normalizeStringList(p.categories);
  if (isPresent(categories)) out.categories = categories;
  const brands = normalizeStringList(p.brands);
  if (isPresent(brands)) out.brands = brands;
  const tags = normalizeStringList(p.tags);
  if (isPresent(tags)) out.tags = tags;
  if (isPresent(p.inStock)) out.inStock = p.inStock;
  const stockQuantity = normalizeStock(p.stockQuantity);
  if (isPresent(stockQuantity)) out.stockQuantity = stockQuantity;
  if (isPresent(p.rating)) out.rating = p.rating;
  if (isPresent(p.reviewCount)) out.reviewCount = p.reviewCount;
  if (isPresent(p.isActive)) out.isActive = p.isActive;
  const attributes = normalizeAttributes(p.attributes);
  if (isPresent(attributes)) out.attributes = attributes;
  // Unknown fields pass through so validateProduct() can name them.
  for (const key of Object.keys(p)) {
    if (!KNOWN_FIELDS.has(key) && isPresent(p[key])) out[key] = p[key];
  }
  return out as unknown as NeuroonProduct;
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * Normalises and validates a batch. Products that still fail validation are reported in
 * `rejected` with every reason and are left out; they never block the rest of the batch. A
 * repeated `externalId` is rejected after its first occurrence (sending both would make the
 * result depend on the server's processing order).
 */
export function prepareBatch(products: Iterable<NeuroonProductInput>): PreparedBatch {
  const valid: NeuroonProduct[] = [];
  const rejected: RejectedProduct[] = [];
  const firstIndexById = new Map<string, number>();
  let index = -1;
  for (const input of products) {
    index += 1;
    const isObject = typeof input === "object" && input !== null;
    const result = validateProduct(isObject ? normalizeProduct(input) : input);
    const externalId =
      isObject && typeof input.externalId === "string"
        ? cleanLine(input.externalId) || undefined
        : undefined;
    if (!result.ok) {
      rejected.push({ index, externalId, issues: result.issues });
      continue;
    }
    const firstIndex = firstIndexById.get(result.product.externalId);
    if (firstIndex !== undefined) {
      rejected.push({
        index,
        externalId,
        issues: [
          {
            field: "externalId",
            message: `externalId ${JSON.stringify(result.product.externalId)} already appears at index ${firstIndex} of this batch; send each product once per batch.`,
          },
        ],
      });
      continue;
    }
    firstIndexById.set(result.product.externalId, index);
    valid.push(result.product);
  }
  return { valid, rejected };
}

type AddIssue = (field: string, message: string) => void;

function checkId(value: unknown, field: string, required: boolean, add: AddIssue): void {
  if (value === undefined && !required) return;
  if (typeof value !== "string" || value.trim() === "") {
    add(
      field,
      `${field} must be a non-blank string; received ${describeValue(value)}. Build it with toExternalId().`,
    );
    return;
  }
  if (value.length > MAX_EXTERNAL_ID_LENGTH_CHARS) {
    add(
      field,
      `${field} must be at most ${MAX_EXTERNAL_ID_LENGTH_CHARS} characters; received ${value.length} (${describeValue(value)}).`,
    );
  }
  if (value !== value.trim() || CONTROL_CHAR_RE.test(value)) {
    add(
      field,
      `${field} must not have surrounding whitespace or control characters; received ${describeValue(value)}.`,
    );
  }
  if (isDotSegmentId(value)) {
    add(
      field,
      `${field} must not be "." or "..": in the product's URL it is a dot segment that resolves to another path, so the product could never be read or deleted; received ${describeValue(value)}.`,
    );
  }
}

function checkText(
  value: unknown,
  field: string,
  minLength: number,
  maxLength: number,
  required: boolean,
  add: AddIssue,
  hint = "",
): void {
  if (value === undefined && !required) return;
  if (typeof value !== "string") {
    add(field, `${field} must be a string; received ${describeValue(value)}.`);
    return;
  }
  const length = value.trim() === "" ? 0 : value.length;
  if (length < minLength) {
    add(field, `${field} must not be blank; received ${describeValue(value)}.`);
  } else if (length > maxLength) {
    add(
      field,
      `${field} must be at most ${maxLength} characters; received ${value.length}. ${hint}`.trimEnd(),
    );
  }
}

function checkNumber(value: unknown, field: string, required: boolean, add: AddIssue): boolean {
  if (value === undefined && !required) return false;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    add(
      field,
      `${field} must be a finite number >= 0; received ${describeValue(value)}. Compute it with computeDisplayPrices().`,
    );
    return false;
  }
  return true;
}

function checkUrl(value: unknown, field: string, required: boolean, add: AddIssue): void {
  if (value === undefined && !required) return;
  if (!isHttpUrl(value)) {
    add(
      field,
      `${field} must be an absolute http(s) URL like "https://shop.example/p/1"; received ${describeValue(value)}.`,
    );
  }
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string" || value !== value.trim()) return false;
  const hostStart = value.startsWith("https://") ? 8 : value.startsWith("http://") ? 7 : -1;
  if (hostStart === -1) return false;
  if (hasPlainDomainHost(value, hostStart)) return true;
  const url = URL.parse(value);
  return url !== null && url.hostname !== "";
}

/**
 * True when the http(s) URL `value`'s authority (from `hostStart` to the first `/`, `\`, `?`,
 * `#` or the end) is a plain domain: dot-separated labels of ASCII letters, digits and `-`, none
 * empty or punycode (`xn--`, which the parser validates), the last starting with a letter (so not
 * an IPv4 address). The WHATWG URL parser accepts every such URL, whatever follows the host (a
 * path, query or fragment never fails), so `URL.parse` (~0.4 µs a call) is left for the others.
 */
function hasPlainDomainHost(value: string, hostStart: number): boolean {
  let labelStart = hostStart;
  let i = hostStart;
  for (; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code === 0x2f || code === 0x5c || code === 0x3f || code === 0x23) break; // / \ ? #
    if (code === 0x2e) {
      // .
      if (!isPlainLabel(value, labelStart, i)) return false;
      labelStart = i + 1;
    } else if (!isAsciiLetter(code) && !isAsciiDigit(code) && code !== 0x2d) {
      return false;
    }
  }
  return isPlainLabel(value, labelStart, i) && isAsciiLetter(value.charCodeAt(labelStart));
}

function isPlainLabel(value: string, start: number, end: number): boolean {
  if (end === start) return false;
  const isPunycode =
    end - start >= 4 &&
    (value.charCodeAt(start) | 0x20) === 0x78 && // x
    (value.charCodeAt(start + 1) | 0x20) === 0x6e && // n
    value.charCodeAt(start + 2) === 0x2d &&
    value.charCodeAt(start + 3) === 0x2d;
  return !isPunycode;
}

function checkStringList(value: unknown, field: string, add: AddIssue): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    add(field, `${field} must be an array of strings; received ${describeValue(value)}.`);
    return;
  }
  value.forEach((item: unknown, i) => {
    if (typeof item !== "string" || item.trim() === "") {
      add(
        `${field}[${i}]`,
        `${field}[${i}] must be a non-blank string; received ${describeValue(item)}.`,
      );
    }
  });
}

function checkBoolean(value: unknown, field: string, add: AddIssue): void {
  if (value !== undefined && typeof value !== "boolean") {
    add(field, `${field} must be true or false; received ${describeValue(value)}.`);
  }
}

function checkCount(value: unknown, field: string, add: AddIssue): void {
  if (
    value !== undefined &&
    !(typeof value === "number" && Number.isSafeInteger(value) && value >= 0)
  ) {
    add(field, `${field} must be an integer >= 0; received ${describeValue(value)}.`);
  }
}

function checkAttributes(value: unknown, add: AddIssue): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    add(
      "attributes",
      `attributes must be an object of string values like {"color": "red"}; received ${describeValue(value)}.`,
    );
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.trim() === "")
      add("attributes", `attribute names must not be blank; received ${describeValue(key)}.`);
    if (typeof item !== "string") {
      add(
        `attributes.${key}`,
        `attributes.${key} must be a string; received ${describeValue(item)}. Join multiple values, e.g. "S, M".`,
      );
    }
  }
}

function emptyToUndefined(value: string): string | undefined {
  return value === "" ? undefined : value;
}

function optionalLine(value: unknown): unknown {
  return typeof value === "string" ? emptyToUndefined(cleanLine(value)) : value;
}

function optionalText(value: unknown, maxLength: number): unknown {
  return typeof value === "string"
    ? emptyToUndefined(truncateAtWord(value.trim(), maxLength))
    : value;
}

function isLowerSalePrice(salePrice: unknown, price: unknown): boolean {
  return (
    typeof salePrice === "number" &&
    Number.isFinite(salePrice) &&
    salePrice >= 0 &&
    (typeof price !== "number" || !Number.isFinite(price) || salePrice < price)
  );
}

function normalizeStringList(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  // Blanks, nulls and undefined are dropped; any other non-string is left for validation.
  if (!value.every((item) => typeof item === "string" || item == null)) return value;
  const cleaned = dedupeStrings(value);
  return cleaned.length > 0 ? cleaned : undefined;
}

function normalizeStock(value: unknown): unknown {
  if (typeof value !== "number" || !Number.isFinite(value)) return value;
  return value < 0 ? 0 : Math.floor(value);
}

function normalizeAttributes(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  // A Map, then fromEntries: a "__proto__" attribute stays a plain own property.
  const entries = new Map<string, unknown>();
  for (const [rawKey, rawValue] of Object.entries(value)) {
    const key = cleanLine(rawKey);
    const item = typeof rawValue === "string" ? cleanLine(rawValue) : rawValue;
    if (key === "" || item === "" || item === undefined || item === null) continue;
    entries.set(key, item);
  }
  return entries.size > 0 ? Object.fromEntries(entries) : undefined;
}
