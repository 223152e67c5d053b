/** The two documented sync types. */
export type SyncType = "FULL" | "INCREMENTAL";

/** Fewest products in one sync request (`ShopRequestDTO`, contract §2.1). */
export const MIN_BATCH_SIZE = 1;
/** Most products in one sync request (the backend's hard limit; old docs said 10 000). */
export const MAX_BATCH_SIZE = 500;
/** Longest product `name`, in UTF-16 code units as Java counts them. */
export const MAX_NAME_LENGTH = 512;
/** Longest product `description`. */
export const MAX_DESCRIPTION_LENGTH = 5000;

/** A validated product DTO: only the documented fields, in a fixed order. */
export type ProductDto = Readonly<Record<string, unknown>> & { readonly externalId: string };

/** A validated sync request. */
export interface SyncRequest {
  readonly syncType: SyncType;
  readonly products: ProductDto[];
}

/** The outcome of validating a request body: the value, or the field errors for a 400. */
export type Validated<T> = { ok: true; value: T } | { ok: false; errors: string[] };

type FieldKind = "string" | "number" | "integer" | "boolean" | "string[]" | "string-map";

/** `PluginProductDTO` fields in the order they are stored and returned (contract §2.1). */
const PRODUCT_FIELDS: ReadonlyArray<readonly [string, FieldKind]> = [
  ["externalId", "string"],
  ["sku", "string"],
  ["name", "string"],
  ["description", "string"],
  ["price", "number"],
  ["salePrice", "number"],
  ["currency", "string"],
  ["url", "string"],
  ["imageUrl", "string"],
  ["categories", "string[]"],
  ["brands", "string[]"],
  ["tags", "string[]"],
  ["inStock", "boolean"],
  ["stockQuantity", "integer"],
  ["rating", "number"],
  ["reviewCount", "integer"],
  ["isActive", "boolean"],
  ["parentExternalId", "string"],
  ["attributes", "string-map"],
];

const TYPE_MESSAGES: Readonly<Record<FieldKind, string>> = {
  string: "must be a string",
  number: "must be a number",
  integer: "must be an integer",
  boolean: "must be a boolean",
  "string[]": "must be an array of strings",
  "string-map": "must be an object whose values are strings",
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "string[]":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
    case "string-map":
      return isPlainObject(value) && Object.values(value).every((v) => typeof v === "string");
  }
}

/** Missing, null or a blank string; a non-string value gets a type error instead. */
function isMissingOrBlank(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === "string" && value.trim() === "")
  );
}

function isBlank(value: unknown): boolean {
  return typeof value !== "string" || value.trim() === "";
}

/**
 * Validates one `PluginProductDTO` and returns the stored copy (documented fields only; unknown
 * fields are ignored like Jackson does, `null` is treated as absent). Messages follow Bean
 * Validation's defaults, prefixed with the field path, e.g. `products[3].name: size must be
 * between 1 and 512`. Types are checked strictly (no string-to-number coercion) so client bugs
 * surface here rather than in production.
 */
export function validateProduct(
  input: unknown,
  path: string,
  errors: string[],
): ProductDto | undefined {
  if (!isPlainObject(input)) {
    errors.push(`${path}: must be an object`);
    return undefined;
  }
  const before = errors.length;
  const out: Record<string, unknown> = {};
  for (const [field, kind] of PRODUCT_FIELDS) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    if (!hasKind(value, kind)) {
      errors.push(`${path}.${field}: ${TYPE_MESSAGES[kind]}`);
      continue;
    }
    out[field] =
      kind === "string[]"
        ? [...(value as string[])]
        : kind === "string-map"
          ? { ...(value as object) }
          : value;
  }
  if (isMissingOrBlank(input.externalId)) errors.push(`${path}.externalId: must not be blank`);
  if (isMissingOrBlank(input.name)) {
    errors.push(`${path}.name: must not be blank`);
  } else if (typeof input.name === "string" && input.name.length > MAX_NAME_LENGTH) {
    errors.push(`${path}.name: size must be between 1 and ${MAX_NAME_LENGTH}`);
  }
  if (typeof input.description === "string" && input.description.length > MAX_DESCRIPTION_LENGTH) {
    errors.push(`${path}.description: size must be between 0 and ${MAX_DESCRIPTION_LENGTH}`);
  }
  if (input.price === undefined || input.price === null) {
    errors.push(`${path}.price: must not be null`);
  } else if (typeof input.price === "number" && input.price < 0) {
    errors.push(`${path}.price: must be greater than or equal to 0.0`);
  }
  if (isMissingOrBlank(input.url)) errors.push(`${path}.url: must not be blank`);
  if (typeof input.rating === "number") {
    if (input.rating < 0) errors.push(`${path}.rating: must be greater than or equal to 0.0`);
    else if (input.rating > 5) errors.push(`${path}.rating: must be less than or equal to 5.0`);
  }
  return errors.length === before ? (out as ProductDto) : undefined;
}

