#!/usr/bin/env node
import {
  BridgeConfigError,
  createJsonLineLogger,
  createWooBridge,
  errorMessage,
  installShutdownHandlers,
  loadBridgeConfig,
} from "@neuroon/woocommerce/bridge";

/**
 * `node dist/main.js`: runs the bridge from environment variables (see README), logging JSON
 * lines to stdout. Exit code 2 for a configuration error, 1 for anything else.
 */
async function run(): Promise<void> {
  const logger = createJsonLineLogger();
  let config: ReturnType<typeof loadBridgeConfig>;
  try {
    config = loadBridgeConfig(process.env);
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exitCode = error instanceof BridgeConfigError ? 2 : 1;
    return;
  }
  const bridge = createWooBridge(config, { logger });
  installShutdownHandlers(bridge, {
    logger,
    onStopped: (error) => {
      if (error) logger.error("shutdown failed", { error: errorMessage(error) });
      process.exitCode = error ? 1 : 0;
    },
  });
  try {
    await bridge.start();
  } catch (error) {
    logger.error("bridge failed to start", { error: errorMessage(error) });
    process.exitCode = error instanceof BridgeConfigError ? 2 : 1;
    await bridge.stop().catch(() => {});
  }
}

await run();
