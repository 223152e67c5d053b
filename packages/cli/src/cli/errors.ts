import {
  ApiError,
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  NeuroonError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  SafetyValveError,
  SyncIncompleteError,
  TimeoutError,
} from "@neuroon/core";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";

/** An error a command raises on purpose, with the exit code and a hint on how to fix it. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;

  constructor(
    message: string,
    options: { exitCode?: ExitCodeValue; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliError";
    this.exitCode = options.exitCode ?? ExitCode.FAILED;
    this.hint = options.hint;
  }
}

/** Bad usage or configuration (exit 2). */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(
      message,
      hint === undefined ? { exitCode: ExitCode.USAGE } : { exitCode: ExitCode.USAGE, hint },
    );
    this.name = "UsageError";
  }
}

/** What the command line reports for a failure. */
export interface DescribedFailure {
  exitCode: ExitCodeValue;
  /** Error class name, for `--json` consumers. */
  name: string;
  message: string;
  hint?: string;
}

/**
 * Maps any error to an exit code, a message and a fix. Refused credentials are configuration
 * errors (exit 2): retrying cannot help until someone changes the key, shop id or URL.
 */
export function describeFailure(
  error: unknown,
  context: { apiUrl?: string } = {},
): DescribedFailure {
  const where = context.apiUrl === undefined ? "the API URL" : `${context.apiUrl}`;
  if (error instanceof CliError) {
    return withHint(
      { exitCode: error.exitCode, name: error.name, message: error.message },
      error.hint,
    );
  }
  if (error instanceof SafetyValveError) {
    return {
      exitCode: ExitCode.SAFETY_VALVE,
      name: error.name,
      message: describeSafetyValve(error),
      hint:
        "Check the feed is complete. If the products really are gone, rerun with --force, or raise " +
        "--max-delete-ratio (reconcile.maxDeleteRatio in neuroon.config.json).",
    };
  }
  if (error instanceof SyncIncompleteError) {
    const inner = describeFailure(error.cause, context);
    return {
      ...inner,
      message: `${error.message}`,
      exitCode: inner.exitCode === ExitCode.USAGE ? ExitCode.USAGE : ExitCode.FAILED,
    };
  }
  if (error instanceof ConfigurationError) {
    return {
      exitCode: ExitCode.USAGE,
      name: error.name,
      message: error.message,
      hint:
        "Fix the value where it is set (flag, environment variable or neuroon.config.json); " +
        "`neuroon doctor` shows where each setting comes from.",
    };
  }
  if (error instanceof AuthenticationError || error instanceof PermissionError) {
    return {
      exitCode: ExitCode.USAGE,
      name: error.name,
      message: `Neuroon refused the credentials: ${error.message}`,
      hint:
        "Check NEUROON_SHOP_ID and NEUROON_API_KEY belong to the same shop and to this environment " +
        "(development and production keys differ); run `neuroon doctor`.",
    };
  }
  if (error instanceof ConnectionError || error instanceof TimeoutError) {
    return {
      exitCode: ExitCode.FAILED,
      name: error.name,
      message: error.message,
      hint: `Check that ${where} is the right address (NEUROON_API_URL or --api-url) and reachable from here, then run the command again.`,
    };
  }
  if (error instanceof ApiError) return describeApiError(error, where);
  if (error instanceof NeuroonError || error instanceof Error) {
    return { exitCode: ExitCode.FAILED, name: error.name, message: speakCli(error.message) };
  }
  return { exitCode: ExitCode.FAILED, name: "Error", message: String(error) };
}

/** A path naming one product (`/products/{id}`), where a 404 means that product is unknown. */
const PRODUCT_PATH_RE = /\/products\/(?!sync$)[^/]+$/;

/**
 * Neuroon's answer in the CLI's words: the status, the server's text and the request, with a fix
 * that names flags and environment variables. A 404 outside a product's path means the shop is
 * unknown there, and a 400 to a read means a flag's value: both are configuration (exit 2).
 */
function describeApiError(error: ApiError, where: string): DescribedFailure {
  const message = `${error.status} ${error.serverMessage} (${error.method} ${error.path})`;
  if (error instanceof NotFoundError && !PRODUCT_PATH_RE.test(error.path)) {
    return {
      exitCode: ExitCode.USAGE,
      name: error.name,
      message,
      hint: `Check the shop id (--shop-id or NEUROON_SHOP_ID) and that ${where} (--api-url or NEUROON_API_URL) is the environment the shop lives in.`,
    };
  }
  if (error.status === 400 && error.method === "GET") {
    return {
      exitCode: ExitCode.USAGE,
      name: error.name,
      message,
      hint: "Neuroon refused a value given on the command line; see the command's --help.",
    };
  }
  if (error instanceof RateLimitError) {
    const waitSec =
      error.retryAfterMs === undefined ? undefined : Math.ceil(error.retryAfterMs / 1_000);
    return {
      exitCode: ExitCode.FAILED,
      name: error.name,
      message,
      hint: `Neuroon's rate limit is used up (another process may share the key); run the command again${waitSec === undefined ? " in a minute" : ` in ${waitSec} s`}. What was queued stays queued.`,
    };
  }
  return { exitCode: ExitCode.FAILED, name: error.name, message: speakCli(message) };
}

// A sentence that names a library function (`normalizeProduct()`) or option speaks to developers
// embedding @neuroon/core, not to someone running `neuroon`.
const LIBRARY_SENTENCE_RE = /\b[a-z][A-Za-z]*\(\)|\bthe client's \w+\b/;

/**
 * A core message in the CLI's words: sentences addressed to library users (they name a function
 * to call) are dropped; what failed, what was expected and what was received stay.
 */
export function speakCli(message: string): string {
  const sentences = message.split(/(?<=[.;])\s+/);
  const kept = sentences.filter((sentence) => !LIBRARY_SENTENCE_RE.test(sentence));
  if (kept.length === sentences.length) return message;
  return kept.join(" ").replace(/[;,]\s*$/, ".");
}

function withHint(failure: DescribedFailure, hint: string | undefined): DescribedFailure {
  return hint === undefined ? failure : { ...failure, hint };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function describeSafetyValve(error: SafetyValveError): string {
  const { wouldDelete, remoteTotal, sourceTotal, maxDeleteRatio } = error.details;
  const share = remoteTotal === 0 ? 0 : wouldDelete / remoteTotal;
  return (
    `Reconcile refused to delete ${wouldDelete} of the ${remoteTotal} products in Neuroon ` +
    `(${percent(share)}, more than the ${percent(maxDeleteRatio)} allowed); the feed lists ` +
    `${sourceTotal} product${sourceTotal === 1 ? "" : "s"}. Nothing was deleted.`
  );
}
