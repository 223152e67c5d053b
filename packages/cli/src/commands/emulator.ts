import {
  type EmulatorHandle,
  type EmulatorOptions,
  type FullSyncMode,
  type IndexingLatencyOption,
  maskApiKey,
  parseShopSpec,
  type RateLimitsOption,
  type ShopSpec,
  startEmulator,
} from "@neuroon/emulator";
import { type Command, InvalidArgumentError, Option } from "commander";

/** Default port of `neuroon emulator` (Prism's and stripe-mock's neighbourhood). */
export const DEFAULT_EMULATOR_PORT = 4010;

/** Where the command writes and which signals stop it; injectable so tests run it in-process. */
export interface EmulatorCommandIo {
  readonly stdout?: { write(text: string): unknown };
  readonly signals?: {
    once(event: "SIGINT" | "SIGTERM", listener: () => void): unknown;
    off(event: "SIGINT" | "SIGTERM", listener: () => void): unknown;
  };
  /** Called once the emulator listens (tests use it to reach the handle). */
  readonly onStarted?: (handle: EmulatorHandle) => void;
}

/** Parses `--rate-limits real|off|<scale>` (a scale multiplies the windows: 0.01 → 600 ms). */
export function parseRateLimitsOption(value: string): RateLimitsOption {
  const text = value.trim().toLowerCase();
  if (text === "real" || text === "on") return "real";
  if (text === "off" || text === "false" || text === "none") return false;
  const scale = Number(text);
  if (text !== "" && Number.isFinite(scale) && scale > 0) return { scale };
  throw new InvalidArgumentError(
    `expected "real", "off" or a positive window scale such as 0.01, received "${value}".`,
  );
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s)?$/;

function durationMs(text: string, unit: string | undefined): number | null {
  const match = DURATION.exec(text.trim());
  if (match === null) return null;
  const resolvedUnit = match[2] ?? unit ?? "ms";
  return Math.round(Number(match[1]) * (resolvedUnit === "s" ? 1000 : 1));
}

/**
 * Parses `--indexing-latency`: `2-5s`, `2000-5000ms`, `500ms-2s`, a single value (`3s`), or
 * `0`/`off`. A range without a unit on its lower end borrows the upper end's unit.
 */
export function parseIndexingLatencyOption(value: string): IndexingLatencyOption | false {
  const text = value.trim().toLowerCase();
  if (text === "off" || text === "0" || text === "none") return false;
  const [low = "", high, ...rest] = text.split("-");
  const unit = DURATION.exec((high ?? low).trim())?.[2];
  const minMs = durationMs(low, unit);
  const maxMs = high === undefined ? minMs : durationMs(high, unit);
  if (rest.length > 0 || minMs === null || maxMs === null || maxMs < minMs) {
    throw new InvalidArgumentError(
      `expected a latency range such as "2-5s" or "500ms", received "${value}".`,
    );
  }
  return { minMs, maxMs };
}

function parseShopOption(value: string, previous: ShopSpec[]): ShopSpec[] {
  try {
    return [...previous, parseShopSpec(value)];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`expected a port between 0 and 65535, received "${value}".`);
  }
  return port;
}

interface EmulatorCommandOptions {
  port: number;
  host: string;
  shop: ShopSpec[];
  rateLimits: RateLimitsOption;
  indexingLatency?: IndexingLatencyOption | false;
  persist?: string;
  fullSync?: FullSyncMode;
  strictOrphans?: boolean;
  deleteMissing?: "204" | "404";
}

function describeLatency(latency: IndexingLatencyOption | false | undefined): string {
  if (!latency) return "off";
  return latency.minMs === latency.maxMs
    ? `${latency.minMs} ms`
    : `${latency.minMs}-${latency.maxMs} ms`;
}

function describeRateLimits(option: RateLimitsOption): string {
  if (option === false) return "off";
  if (option === "real") return "real (documented per-endpoint limits)";
  return `windows scaled by ${option.scale}`;
}

/**
 * Registers `neuroon emulator`: starts the local Neuroon Plugin API emulator and runs until
 * SIGINT/SIGTERM. The first stdout line is the URL alone, so scripts can read it.
 */
export function registerEmulatorCommand(program: Command, io: EmulatorCommandIo = {}): Command {
  return program
    .command("emulator")
    .description("Run a local Neuroon Plugin API emulator (for tests, benchmarks and demos).")
    .option("--port <port>", "TCP port (0 picks a free one)", parsePort, DEFAULT_EMULATOR_PORT)
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option(
      "--shop <shopId:apiKey:shopUrl>",
      "serve this shop (repeatable; default: the demo shop)",
      parseShopOption,
      [] as ShopSpec[],
    )
    .option(
      "--rate-limits <mode>",
      'rate limits: "real", "off" or a window scale such as 0.01',
      parseRateLimitsOption,
      "real" as RateLimitsOption,
    )
    .option(
      "--indexing-latency <range>",
      'delay before synced products become visible, e.g. "2-5s"',
      parseIndexingLatencyOption,
    )
    .option("--persist <file>", "load state from this file on start and save it on exit")
    .addOption(
      new Option("--full-sync <mode>", "how FULL syncs wipe the catalog").choices([
        "run",
        "each-request",
        "upsert",
      ]),
    )
    .option("--strict-orphans", "answer 422 to a batch with a variant whose parent is unknown")
    .addOption(
      new Option("--delete-missing <status>", "status for deleting an unknown product").choices([
        "204",
        "404",
      ]),
    )
    .action(async (opts: EmulatorCommandOptions) => {
      const stdout = io.stdout ?? process.stdout;
      const signals = io.signals ?? process;
      const options: EmulatorOptions = {
        port: opts.port,
        host: opts.host,
        shops: opts.shop,
        rateLimits: opts.rateLimits,
        ...(opts.indexingLatency === undefined ? {} : { indexingLatency: opts.indexingLatency }),
        ...(opts.persist === undefined ? {} : { persistPath: opts.persist }),
        ...(opts.fullSync === undefined ? {} : { fullSync: opts.fullSync }),
        ...(opts.strictOrphans === true ? { strictOrphans: true } : {}),
        ...(opts.deleteMissing === undefined
          ? {}
          : { deleteMissingStatus: opts.deleteMissing === "404" ? 404 : 204 }),
      };
      let handle: EmulatorHandle;
      try {
        handle = await startEmulator(options);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
        throw new Error(
          `port ${opts.port} on ${opts.host} is already in use (another emulator?): stop that process, or run neuroon emulator --port ${opts.port + 1} (--port 0 picks a free one).`,
        );
      }
      const lines = [
        handle.url,
        `Neuroon Plugin API emulator listening on ${handle.url}`,
        "Shops:",
        ...handle.shops.map(
          (shop) =>
            `  ${shop.shopId}  key ${maskApiKey(shop.apiKey)}  url ${shop.url}  products ${shop.productsCount}`,
        ),
        `Rate limits: ${describeRateLimits(opts.rateLimits)}; indexing latency: ${describeLatency(opts.indexingLatency)}${opts.persist ? `; state file: ${opts.persist}` : ""}`,
        `Control API: ${handle.url}/__emulator/ (requests, faults, shops/<id>/catalog, reset). Press Ctrl+C to stop.`,
      ];
      stdout.write(`${lines.join("\n")}\n`);
      io.onStarted?.(handle);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          signals.off("SIGINT", stop);
          signals.off("SIGTERM", stop);
          resolve();
        };
        signals.once("SIGINT", stop);
        signals.once("SIGTERM", stop);
      });
      await handle.close();
      stdout.write("Emulator stopped.\n");
    });
}
