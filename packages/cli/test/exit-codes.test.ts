import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  emptySummary,
  NotFoundError,
  RateLimitError,
  SafetyValveError,
  SyncIncompleteError,
} from "@neuroon/core";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../src/cli/config.js";
import { CliError, describeFailure, speakCli, UsageError } from "../src/cli/errors.js";
import { ExitCode } from "../src/cli/exit-codes.js";
import { describeIssues } from "../src/cli/sync-report.js";

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
    expect(describeFailure(new SyncIncompleteError("drain", emptySummary(), auth)).exitCode).toBe(
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
    expect(
      describeFailure(new SyncIncompleteError("drain", emptySummary(), refused)).exitCode,
    ).toBe(ExitCode.FAILED);
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

describe("messages in the CLI's words", () => {
  const notFound = (path: string) =>
    new NotFoundError({
      status: 404,
      method: "GET",
      path,
      body: { error: "Not found" },
      headers: {},
    });

  it("makes an unknown shop a configuration error and an unknown product a failure", () => {
    expect(describeFailure(notFound("/api/plugin/shops/shop_x/products"))).toMatchObject({
      exitCode: ExitCode.USAGE,
      hint: expect.stringContaining("--shop-id or NEUROON_SHOP_ID"),
    });
    expect(describeFailure(notFound("/api/plugin/shops/shop_x/products/p1")).exitCode).toBe(
      ExitCode.FAILED,
    );
  });

  it("names flags and commands, never library functions or options", () => {
    const limited = new RateLimitError({
      status: 429,
      method: "POST",
      path: "/api/plugin/shops/shop_x/products/sync",
      body: { error: "Too many requests" },
      headers: { "retry-after": "41" },
    });
    const described = describeFailure(limited);
    expect(`${described.message} ${described.hint}`).not.toMatch(/rateLimits|\(\)/);
    expect(described.hint).toContain("in 41 s");
    expect(
      describeIssues([
        {
          field: "price",
          message:
            'price must be a finite number >= 0; received "12,50". Compute it with computeDisplayPrices().',
        },
        {
          field: "description",
          message:
            "description must be at most 5000 characters; received 6000. use toPlainText() with a maxLength, or normalizeProduct().",
        },
      ]),
    ).toBe(
      'price must be a finite number >= 0; received "12,50". description must be at most 5000 characters; received 6000.',
    );
    expect(
      speakCli(
        'Invalid Shop API Key for shop_a: expected "sk_" + 32 lower-case hex digits (35 characters), received "x". Generate one with generateApiKey().',
      ),
    ).toBe(
      'Invalid Shop API Key for shop_a: expected "sk_" + 32 lower-case hex digits (35 characters), received "x".',
    );
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
