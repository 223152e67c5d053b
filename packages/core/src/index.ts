export type {
  ConversionItem,
  NeuroonProduct,
  ProductCursorPage,
  ProductPage,
  ShopInfo,
  StoredProduct,
  SyncItemError,
  SyncProductsRequest,
  SyncProductsResponse,
  SyncType,
  TrackConversionRequest,
  TrackConversionResponse,
  VerificationData,
  VerifyDomainResponse,
} from "./types.js";
export { VERSION } from "./version.js";
