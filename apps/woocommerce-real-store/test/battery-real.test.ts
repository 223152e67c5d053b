import { describeStoreBattery } from "./battery.js";
import { type RealStoreInfo, realStore, startRealHarness } from "./store.js";

const store = realStore();

describeStoreBattery(
  "the real WordPress 6.8.8 + WooCommerce 10.0.2",
  () => startRealHarness(store as RealStoreInfo),
  {
    skip: store === null,
  },
);
