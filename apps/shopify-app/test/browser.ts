import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * Debian's `chromium` (scripts/ensure-services.sh installs it), or `NEUROON_TEST_CHROMIUM`.
 * Playwright's own browser downloads are not used: they need a host the CI cannot reach.
 */
export const CHROMIUM_PATH = process.env.NEUROON_TEST_CHROMIUM ?? "/usr/bin/chromium";

/** Where screenshots go: `apps/shopify-app/reports/screenshots` (git-ignored), kept as test artifacts. */
export const SCREENSHOT_DIRECTORY = fileURLToPath(
  new URL("../reports/screenshots/", import.meta.url),
);

/** A headless Chromium with a fresh profile; `close()` removes the profile. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with the flags this machine (no GPU, no network beyond loopback) needs. */
export async function launchChromium(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. Run scripts/ensure-services.sh as root (it runs \`apt-get install chromium\`), or set NEUROON_TEST_CHROMIUM to a Chromium binary.`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), "neuroon-chromium-"));
  // A persistent context is Playwright's way to give Chromium its own --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1024, height: 700 },
    // Headless Chromium says "HeadlessChrome", which isbot (and so the Shopify app package) treats
    // as a bot and answers 410; a merchant's browser says "Chrome".
    userAgent:
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as `reports/screenshots/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIRECTORY, { recursive: true });
  const path = join(SCREENSHOT_DIRECTORY, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
