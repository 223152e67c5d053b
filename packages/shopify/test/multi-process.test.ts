import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { FakeShopify } from "@neuroon/fake-shopify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFileOfflineTokenStore,
  createOfflineTokens,
  type OfflineTokenStore,
  openPostgresShopifyStore,
  openSqliteShopifyStore,
} from "../src/index.js";
import { API_KEY, API_SECRET, makeShopify, SHOP, startFake } from "./harness.js";
import { createTestDatabase } from "./postgres.js";

const run = promisify(execFile);
const WORKER = join(import.meta.dirname, "fixtures", "refresh-worker.mjs");
const WORKERS = 4;

// The workers import the built package (`dist/`), as a deployed worker would; turbo builds it
// before tests run.
describe.each(["file", "sqlite", "postgres"] as const)(
  "worker processes sharing a %s token store",
  (kind) => {
    let fake: FakeShopify;
    let directory: string;
    let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
    beforeEach(async () => {
      fake = await startFake();
      directory = await mkdtemp(join(tmpdir(), `neuroon-shopify-${kind}-`));
      if (kind === "postgres") database = await createTestDatabase();
    });
    afterEach(async () => {
      await fake.close();
      await rm(directory, { recursive: true, force: true });
      await database?.drop();
      database = undefined;
    });

    it("refresh an expired offline token exactly once and all use the new one", async () => {
      const path =
        kind === "sqlite"
          ? join(directory, "shopify.db")
          : kind === "postgres"
            ? (database?.url as string)
            : directory;
      const shared =
        kind === "sqlite"
          ? openSqliteShopifyStore({ path })
          : kind === "postgres"
            ? await openPostgresShopifyStore({ connectionString: path })
            : undefined;
      const store: OfflineTokenStore = shared
        ? shared.tokens
        : createFileOfflineTokenStore({ directory: path });
      const installed = await createOfflineTokens({ shopify: makeShopify(fake), store }).install({
        shop: SHOP,
        sessionToken: await fake.sessionToken(SHOP),
      });
      // The access token is as good as dead: every worker must notice and only one may refresh.
      await store.save({ ...installed, expiresAt: Date.now() - 1_000 });
      await shared?.close();

      const env = {
        ...process.env,
        FAKE_URL: fake.url,
        SHOP,
        STORE_KIND: kind,
        STORE_PATH: path,
        API_KEY,
        API_SECRET,
      };
      const outputs = await Promise.all(
        Array.from({ length: WORKERS }, () =>
          run(process.execPath, [WORKER], { env, cwd: import.meta.dirname, timeout: 30_000 }),
        ),
      );
      const tokens = outputs.map((o) => o.stdout.trim());
      expect(new Set(tokens).size).toBe(1);
      expect(tokens[0]).toMatch(/^shpat_/);
      expect(tokens[0]).not.toBe(installed.accessToken);
      expect(fake.grants.filter((g) => g.grantType === "refresh_token")).toEqual([
        { grantType: "refresh_token", shop: SHOP, ok: true },
      ]);
      const check = await fake.fetch(`https://${SHOP}/admin/api/2026-10/graphql.json`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-shopify-access-token": tokens[0] as string,
        },
        body: JSON.stringify({ query: "{ shop { currencyCode } }" }),
      });
      expect(check.status).toBe(200);
    });
  },
);
