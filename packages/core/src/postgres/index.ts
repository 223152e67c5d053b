// The `@neuroon/core/postgres` entry point: the change queue and the sync state store in
// PostgreSQL. It is separate so that `@neuroon/core` itself never loads `pg` (an optional peer).

export {
  createPostgresQueue,
  DEFAULT_POSTGRES_QUEUE_NAME,
  PostgresChangeQueue,
  type PostgresQueueOptions,
} from "../queue/postgres-queue.js";
export {
  createPostgresStateStore,
  DEFAULT_POSTGRES_STATE_NAME,
  type PostgresStateStoreOptions,
  PostgresSyncStateStore,
} from "../state/postgres-state-store.js";
export {
  createPostgresPool,
  DEFAULT_POSTGRES_SCHEMA,
  type PostgresConnectionOptions,
  withPostgresSchemaLock,
} from "./connection.js";
