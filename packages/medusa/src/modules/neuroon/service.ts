import { MedusaService } from "@medusajs/framework/utils";
import { WidgetTokenCache } from "@neuroon/core";
import { createCoreNeuroonApi, type NeuroonApi } from "../../lib/neuroon-api";
import { type ResolvedNeuroonOptions, resolveOptions } from "../../lib/options";
import { PLUGIN_VERSION } from "../../lib/version";
import NeuroonConversion from "./models/conversion";
import NeuroonProductSync from "./models/product-sync";
import NeuroonSyncRun from "./models/sync-run";

/**
 * The plugin's module: validated options, the Neuroon API client and the durable sync state
 * (per-product status, conversions, sync runs). Medusa passes the plugin options to it at boot.
 */
class NeuroonModuleService extends MedusaService({
  NeuroonProductSync,
  NeuroonConversion,
  NeuroonSyncRun,
}) {
  static identifier = "neuroon";
  readonly options: ResolvedNeuroonOptions;
  readonly api: NeuroonApi;
  /** Signed widget tokens, cached per process until 5 minutes before expiry. */
  readonly widgetTokens: WidgetTokenCache;

  // biome-ignore lint/suspicious/noExplicitAny: Medusa's module container is untyped.
  constructor(container: Record<string, any>, options: unknown) {
    // biome-ignore lint/complexity/noArguments: MedusaService needs every constructor argument.
    super(...arguments);
    void container;
    this.options = resolveOptions(options);
    this.api = createCoreNeuroonApi({
      apiUrl: this.options.apiUrl,
      shopId: this.options.shopId,
      apiKey: this.options.apiKey,
      appInfo: { name: "neuroon-medusa", version: PLUGIN_VERSION },
      maxRetries: this.options.maxRetries,
    });
    this.widgetTokens = new WidgetTokenCache({
      shopId: this.options.shopId,
      apiKey: this.options.apiKey,
    });
  }
}

export default NeuroonModuleService;
