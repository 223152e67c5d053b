import { describeStoreBattery } from "./battery.js";
import { startFakeTarget } from "./fake-target.js";

describeStoreBattery("@neuroon/fake-woocommerce", startFakeTarget);
