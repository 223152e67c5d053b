import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const SPECIFIER = /(?:^|\s)(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

/** Packages reachable from an entry file through static and literal dynamic imports. */
function packagesReachableFrom(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const pending = [join(SRC_DIR, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    // Block comments go first: TSDoc examples show imports that the module does not make.
    const source = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
    for (const match of source.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? "";
      // `import type` / `export type` vanish at runtime.
      if (/^\s*(?:import|export)\s+type\s/.test(match[0])) continue;
      if (specifier.startsWith("."))
        pending.push(join(dirname(file), specifier.replace(/\.js$/, ".ts")));
      else packages.add(specifier);
    }
  }
  return packages;
}

describe("entry points", () => {
  it("keeps bullmq, the test tooling and node:sqlite out of the main entry", () => {
    const packages = packagesReachableFrom("index.ts");
    // node:sqlite is loaded when a SQLite store is opened (process.getBuiltinModule), not imported.
    expect(packages).not.toContain("node:sqlite");
    expect(packages).not.toContain("valibot");
    for (const name of ["bullmq", "ioredis", "pg", "vitest", "fast-check", "@neuroon/emulator"]) {
      expect(packages).not.toContain(name);
    }
  });

  it("keeps the test tooling out of the bullmq entry", () => {
    const packages = packagesReachableFrom("queue/bullmq-queue.ts");
    expect(packages).toContain("bullmq");
    expect(packages).not.toContain("vitest");
  });

  it("keeps bullmq and the test tooling out of the postgres entry", () => {
    const packages = packagesReachableFrom("postgres/index.ts");
    expect(packages).toContain("pg");
    for (const name of ["bullmq", "vitest", "node:sqlite"]) expect(packages).not.toContain(name);
  });

  it("keeps the conformance batteries, and the test tooling they need, behind ./testing", () => {
    const packages = packagesReachableFrom("testing/index.ts");
    expect(packages).toContain("vitest");
    expect(packages).toContain("fast-check");
    expect(packages).toContain("@neuroon/emulator");
    expect(packages).not.toContain("bullmq");
  });

  it("loads node:sqlite only when a SQLite store is opened, not when the client is imported", async () => {
    const loaded = () =>
      (process as unknown as { moduleLoadList: string[] }).moduleLoadList.includes(
        "NativeModule sqlite",
      );
    const core = await import("../index.js");
    new core.NeuroonClient({ shopId: "shop_import01", apiKey: `sk_${"0".repeat(32)}` });
    expect(loaded()).toBe(false);
    const queue = core.openSqliteQueue({ path: ":memory:" });
    expect(loaded()).toBe(true);
    await queue.close();
  });
});
