// The deployable bridge is `main.ts`; the library it runs lives in `@neuroon/woocommerce/bridge`
// and is re-exported here so code written against this package keeps working.

export {
  type OrderReference,
  orderChange,
  WooCommerceError,
} from "@neuroon/woocommerce";
export * from "@neuroon/woocommerce/bridge";
export { VERSION } from "./version.js";
