import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";

interface PgClient {
  connect(): Promise<void>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}
/** `pg`, a dependency of the app (its types are not installed here). */
const pg = createRequire(import.meta.url)("pg") as {
  Client: new (options: { connectionString: string }) => PgClient;
};

/** The machine's PostgreSQL (trust auth); override with `NEUROON_TEST_POSTGRES_URL`. */
export const POSTGRES_ADMIN_URL =
  process.env.NEUROON_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Runs `fn` with a client connected to `url`. */
export async function withClient<T>(url: string, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a uniquely named database for one test file; `drop()` removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `neuroon_shopify_test_${randomBytes(6).toString("hex")}`;
  await withClient(POSTGRES_ADMIN_URL, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withClient(POSTGRES_ADMIN_URL, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}
