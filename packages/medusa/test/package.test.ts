import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

interface Manifest {
  name: string;
  version: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const PACKAGE_DIR = join(__dirname, "..");
const manifest = readManifest(PACKAGE_DIR);

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
}

/** Where Node would find `name` from `fromDir`: the nearest `node_modules/<name>` up the tree. */
function findPackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** Every package installed with ours at run time: dependencies, transitively. */
function runtimeDependencies(): Manifest[] {
  const seen = new Map<string, Manifest>();
  const visit = (dir: string) => {
    for (const name of Object.keys(readManifest(dir).dependencies ?? {})) {
      const found = findPackageDir(name, dir);
      if (!found || seen.has(found)) continue;
      seen.set(found, readManifest(found));
      visit(found);
    }
  };
  visit(realpathSync(PACKAGE_DIR));
  return [...seen.values()];
}

function parseVersion(text: string): number[] {
  return (text.match(/\d+/g) ?? []).slice(0, 3).map(Number);
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Whether every Node version from `floor` up satisfies `range`, for the forms `engines.node`
 * uses in practice: `>=x`, `^x` and `||` of them. Other forms count as not satisfied, so an
 * unusual range shows up here instead of passing silently.
 */
function floorSatisfies(floor: number[], range: string): boolean {
  return range.split("||").some((alternative) => {
    const text = alternative.trim();
    if (text === "*" || text === "") return true;
    const atLeast = text.match(/^>=\s*v?([\d.xX*]+)$/);
    if (atLeast?.[1]) return compare(floor, parseVersion(atLeast[1])) >= 0;
    // `^22.12 || >=23` style: the floor's major must be the last one the caret allows.
    const caret = text.match(/^\^\s*v?([\d.xX*]+)$/);
    if (caret?.[1]) {
      const min = parseVersion(caret[1]);
      return floor[0] === min[0] && compare(floor, min) >= 0;
    }
    return false;
  });
}

describe("the published package", () => {
  it("declares a Node floor that every runtime dependency accepts (undici 8 needs 22.19)", () => {
    const floor = parseVersion(manifest.engines?.node ?? "");
    const dependencies = runtimeDependencies();
    expect(dependencies.map((d) => d.name)).toEqual(
      expect.arrayContaining(["@neuroon/core", "undici", "pg"]),
    );
    const refusing = dependencies
      .filter((d) => d.engines?.node && !floorSatisfies(floor, d.engines.node))
      .map((d) => `${d.name}@${d.version} needs node ${d.engines?.node}`);
    expect(refusing, `engines.node is ${manifest.engines?.node}`).toEqual([]);
  });

  it("builds with the @medusajs/ui a Medusa 2.21.2 app installs (draft-order pins it)", () => {
    const medusaDir = findPackageDir("@medusajs/medusa", realpathSync(PACKAGE_DIR));
    expect(medusaDir, "@medusajs/medusa is a dev dependency").toBeDefined();
    const draftOrderDir = findPackageDir("@medusajs/draft-order", medusaDir as string);
    expect(draftOrderDir, "@medusajs/medusa depends on @medusajs/draft-order").toBeDefined();
    const draftOrder = readManifest(draftOrderDir as string);
    const pinned =
      draftOrder.dependencies?.["@medusajs/ui"] ?? draftOrder.peerDependencies?.["@medusajs/ui"];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.devDependencies?.["@medusajs/ui"]).toBe(pinned);
    expect(manifest.peerDependencies?.["@medusajs/ui"]).toBe(
      `^${parseVersion(pinned ?? "")[0]}.0.0`,
    );
    const installed = findPackageDir("@medusajs/ui", realpathSync(PACKAGE_DIR));
    expect(readManifest(installed as string).version).toBe(pinned);
  });

  it("compiles no test file into .medusa/server (medusa plugin:build compiles tsconfig.json)", () => {
    const configPath = join(PACKAGE_DIR, "tsconfig.json");
    const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, PACKAGE_DIR);
    expect(parsed.fileNames.some((f) => f.endsWith("/src/lib/mapping.ts"))).toBe(true);
    expect(parsed.fileNames.filter((f) => /\.test\.tsx?$|\/test\//.test(f))).toEqual([]);
  });
});
