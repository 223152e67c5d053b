import type { Logger, MedusaContainer } from "@medusajs/framework/types";
import { ContainerRegistrationKeys } from "@medusajs/framework/utils";
import {
  type ChangeInput,
  type ChangeQueue,
  NeuroonClient,
  SafetyValveError,
  SyncEngine,
  type SyncEvent,
  type SyncStateStore,
  type SyncSummary,
} from "@neuroon/core";
import {
  createPostgresPool,
  createPostgresQueue,
  createPostgresStateStore,
} from "@neuroon/core/postgres";
import type { PoolConfig } from "pg";
import { MedusaCatalogSource } from "./catalog-source";
import type { ResolvedNeuroonOptions } from "./options";
import { PLUGIN_VERSION } from "./version";

/** The change queue and the sync state the engine works on, and how to let go of them. */
export interface NeuroonStorage {
  queue: ChangeQueue;
  state: SyncStateStore;
  close(): Promise<void>;
}

/** How Medusa reaches its database: `pg` client settings (URL, SSL…) and the schema. */
export interface MedusaDatabase {
  connection: PoolConfig;
  schema: string | undefined;
}

/** Connections the plugin's own pool keeps to Medusa's database (worker, subscribers, admin). */
const POOL_SIZE = 4;

/**
 * Opens the queue and the state store in Medusa's own PostgreSQL database (core's
 * `@neuroon/core/postgres`), creating their tables if needed. The one place that picks the
 * backend: every Medusa process (server, worker, several hosts) shares them.
 */
