export { type BrandFieldValue, brandsFrom, type NamedValue } from "./brands.js";
export {
  buildCategoryLookup,
  type CategoryId,
  type CategoryLookup,
  type CategoryNode,
  type CategoryPathOptions,
  type CategoryWarning,
  categoriesFromPath,
  categoryPaths,
} from "./categories.js";
export { currencyMinorUnits, normalizeCurrencyCode } from "./currency.js";
export type { DateInput } from "./dates.js";
export type { AmountInput } from "./decimal.js";
export { MappingError, type MappingErrorCode } from "./errors.js";
export { type StoreId, toExternalId, variantExternalId } from "./ids.js";
export {
  MAX_DESCRIPTION_LENGTH_CHARS,
  MAX_EXTERNAL_ID_LENGTH_CHARS,
  MAX_NAME_LENGTH_CHARS,
  MAX_RATING,
  RECOMMENDED_DESCRIPTION_LENGTH_CHARS,
} from "./limits.js";
export {
  computeDisplayPrices,
  type DisplayPriceInput,
  type DisplayPrices,
  variableParentPrices,
} from "./prices.js";
export { truncateAtWord } from "./strings.js";
export {
  type InlineMarkup,
  type PlainTextOptions,
  pickDescription,
  toPlainText,
} from "./text.js";
export {
  NEUROON_PRODUCT_FIELDS,
  type NeuroonProductInput,
  normalizeProduct,
  type PreparedBatch,
  type ProductValidationResult,
  prepareBatch,
  type RejectedProduct,
  type ValidationIssue,
  validateProduct,
} from "./validate.js";
