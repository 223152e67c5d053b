import { ContainerRegistrationKeys, MedusaService } from "@medusajs/framework/utils";
import { WidgetTokenCache } from "@neuroon/core";
import { type ResolvedNeuroonOptions, resolveOptions } from "../../lib/options";
import {
  type CatalogRunLog,
  medusaDatabaseOf,
  NeuroonRuntime,
  openPostgresStorage,
} from "../../lib/runtime";
import NeuroonSyncRun from "./models/sync-run";

/**
 * The plugin's module: validated options, the sync runtime (core's engine, with its queue and
 * state in Medusa's database) and the history of catalog runs. Medusa passes the plugin options to it at boot.
 */
class NeuroonModuleService extends MedusaService({ NeuroonSyncRun }) {
  static identifier = "neuroon";
  readonly options: ResolvedNeuroonOptions;
  readonly runtime: NeuroonRuntime;
  /** Signed widget tokens, cached per process until 5 minutes before expiry. */
  readonly widgetTokens: WidgetTokenCache;

  // Medusa calls these on the module's instance when the application starts and stops.
  readonly __hooks = {
    // Opening at start creates the queue's tables before anything is queued, and shows a
    // database problem in the boot log rather than on the first product change.
    onApplicationStart: async (): Promise<void> => {
      await this.runtime.storage();
    },
    onApplicationPrepareShutdown: async (): Promise<void> => {
      await this.runtime.close();
    },
    onApplicationShutdown: async (): Promise<void> => {
      await this.runtime.close();
    },
  };

  // biome-ignore lint/suspicious/noExplicitAny: Medusa's module container is untyped.
  constructor(container: Record<string, any>, options: unknown) {
    // biome-ignore lint/complexity/noArguments: MedusaService needs every constructor argument.
    super(...arguments);
    this.options = resolveOptions(options);
    this.runtime = new NeuroonRuntime(this.options, this.#runLog(), () =>
      openPostgresStorage(
        medusaDatabaseOf(container[ContainerRegistrationKeys.PG_CONNECTION]),
        this.options.shopId,
      ),
    );
    this.widgetTokens = new WidgetTokenCache({
      shopId: this.options.shopId,
      apiKey: this.options.apiKey,
    });
  }

  #runLog(): CatalogRunLog {
    return {
      start: async (kind) =>
        await this.createNeuroonSyncRuns({ kind, status: "running", started_at: new Date() }),
      running: async () => {
        const [run] = await this.listNeuroonSyncRuns({ status: "running" }, { take: 1 });
        return run ? { id: run.id, startedAt: new Date(run.started_at) } : undefined;
      },
      finish: async (id, { summary, error, status }) => {
        await this.updateNeuroonSyncRuns({
          id,
          status,
          finished_at: new Date(),
          ...(summary
            ? { upserted: summary.sent, deleted: summary.deleted, failed: summary.failed }
            : {}),
          ...(error ? { error } : {}),
        });
      },
    };
  }
}

export default NeuroonModuleService;