export async function openPostgresStorage(
  database: MedusaDatabase,
  shopId: string,
): Promise<NeuroonStorage> {
  // allowExitOnIdle: `medusa exec` scripts end when their work does, not 10 s later.
  const pool = await createPostgresPool(
    { ...database.connection, max: POOL_SIZE, allowExitOnIdle: true },
    "@neuroon/medusa",
  );
  const schema = database.schema ? { schema: database.schema } : {};
  try {
    const [queue, state] = await Promise.all([
      createPostgresQueue({ pool, ...schema }),
      createPostgresStateStore({ pool, shopId, ...schema }),
    ]);
    return {
      queue,
      state,
      async close() {
        await Promise.all([queue.close(), state.close()]);
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/**
 * Medusa's database settings from its `__pg_connection__` (a knex instance), which holds the URL
 * Medusa actually connected with (the test runner's per-run database included).
 */
export function medusaDatabaseOf(pgConnection: unknown): MedusaDatabase {
  const config = (pgConnection as { client?: { config?: Record<string, unknown> } } | undefined)
    ?.client?.config;
  const connection = config?.connection;
  const searchPath = config?.searchPath;
  const schema = Array.isArray(searchPath) ? searchPath[0] : searchPath;
  if (typeof connection === "string") {
    return { connection: { connectionString: connection }, schema: schema as string | undefined };
  }
  if (typeof connection === "object" && connection !== null) {
    return { connection: connection as PoolConfig, schema: schema as string | undefined };
  }
  throw new Error(
    "@neuroon/medusa: Medusa's database connection (__pg_connection__) has no connection settings; the plugin keeps its sync queue in Medusa's PostgreSQL database and cannot start without it",
  );
}

/** A full resync or reconcile as the admin status page shows it. */
export type CatalogRunKind = "full" | "reconcile";

/** Where catalog runs are recorded (the module's `neuroon_sync_run` table). */
export interface CatalogRunLog {
  start(kind: CatalogRunKind): Promise<{ id: string }>;
  /** The run still marked running, if any. */
  running(): Promise<{ id: string; startedAt: Date } | undefined>;
  finish(
    id: string,
    outcome: { summary?: SyncSummary; error?: string; status: "completed" | "failed" },
  ): Promise<void>;
}

/** A catalog run still "running" after this long belongs to a process that died. */
const STALE_RUN_MS = 6 * 60 * 60 * 1000;
/** Ids forgotten per round trip when a full resync clears the sync state. */
const FORGET_BATCH_SIZE = 500;

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 1000);
}

interface Engine {
  engine: SyncEngine;
  source: MedusaCatalogSource;
  logger: Logger;
}

/**
 * The plugin's sync runtime, one per process (held by the module service): core's `SyncEngine`
 * over a {@link MedusaCatalogSource}, the durable queue subscribers write to, and the background
 * worker that drains it. Everything after the queue (batching, hashes, retries with backoff, dead
 * letters, deletes, the reconcile safety valve) is core's.
 */
export class NeuroonRuntime {
  readonly options: ResolvedNeuroonOptions;
  readonly #runs: CatalogRunLog;
  readonly #openStorage: () => Promise<NeuroonStorage>;
  #storage: Promise<NeuroonStorage> | undefined;
  #source: MedusaCatalogSource | undefined;
  #engine: Promise<Engine> | undefined;
  #worker: { abort: AbortController; done: Promise<unknown> } | undefined;
  #closed = false;

  constructor(
    options: ResolvedNeuroonOptions,
    runs: CatalogRunLog,
    openStorage: () => Promise<NeuroonStorage>,
  ) {
    this.options = options;
    this.#runs = runs;
    this.#openStorage = openStorage;
  }

  /** The queue and state, opened once (at application start, or on first use). */
  storage(): Promise<NeuroonStorage> {
    if (this.#closed) {
      return Promise.reject(new Error("@neuroon/medusa: the sync runtime is shut down"));
    }
    if (!this.#storage) {
      const opening = this.#openStorage();
      this.#storage = opening;
      // A failed open (database briefly unreachable) is retried by the next caller.
      opening.catch(() => {
        if (this.#storage === opening) this.#storage = undefined;
      });
    }
    return this.#storage;
  }

  /** The catalog source over Medusa's Query, for the subscribers' id lookups and the engine. */
  source(container: MedusaContainer): MedusaCatalogSource {
    this.#source ??= new MedusaCatalogSource(container, this.options);
    return this.#source;
  }

  /**
   * The engine over Medusa's Query. Built on first use with the container a subscriber, job or
   * route passes (the module's own container cannot resolve Query).
   */
  engine(container: MedusaContainer): Promise<Engine> {
    if (!this.#engine) {
      const building = this.#buildEngine(container);
      this.#engine = building;
      building.catch(() => {
        if (this.#engine === building) this.#engine = undefined;
      });
    }
    return this.#engine;
  }

  async #buildEngine(container: MedusaContainer): Promise<Engine> {
    const { queue, state } = await this.storage();
    const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER);
    const source = this.source(container);
    const client = new NeuroonClient({
      shopId: this.options.shopId,
      apiKey: this.options.apiKey,
      baseUrl: this.options.apiUrl,
      appInfo: { name: "neuroon-medusa", version: PLUGIN_VERSION },
      maxRetries: this.options.maxRetries,
    });
    const engine = new SyncEngine({
      client,
      queue,
      state,
      source,
      batchSize: this.options.batchSize,
      retry: { maxAttempts: this.options.maxAttempts },
      reconcile: { maxDeleteRatio: this.options.maxOrphanDeleteRatio },
      onEvent: (event) => logEvent(logger, event),
    });
    return { engine, source, logger };
  }

  /**
   * Durably records changes, then makes sure this process's worker is draining. Resolves once the
   * changes are in the queue: a subscriber returns (Medusa's acknowledgement) only after that.
   */
  async enqueue(container: MedusaContainer, changes: readonly ChangeInput[]): Promise<void> {
    if (changes.length === 0) return;
    await (await this.storage()).queue.enqueue(changes);
    await this.startWorker(container);
  }

  /**
   * Starts the background worker once per process: core's `runWorker`, which waits for a burst
   * of changes to settle (so one admin edit, with its variant events, is one sync request),
   * drains it, and backs off while Neuroon is unavailable.
   */
  async startWorker(container: MedusaContainer): Promise<void> {
    if (this.#worker || this.#closed) return;
    const { engine, logger } = await this.engine(container);
    // Another caller may have started it while the engine was being built.
    if (this.#worker || this.#closed) return;
    const abort = new AbortController();
    const done = engine.runWorker({ signal: abort.signal }).catch((error: unknown) => {
      logger.error(`[neuroon] the sync worker stopped: ${errorMessage(error)}`);
      this.#worker = undefined;
    });
    this.#worker = { abort, done };
  }

  /** Drains what is ready now (the scheduled job's and the workflow's path). */
  async drain(container: MedusaContainer): Promise<SyncSummary> {
    return (await this.engine(container)).engine.drain();
  }

  /**
   * Runs a catalog pass to the end and records it: sends what changed without an event, then
   * deletes what Medusa no longer publishes, guarded by core's safety valve (`SafetyValveError`
   * when it would delete more than `maxOrphanDeleteRatio` of Neuroon's catalog). `full` (the
   * admin's "Resync all") first forgets what was sent, so every product goes out again.
   */
  async runCatalog(
    container: MedusaContainer,
    kind: CatalogRunKind,
    runId?: string,
  ): Promise<{ runId: string; summary: SyncSummary }> {
    const { engine, logger } = await this.engine(container);
    const id = runId ?? (await this.#runs.start(kind)).id;
    try {
      if (kind === "full") await this.#forgetSyncState();
      const summary = await engine.fullSync();
      addInto(summary, await engine.reconcile());
      await this.#runs.finish(id, { summary, status: "completed" });
      logger.info(
        `[neuroon] ${kind} sync done: ${summary.sent} sent, ${summary.deleted} deleted, ${summary.unchanged} unchanged, ${summary.failed} failed, ${summary.rejected} rejected`,
      );
      return { runId: id, summary };
    } catch (error) {
      const hint =
        error instanceof SafetyValveError
          ? " In @neuroon/medusa the limit is the maxOrphanDeleteRatio option; a wrong regionId/currencyCode (no prices) or salesChannelId setting usually causes this."
          : "";
      await this.#runs.finish(id, { error: `${errorMessage(error)}${hint}`, status: "failed" });
      throw error;
    }
  }

  /** Starts a catalog run in the background and returns its id (or the running one's). */
  async startCatalogRun(container: MedusaContainer, kind: CatalogRunKind): Promise<string> {
    const { logger } = await this.engine(container);
    const running = await this.#runs.running();
    if (running) {
      if (Date.now() - running.startedAt.getTime() < STALE_RUN_MS) return running.id;
      await this.#runs.finish(running.id, {
        error: "abandoned: its process stopped before it finished",
        status: "failed",
      });
    }
    const { id } = await this.#runs.start(kind);
    void this.runCatalog(container, kind, id).catch((error: unknown) =>
      logger.error(`[neuroon] ${kind} sync ${id} failed: ${errorMessage(error)}`),
    );
    return id;
  }

  /** Stops the worker (its claimed changes go back to the queue) and closes the storage. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) {
      worker.abort.abort();
      await worker.done;
    }
    const storage = this.#storage;
    this.#storage = undefined;
    if (storage) await (await storage.catch(() => undefined))?.close();
  }

  async #forgetSyncState(): Promise<void> {
    const { state } = await this.storage();
    // Collected first: deleting while iterating may skip ids.
    const ids: string[] = [];
    for await (const id of state.iterateIds()) ids.push(id);
    for (let i = 0; i < ids.length; i += FORGET_BATCH_SIZE) {
      await state.delete(ids.slice(i, i + FORGET_BATCH_SIZE));
    }
  }
}

function addInto(total: SyncSummary, more: SyncSummary): void {
  for (const key of Object.keys(total) as (keyof SyncSummary)[]) total[key] += more[key];
}

function logEvent(logger: Logger, event: SyncEvent): void {
  switch (event.type) {
    case "retry":
      logger.warn(
        `[neuroon] ${event.kind} ${event.key} not synced (${event.outcome === "dead" ? "gave up; see the admin's Neuroon page" : `retrying in ${Math.round(event.delayMs / 1000)} s`}): ${event.error}`,
      );
      return;
    case "rejected":
      logger.warn(`[neuroon] product ${event.externalId} refused (${event.by}): ${event.reason}`);
      return;
    case "conflict":
      logger.warn(
        `[neuroon] product ${event.externalId} was edited in Neuroon (${event.fields.join(", ")}): ${event.resolution}`,
      );
      return;
    case "error":
      logger.error(`[neuroon] ${event.phase} failed: ${errorMessage(event.error)}`);
      return;
    default:
      return;
  }
}
