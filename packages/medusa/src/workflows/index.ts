export {
  type SyncNeuroonProductsInput,
  syncNeuroonProductsStep,
  syncNeuroonProductsWorkflow,
} from "./sync-products";
