import { NeuroonError } from "../errors.js";

/** Why a mapping input was refused. Stable strings: adapters may switch on them. */
export type MappingErrorCode =
  | "invalid-amount"
  | "invalid-tax-rate"
  | "invalid-currency"
  | "invalid-date"
  | "invalid-id"
  | "unsafe-integer-id"
  | "invalid-option"
  | "no-variants";

/**
 * A `NeuroonError` thrown by the mapping functions when an input is garbage that no rule can
 * repair (a price of `"abc"`, an id above 2^53 passed as a number). Adapters catch it per product,
 * report the product and carry on with the rest of the batch.
 */
export class MappingError extends NeuroonError {
  override readonly name = "MappingError";
  readonly code: MappingErrorCode;
  /** The input field the error is about, when there is one (`regularAmount`, `id`, …). */
  readonly field: string | undefined;

  constructor(
    code: MappingErrorCode,
    message: string,
    options?: { field?: string; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options?.field;
  }

  /** True for a `MappingError`, also across duplicated copies of this package. */
  static isMappingError(error: unknown): error is MappingError {
    return NeuroonError.isNeuroonError(error) && error.name === "MappingError" && "code" in error;
  }
}

/** Renders an input for an error message: JSON-ish, at most `maxLength` characters. */
export function describeValue(value: unknown, maxLength = 40): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "bigint") text = `${value}n`;
  else if (typeof value === "number" || typeof value === "boolean" || value == null)
    text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? typeof value;
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
