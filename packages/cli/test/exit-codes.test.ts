import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  SafetyValveError,
  SyncIncompleteError,
} from "@neuroon/core";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../src/cli/config.js";
import { CliError, describeFailure, UsageError } from "../src/cli/errors.js";
import { ExitCode } from "../src/cli/exit-codes.js";

const emptySummary = {
  sent: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  failed: 0,
  rejected: 0,
  conflicts: 0,
  deleted: 0,
  conversions: 0,
  requests: 0,
  syncRequests: 0,
  changes: 0,
  elapsedMs: 0,
};

describe("describeFailure", () => {
  it("maps errors to the documented exit codes", () => {
    const auth = new AuthenticationError({
      status: 401,
      method: "GET",
      path: "/api/plugin/shops/me",
      body: { error: "Invalid API key", status: 401 },
      headers: {},
    });
    expect(describeFailure(new UsageError("bad")).exitCode).toBe(ExitCode.USAGE);
    expect(describeFailure(new ConfigurationError("no key")).exitCode).toBe(ExitCode.USAGE);
    expect(describeFailure(auth).exitCode).toBe(ExitCode.USAGE);
    expect(describeFailure(new SyncIncompleteError("drain", emptySummary, auth)).exitCode).toBe(
      ExitCode.USAGE,
    );
    const refused = new ConnectionError(
      { method: "GET", path: "/x" },
      { cause: new Error("connect ECONNREFUSED") },
    );
    expect(describeFailure(refused, { apiUrl: "http://127.0.0.1:1" })).toMatchObject({
      exitCode: ExitCode.FAILED,
      hint: expect.stringContaining("http://127.0.0.1:1"),
    });
    expect(describeFailure(new SyncIncompleteError("drain", emptySummary, refused)).exitCode).toBe(
      ExitCode.FAILED,
    );
    const valve = new SafetyValveError({
      wouldDelete: 9,
      remoteTotal: 10,
      sourceTotal: 1,
      maxDeleteRatio: 0.1,
    });
    expect(describeFailure(valve)).toMatchObject({
      exitCode: ExitCode.SAFETY_VALVE,
      message:
        "Reconcile refused to delete 9 of the 10 products in Neuroon (90.0%, more than the 10.0% allowed); the feed lists 1 product. Nothing was deleted.",
    });
    expect(describeFailure(new CliError("partly", { exitCode: ExitCode.PARTIAL })).exitCode).toBe(
      ExitCode.PARTIAL,
    );
    expect(describeFailure("weird").exitCode).toBe(ExitCode.FAILED);
  });
});

describe("resolveConfig", () => {
  it("records where each value came from and resolves dataDir against the config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "neuroon-config-"));
    writeFileSync(
      join(dir, "neuroon.config.json"),
      JSON.stringify({ shopId: "shop_file", dataDir: "state", timeoutMs: 5000 }),
    );
    const config = resolveConfig(
      { apiUrl: "http://flag.example" },
      { env: { NEUROON_SHOP_ID: "shop_env", NEUROON_MAX_RETRIES: "0" }, cwd: dir },
    );
    expect(config).toMatchObject({
      apiUrl: "http://flag.example",
      shopId: "shop_env",
      apiKey: undefined,
      dataDir: join(dir, "state"),
      timeoutMs: 5000,
      maxRetries: 0,
      batchSize: 500,
      maxDeleteRatio: 0.1,
      configPath: join(dir, "neuroon.config.json"),
    });
    expect(config.sources).toMatchObject({
      apiUrl: "flag",
      shopId: "env",
      apiKey: "default",
      dataDir: "file",
      timeoutMs: "file",
      maxRetries: "env",
    });
  });

  it("uses defaults without a config file, and refuses bad environment numbers", () => {
    const dir = mkdtempSync(join(tmpdir(), "neuroon-config-"));
    const config = resolveConfig({}, { env: {}, cwd: dir });
    expect(config).toMatchObject({
      apiUrl: "https://api.neuroon.ai",
      dataDir: join(dir, ".neuroon"),
      configPath: undefined,
    });
    expect(() => resolveConfig({}, { env: { NEUROON_TIMEOUT_MS: "-1" }, cwd: dir })).toThrow(
      UsageError,
    );
  });
});
