import { spawnSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { ARCHIVE_NAMES, locateArchives, STORE_SCRIPT } from "./locate.js";
import type { RealStoreInfo } from "./store.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The running store, or null when the suite is skipped (no archives, outside CI). */
    realStore: RealStoreInfo | null;
  }
}

function runScript(command: string, archives?: string): string {
  const result = spawnSync(STORE_SCRIPT, [command], {
    encoding: "utf8",
    env: { ...process.env, ...(archives ? { NEUROON_TEST_REAL_WOO_ARCHIVES: archives } : {}) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (result.status !== 0) {
    throw new Error(
      `The real WooCommerce store did not come up (harness/store.sh ${command} exited ${result.status}); its output is above.`,
    );
  }
  return result.stdout;
}

/**
 * Brings the store up once for the run and stops it at the end. In CI (`CI=true`) missing archives
 * fail the run; elsewhere they skip the suite with one line that says how to get them.
 */
export default function setup(project: TestProject): () => void {
  const { dir, candidates } = locateArchives();
  if (dir === undefined) {
    const message = `Real-store suite: ${ARCHIVE_NAMES.join(" and ")} not found in ${candidates.join(" or ")}; put them there (or set NEUROON_TEST_REAL_WOO_ARCHIVES to their folder) to run it.`;
    if (process.env.CI === "true") throw new Error(message);
    console.warn(`${message} Skipped.`);
    project.provide("realStore", null);
    return () => {};
  }
  const startedAt = performance.now();
  const lines = runScript("up", dir);
  const values = Object.fromEntries(
    lines
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  const info: RealStoreInfo = {
    url: values.URL as string,
    consumerKey: values.CONSUMER_KEY as string,
    consumerSecret: values.CONSUMER_SECRET as string,
    stateDir: values.STATE_DIR as string,
    logDir: values.LOG_DIR as string,
    archives: dir,
  };
  console.info(
    `Real-store suite: ${info.url} ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
  );
  project.provide("realStore", info);
  return () => {
    runScript("down", dir);
  };
}
