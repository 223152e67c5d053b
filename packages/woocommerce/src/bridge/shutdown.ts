import type { BridgeLogger } from "./logger.js";

type SignalName = "SIGINT" | "SIGTERM";

/** Where signals come from; `process` by default, injectable for tests. */
export interface SignalSource {
  once(event: SignalName, listener: () => void): unknown;
  off(event: SignalName, listener: () => void): unknown;
}

/**
 * Stops the bridge gracefully on the first SIGINT or SIGTERM (stop accepting, finish in-flight
 * requests and the worker's batch, close the queue); a second signal exits at once. Returns a
 * function that removes the handlers.
 */
export function installShutdownHandlers(
  bridge: { stop(): Promise<void> },
  options: {
    logger?: BridgeLogger;
    signals?: SignalSource;
    onStopped?: (error?: unknown) => void;
    exit?: (code: number) => void;
  } = {},
): () => void {
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handler = (signal: SignalName) => () => {
    if (stopping) {
      options.logger?.warn(`second ${signal}: exiting without waiting`);
      exit(130);
      return;
    }
    stopping = true;
    options.logger?.info(`${signal} received: shutting down gracefully`);
    // Listen again so a second signal forces the exit.
    signals.once("SIGINT", onInt);
    signals.once("SIGTERM", onTerm);
    bridge.stop().then(
      () => options.onStopped?.(),
      (error: unknown) => options.onStopped?.(error),
    );
  };
  const onInt = handler("SIGINT");
  const onTerm = handler("SIGTERM");
  signals.once("SIGINT", onInt);
  signals.once("SIGTERM", onTerm);
  return () => {
    signals.off("SIGINT", onInt);
    signals.off("SIGTERM", onTerm);
  };
}
