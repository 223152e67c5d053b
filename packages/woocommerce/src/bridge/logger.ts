/** Structured log sink of the bridge. Fields never carry secrets. */
export interface BridgeLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything (library default in tests). */
export const SILENT_LOGGER: BridgeLogger = {
  info() {},
  warn() {},
  error() {},
};

/**
 * One JSON object per line (`{"time","level","msg",…}`) on `stream`: what log collectors
 * (Docker, systemd, Fly, Render) expect from a service.
 */
export function createJsonLineLogger(
  stream: { write(text: string): unknown } = process.stdout,
  now: () => Date = () => new Date(),
): BridgeLogger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
    try {
      stream.write(
        `${JSON.stringify({ time: now().toISOString(), level, msg, ...fields }, errorReplacer)}\n`,
      );
    } catch {
      // A broken log sink must not take the bridge down.
    }
  };
  return {
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