/** Validates the `{syncType, products}` body of `POST …/products/sync`. */
export function validateSyncRequest(body: unknown): Validated<SyncRequest> {
  if (!isPlainObject(body)) return { ok: false, errors: ["body: must be a JSON object"] };
  const errors: string[] = [];
  let syncType: SyncType = "INCREMENTAL";
  if (body.syncType !== undefined && body.syncType !== null) {
    if (body.syncType === "FULL" || body.syncType === "INCREMENTAL") syncType = body.syncType;
    else errors.push("syncType: must be one of [FULL, INCREMENTAL]");
  }
  const products: ProductDto[] = [];
  if (body.products === undefined || body.products === null) {
    errors.push("products: must not be null");
  } else if (!Array.isArray(body.products)) {
    errors.push("products: must be an array");
  } else if (body.products.length < MIN_BATCH_SIZE || body.products.length > MAX_BATCH_SIZE) {
    errors.push(`products: size must be between ${MIN_BATCH_SIZE} and ${MAX_BATCH_SIZE}`);
  } else {
    body.products.forEach((item: unknown, index: number) => {
      const product = validateProduct(item, `products[${index}]`, errors);
      if (product !== undefined) products.push(product);
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { syncType, products } };
}

/** A validated conversion body, kept as sent. */
export interface ConversionRequest {
  readonly orderId: string;
  readonly lines: number;
  readonly body: Record<string, unknown>;
}

/**
 * Validates `POST …/track/conversion`. `orderId` and every line's `productId` are required;
 * `searchLogId` is `@NotBlank` unless `requireSearchLogId` is off (contract §9 #24). Fields the
 * docs only assume required (`orderValue`, `currency`, `quantity`, `lineTotal`) are type-checked
 * when present.
 */
export function validateConversion(
  body: unknown,
  requireSearchLogId: boolean,
): Validated<ConversionRequest> {
  if (!isPlainObject(body)) return { ok: false, errors: ["body: must be a JSON object"] };
  const errors: string[] = [];
  if (isBlank(body.orderId)) errors.push("orderId: must not be blank");
  if (body.orderValue !== undefined && body.orderValue !== null) {
    if (!hasKind(body.orderValue, "number")) errors.push("orderValue: must be a number");
    else if ((body.orderValue as number) < 0) {
      errors.push("orderValue: must be greater than or equal to 0.0");
    }
  }
  if (body.currency !== undefined && body.currency !== null && typeof body.currency !== "string") {
    errors.push("currency: must be a string");
  }
  let lines = 0;
  if (body.conversions === undefined || body.conversions === null) {
    errors.push("conversions: must not be null");
  } else if (!Array.isArray(body.conversions)) {
    errors.push("conversions: must be an array");
  } else {
    lines = body.conversions.length;
    body.conversions.forEach((line: unknown, index: number) => {
      const path = `conversions[${index}]`;
      if (!isPlainObject(line)) {
        errors.push(`${path}: must be an object`);
        return;
      }
      if (isBlank(line.productId)) errors.push(`${path}.productId: must not be blank`);
      if (requireSearchLogId && isBlank(line.searchLogId)) {
        errors.push(`${path}.searchLogId: must not be blank`);
      }
      if (
        line.quantity !== undefined &&
        line.quantity !== null &&
        !hasKind(line.quantity, "integer")
      ) {
        errors.push(`${path}.quantity: must be an integer`);
      }
      if (
        line.lineTotal !== undefined &&
        line.lineTotal !== null &&
        !hasKind(line.lineTotal, "number")
      ) {
        errors.push(`${path}.lineTotal: must be a number`);
      }
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { orderId: body.orderId as string, lines, body } };
}
