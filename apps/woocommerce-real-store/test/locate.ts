import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The two archives the store is built from (wordpress.org is not reachable from CI). */
export const ARCHIVE_NAMES = ["wordpress-6.8.8.tar.xz", "woocommerce-10.0.2.tar.xz"] as const;

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The repository root (apps/woocommerce-real-store/../..). */
export const REPO_ROOT = resolve(PACKAGE_DIR, "../..");
/** The harness script: `up`, `down`, `queue`, `cron`, `reset`. */
export const STORE_SCRIPT = join(PACKAGE_DIR, "harness", "store.sh");
export const PHP_DIR = join(PACKAGE_DIR, "harness", "php");

function hasArchives(dir: string): boolean {
  return ARCHIVE_NAMES.every((name) => existsSync(join(dir, name)));
}

/**
 * Where the archives are: `NEUROON_TEST_REAL_WOO_ARCHIVES` when set, else `shared/real-woocommerce`
 * beside the clone (CI puts a read-only `shared/` there), else beside the main checkout when this is
 * a git worktree. `candidates` lists where it looked, for the message when nothing is found.
 */
export function locateArchives(): { dir: string | undefined; candidates: string[] } {
  const fromEnv = process.env.NEUROON_TEST_REAL_WOO_ARCHIVES;
  if (fromEnv) return { dir: hasArchives(fromEnv) ? fromEnv : undefined, candidates: [fromEnv] };
  const candidates = [resolve(REPO_ROOT, "../shared/real-woocommerce")];
  const common = spawnSync("git", ["rev-parse", "--path-format=absolute", "--git-common-dir"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  if (common.status === 0) {
    const mainCheckout = dirname(common.stdout.trim());
    const beside = resolve(mainCheckout, "../shared/real-woocommerce");
    if (!candidates.includes(beside)) candidates.push(beside);
  }
  return { dir: candidates.find(hasArchives), candidates };
}
