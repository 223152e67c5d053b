// The `@neuroon/core/testing` entry point: the conformance batteries, for your own adapters and
// backends. It loads vitest (and fast-check, the emulator for the catalog-source battery), so it is
// separate from `@neuroon/core`, which never does.

export {
  type AdapterHarness,
  type ExpectedProduct,
  runCatalogSourceConformance,
} from "./catalog-source-conformance.js";
export {
  type ChangeQueueHarness,
  type ChangeQueueHarnessFactory,
  runChangeQueueConformance,
} from "./change-queue-conformance.js";
export {
  runSyncStateStoreConformance,
  type SyncStateStoreHarness,
} from "./sync-state-store-conformance.js";
export { type WaitForOptions, waitFor } from "./wait-for.js";
