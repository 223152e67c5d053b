import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

const workspaces = ["packages", "apps"].flatMap((group) =>
  readdirSync(join(ROOT, group)).map((folder) => {
    const path = `${group}/${folder}`;
    const manifest = JSON.parse(readFileSync(join(ROOT, path, "package.json"), "utf8")) as Manifest;
    return { path, manifest };
  }),
);
const byName = new Map(workspaces.map((workspace) => [workspace.manifest.name, workspace]));

describe("what a user installs", () => {
  it("has nothing fake: the CLI depends at run time only on published workspaces", () => {
    const cli = byName.get("@neuroon/cli")?.manifest;
    const internal = Object.keys(cli?.dependencies ?? {}).filter((name) => byName.has(name));
    expect(internal.length).toBeGreaterThan(0);
    for (const name of internal) {
      expect(name).not.toMatch(/fake/);
      expect(byName.get(name)?.manifest.private, `${name} is private`).not.toBe(true);
    }
  });

  it("every fake is private, and the root README agrees with package.json on what is published", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Packages"), readme.indexOf("## Benchmarks"));
    const listed = [...section.matchAll(/^\| \[`(@neuroon\/[\w-]+)`\]/gm)].map((match) => match[1]);
    const published = workspaces
      .filter((workspace) => workspace.manifest.private !== true)
      .map((workspace) => workspace.manifest.name);
    expect(listed.sort()).toEqual(published.sort());
    for (const { path, manifest } of workspaces) {
      if (manifest.name.includes("fake")) expect(manifest.private, path).toBe(true);
      if (manifest.private === true) expect(section, path).toContain(`(${path})`);
    }
  });
});
