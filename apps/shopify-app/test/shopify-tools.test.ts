import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildAdminSchema } from "@neuroon/fake-shopify";
import { SHOPIFY_API_VERSION } from "@neuroon/shopify";
import { check } from "@shopify/theme-check-node";
import { parse } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_TIMEOUT_MS } from "./harness.js";

// The app's Shopify files checked by Shopify's own tools, as `shopify app deploy` would: the theme
// app extension by Theme Check with the theme-app-extension config, the TOML files by the CLI's
// app loader, the webhook topics by the pinned Admin schema.

const APP_DIRECTORY = fileURLToPath(new URL("..", import.meta.url));
const EXTENSION_DIRECTORY = join(APP_DIRECTORY, "extensions", "neuroon-search");
const run = promisify(execFile);

/**
 * `shopify app build` on an app directory. The CLI's loader (which reads and validates
 * `shopify.app.toml`, `shopify.web.toml` and every `*.extension.toml`, then runs Theme Check and
 * bundles the theme extension) lives inside its single minified bundle and is not exported, so the
 * CLI itself is run; `app build` is the one app command that needs no Partner login or network.
 */
async function shopifyAppBuild(directory: string): Promise<{ ok: boolean; output: string }> {
  const cli = createRequire(import.meta.url).resolve("@shopify/cli/package.json");
  const bin = join(cli, "..", "bin", "run.js");
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [bin, "app", "build", "--path", directory, "--skip-dependencies-installation"],
      {
        env: { ...process.env, CI: "1", SHOPIFY_CLI_NO_ANALYTICS: "1", NO_COLOR: "1" },
        timeout: TEST_TIMEOUT_MS,
      },
    );
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

describe("Shopify's own tools", () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "neuroon-shopify-tools-"));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it("Theme Check (theme-app-extension config) finds nothing in the app embed", async () => {
    const offenses = await check(EXTENSION_DIRECTORY, "theme-check:theme-app-extension");
    expect(offenses.map((o) => `${o.check} ${o.uri}: ${o.message}`)).toEqual([]);
  });

  it("Theme Check reports what it should (a remote script and a parser-blocking one)", async () => {
    const copy = join(scratch, "extension");
    await cp(EXTENSION_DIRECTORY, copy, { recursive: true });
    const block = join(copy, "blocks", "neuroon-embed.liquid");
    const liquid = await readFile(block, "utf8");
    await writeFile(
      block,
      liquid.replace("<script", '<script src="https://cdn.example.com/x.js"></script>\n<script'),
    );
    const offenses = await check(copy, "theme-check:theme-app-extension");
    expect(offenses.map((o) => o.check)).toEqual(
      expect.arrayContaining(["RemoteAsset", "ParserBlockingScript"]),
    );
  });

  it("the CLI's app loader loads shopify.app.toml, shopify.web.toml and the extension, and builds it", async () => {
    const { ok, output } = await shopifyAppBuild(APP_DIRECTORY);
    expect(output).not.toMatch(/error|ENOENT/i);
    expect(output).toContain("Neuroon Search built!");
    expect(ok).toBe(true);
  });

  it("the CLI's app loader refuses an invalid shopify.app.toml (the check is not vacuous)", async () => {
    const copy = join(scratch, "app");
    for (const entry of ["shopify.app.toml", "shopify.web.toml", "package.json", "extensions"]) {
      await cp(join(APP_DIRECTORY, entry), join(copy, entry), { recursive: true });
    }
    const toml = await readFile(join(copy, "shopify.app.toml"), "utf8");
    await writeFile(
      join(copy, "shopify.app.toml"),
      toml.replace("embedded = true", 'embedded = "yes"'),
    );
    const { ok, output } = await shopifyAppBuild(copy);
    expect(ok).toBe(false);
    expect(output).toMatch(
      /Validation errors in[\s\S]*shopify\.app\.toml[\s\S]*\[embedded\]: Value must be Boolean/,
    );
  });

  it("subscribes only to webhook topics of the pinned Admin API, at the pinned version", async () => {
    const app = parse(await readFile(join(APP_DIRECTORY, "shopify.app.toml"), "utf8")) as {
      webhooks: { api_version: string; subscriptions: { topics?: string[] }[] };
    };
    expect(app.webhooks.api_version).toBe(SHOPIFY_API_VERSION);
    const topicType = buildAdminSchema(SHOPIFY_API_VERSION).getType("WebhookSubscriptionTopic");
    if (!topicType || !("getValues" in topicType))
      throw new Error("no WebhookSubscriptionTopic enum");
    const known = new Set(topicType.getValues().map((value) => value.name));
    const topics = app.webhooks.subscriptions.flatMap((subscription) => subscription.topics ?? []);
    expect(topics.length).toBeGreaterThan(0);
    // `products/create` is the enum value PRODUCTS_CREATE.
    const unknown = topics.filter((topic) => !known.has(topic.toUpperCase().replace(/\//g, "_")));
    expect(unknown).toEqual([]);
    expect(known.has("INVENTORY_ITEMS_CREATE_NOT_A_TOPIC")).toBe(false);
  });
});
