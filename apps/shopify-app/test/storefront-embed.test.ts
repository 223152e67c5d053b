import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createContext, runInContext } from "node:vm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The theme app extension's asset exactly as Shopify serves it, run in a bare vm context with a
// fake `window`, `document.cookie`, `fetch` and timers.
const ASSET = fileURLToPath(
  new URL("../extensions/neuroon-search/assets/neuroon-embed.js", import.meta.url),
);
const SOURCE = readFileSync(ASSET, "utf8");
const SRI = "sha384-JTaG/IN0Jj/ImfUj2x5QVMG4HkbFHzui7fTpLtwl1hsP+kY9W8OODeSJRFWN1ZP5";
const WIDGET = "https://cdn.neuroon.ai/widget@0.9.10/widget.js";

class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly children: FakeElement[] = [];
  constructor(readonly tagName: string) {}
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
  }
  appendChild(child: FakeElement): FakeElement {
    this.children.push(child);
    return child;
  }
}

interface Call {
  url: string;
  method: string;
  body: unknown;
}

interface Page {
  document: { cookie: string };
  calls: Call[];
  cartUpdates(): Call[];
  events: string[];
  head: FakeElement;
  body: FakeElement;
  widgetScript(): FakeElement | undefined;
  storage: Map<string, string>;
}

interface PageOptions {
  cookie?: string;
  embed?: Record<string, string>;
  /** Elements present on the page, by selector. */
  selectors?: string[];
  proxy?: { status: number; body: unknown };
  cartStatus?: number;
  storage?: Map<string, string>;
}

function cookieWith(value: string): string {
  return `_shopify_y=abc; cart=c1%3Fkey; neuroon_clicks=${value}; localization=ES`;
}

function openPage(options: PageOptions = {}): Page {
  const calls: Call[] = [];
  const events: string[] = [];
  const head = new FakeElement("head");
  const body = new FakeElement("body");
  const embed = new FakeElement("script");
  for (const [name, value] of Object.entries({
    "data-neuroon-embed": "",
    "data-proxy-path": "/apps/neuroon",
    "data-root": "/",
    "data-container": "#neuroon-search",
    "data-theme": "dark",
    "data-locale": "es",
    "data-position": "inline",
    "data-cart-clicks": "",
    ...options.embed,
  }))
    embed.setAttribute(name, value);
  const present = new Set(options.selectors ?? ["#neuroon-search"]);
  const storage = options.storage ?? new Map<string, string>();
  const document = {
    cookie: options.cookie ?? "",
    readyState: "complete",
    currentScript: embed,
    head,
    body,
    querySelector(selector: string) {
      if (selector === "script[data-neuroon-embed]") return embed;
      if (selector === "script[data-neuroon-widget]")
        return head.children.find((c) => c.attributes.has("data-neuroon-widget")) ?? null;
      if (selector === "#neuroon-search-floating")
        return (
          body.children.find((c) => c.getAttribute("id") === "neuroon-search-floating") ?? null
        );
      return present.has(selector) ? new FakeElement("div") : null;
    },
    createElement: (tag: string) => new FakeElement(tag),
    addEventListener() {},
  };
  const respond = (status: number, payload: unknown) => ({
    ok: status >= 200 && status < 300,
    status,
    json: async () => payload,
  });
  const window: Record<string, unknown> = {
    document,
    console: { warn() {}, info() {}, log() {}, error() {} },
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: (handler: () => void, ms: number) => {
      const handle = globalThis.setInterval(handler, ms);
      intervals.push(handle);
      return handle;
    },
    clearInterval: globalThis.clearInterval,
    CustomEvent: class {
      constructor(readonly type: string) {}
    },
    dispatchEvent(event: { type: string }) {
      events.push(event.type);
      return true;
    },
    sessionStorage: {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => storage.set(key, value),
    },
    async fetch(url: string, init: { method?: string; body?: string } = {}) {
      calls.push({
        url,
        method: init.method ?? "GET",
        body: init.body ? JSON.parse(init.body) : undefined,
      });
      if (url.endsWith("/token")) {
        const proxy = options.proxy ?? {
          status: 200,
          body: { token: "dG9rZW4", shopId: "shop_abc", expiresAt: nowSeconds() + 86_400 },
        };
        return respond(proxy.status, proxy.body);
      }
      if (url.endsWith("/cart/update.js")) return respond(options.cartStatus ?? 200, {});
      return respond(404, {});
    },
  };
  window.window = window;
  const context = createContext(window);
  runInContext(SOURCE, context, { filename: ASSET });
  return {
    document,
    calls,
    cartUpdates: () => calls.filter((c) => c.url.endsWith("/cart/update.js")),
    events,
    head,
    body,
    widgetScript: () => head.children.find((c) => c.attributes.has("data-neuroon-widget")),
    storage,
  };
}

const intervals: ReturnType<typeof setInterval>[] = [];
afterEach(() => {
  for (const handle of intervals.splice(0)) clearInterval(handle);
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const clicks = { "8123456789": "log_abc", "8123456789:4455": "log_def" };
const clicksJson = JSON.stringify(clicks);

describe("theme app embed: cart attribute sync", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("copies a raw JSON cookie into _neuroon_clicks once, then announces the cart change", async () => {
    const page = openPage({ cookie: cookieWith(clicksJson) });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(page.cartUpdates()).toEqual([
      {
        url: "/cart/update.js",
        method: "POST",
        body: { attributes: { _neuroon_clicks: clicksJson } },
      },
    ]);
    expect(page.events).toEqual(["neuroon:cart-update"]);
  });

  it("reads a URL-encoded cookie and stores the decoded JSON", async () => {
    const page = openPage({ cookie: cookieWith(encodeURIComponent(clicksJson)) });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(page.cartUpdates().map((c) => c.body)).toEqual([
      { attributes: { _neuroon_clicks: clicksJson } },
    ]);
  });

  it("sends nothing when the cart already holds the cookie's clicks", async () => {
    const page = openPage({
      cookie: cookieWith(encodeURIComponent(clicksJson)),
      embed: { "data-cart-clicks": JSON.stringify(clicks, null, 1) },
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(page.cartUpdates()).toEqual([]);
    expect(page.events).toEqual([]);
  });

  it("sends one update per cookie change, none while the cookie stays the same", async () => {
    const page = openPage({
      cookie: cookieWith(clicksJson),
      embed: { "data-cart-clicks": clicksJson },
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(page.cartUpdates()).toEqual([]);

    const first = { ...clicks, "8000000001": "log_1" };
    page.document.cookie = cookieWith(JSON.stringify(first));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(page.cartUpdates().map((c) => c.body)).toEqual([
      { attributes: { _neuroon_clicks: JSON.stringify(first) } },
    ]);

    const second = { ...first, "8000000002": "log_2" };
    page.document.cookie = cookieWith(encodeURIComponent(JSON.stringify(second)));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(page.cartUpdates().map((c) => c.body)).toEqual([
      { attributes: { _neuroon_clicks: JSON.stringify(first) } },
      { attributes: { _neuroon_clicks: JSON.stringify(second) } },
    ]);
    expect(page.events).toEqual(["neuroon:cart-update", "neuroon:cart-update"]);
  });

  it("waits for the cookie to settle before writing the cart", async () => {
    const page = openPage({ cookie: cookieWith(clicksJson) });
    await vi.advanceTimersByTimeAsync(100);
    expect(page.cartUpdates()).toEqual([]);
    await vi.advanceTimersByTimeAsync(400);
    expect(page.cartUpdates()).toHaveLength(1);
  });

  it.each([
    ["absent", "_shopify_y=abc"],
    ["not JSON", cookieWith("log_abc")],
    ["a JSON array", cookieWith(encodeURIComponent('["log_abc"]'))],
    ["without usable entries", cookieWith(encodeURIComponent('{"1":42,"2":""}'))],
    [
      "over 4096 bytes",
      cookieWith(
        JSON.stringify(
          Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`${8e9 + i}`, `log_${i}`])),
        ),
      ),
    ],
  ])("ignores a cookie that is %s", async (_label, cookie) => {
    const page = openPage({ cookie });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(page.cartUpdates()).toEqual([]);
  });

  it("keeps valid entries only and retries a failing update a few times", async () => {
    const page = openPage({
      cookie: cookieWith(JSON.stringify({ "8123456789": " log_abc ", "9": 1 })),
      cartStatus: 500,
    });
    await vi.advanceTimersByTimeAsync(30_000);
    const updates = page.cartUpdates();
    expect(updates).toHaveLength(3);
    expect(updates[0]?.body).toEqual({
      attributes: { _neuroon_clicks: JSON.stringify({ "8123456789": "log_abc" }) },
    });
    expect(page.events).toEqual([]);
  });

  it("uses the storefront's locale root for the cart endpoint", async () => {
    const page = openPage({ cookie: cookieWith(clicksJson), embed: { "data-root": "/fr" } });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(page.cartUpdates().map((c) => c.url)).toEqual(["/fr/cart/update.js"]);
  });
});

describe("theme app embed: widget", () => {
  it("fetches the token from the app proxy and adds the pinned widget with SRI", async () => {
    const page = openPage();
    await vi.waitFor(() => expect(page.widgetScript()).toBeDefined());
    expect(page.calls[0]).toMatchObject({ url: "/apps/neuroon/token", method: "GET" });
    expect(Object.fromEntries(page.widgetScript()?.attributes ?? [])).toEqual({
      src: WIDGET,
      integrity: SRI,
      crossorigin: "anonymous",
      async: "",
      "data-neuroon-widget": "",
      "data-token": "dG9rZW4",
      "data-container": "#neuroon-search",
      "data-theme": "dark",
      "data-locale": "es",
      "data-position": "inline",
    });
    expect(JSON.stringify([...page.calls])).not.toContain("sk_");
  });

  it("reuses this tab's token on the next page and passes the app's API URL", async () => {
    const first = openPage({
      embed: { "data-proxy-path": "/apps/search/", "data-locale": "pt-BR", "data-theme": "" },
      proxy: {
        status: 200,
        body: { token: "dG9r", expiresAt: nowSeconds() + 86_400, apiUrl: "https://dev.example" },
      },
    });
    await vi.waitFor(() => expect(first.widgetScript()).toBeDefined());
    expect(first.calls.map((c) => c.url)).toEqual(["/apps/search/token"]);
    expect(first.widgetScript()?.getAttribute("data-api-url")).toBe("https://dev.example");
    expect(first.widgetScript()?.getAttribute("data-locale")).toBe("pt");
    expect(first.widgetScript()?.getAttribute("data-theme")).toBe("auto");

    const second = openPage({ storage: first.storage });
    await vi.waitFor(() => expect(second.widgetScript()).toBeDefined());
    expect(second.calls).toEqual([]);
    expect(second.widgetScript()?.getAttribute("data-token")).toBe("dG9r");
  });

  it("floats the widget when asked to, or when the inline container is missing", async () => {
    const floating = openPage({ embed: { "data-position": "floating" } });
    await vi.waitFor(() => expect(floating.widgetScript()).toBeDefined());
    expect(floating.widgetScript()?.getAttribute("data-position")).toBe("floating");
    expect(floating.widgetScript()?.getAttribute("data-container")).toBe(
      "#neuroon-search-floating",
    );
    expect(floating.body.children.map((c) => c.getAttribute("id"))).toEqual([
      "neuroon-search-floating",
    ]);

    const missing = openPage({ selectors: [], embed: { "data-locale": "ja" } });
    await vi.waitFor(() => expect(missing.widgetScript()).toBeDefined());
    expect(missing.widgetScript()?.getAttribute("data-position")).toBe("floating");
    expect(missing.widgetScript()?.attributes.has("data-locale")).toBe(false);
  });

  it("adds no widget when the shop is not connected", async () => {
    const page = openPage({ proxy: { status: 404, body: { error: "not_connected" } } });
    await vi.waitFor(() => expect(page.calls).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(page.widgetScript()).toBeUndefined();
  });
});

describe("theme app extension files", () => {
  const root = new URL("../", import.meta.url);
  const read = (path: string) => readFileSync(new URL(path, root), "utf8");

  it("declares a theme extension whose app embed targets <body> and the app's own proxy", () => {
    expect(read("extensions/neuroon-search/shopify.extension.toml")).toMatch(/^type = "theme"$/m);
    const liquid = read("extensions/neuroon-search/blocks/neuroon-embed.liquid");
    const schema = JSON.parse(
      liquid.slice(liquid.indexOf("{% schema %}") + 12, liquid.indexOf("{% endschema %}")),
    ) as { target: string; settings: { id: string; default?: string; options?: unknown[] }[] };
    expect(schema.target).toBe("body");
    const settings = Object.fromEntries(schema.settings.map((s) => [s.id, s]));
    expect(Object.keys(settings).sort()).toEqual(
      ["container", "locale", "position", "proxy_path", "theme"].sort(),
    );
    expect(liquid).toContain("{{ 'neuroon-embed.js' | asset_url }}");

    const app = read("shopify.app.toml");
    const proxy = app.slice(app.indexOf("[app_proxy]"));
    const prefix = /prefix = "([^"]+)"/.exec(proxy)?.[1];
    const subpath = /subpath = "([^"]+)"/.exec(proxy)?.[1];
    expect(settings.proxy_path?.default).toBe(`/${prefix}/${subpath}`);
    expect(/url = "[^"]*\/proxy"/.test(proxy)).toBe(true); // → app/routes/proxy.token.ts
    expect(app).toMatch(/^scopes = ".*write_app_proxy.*"$/m);
  });

  it("keeps the asset small and free of keys", () => {
    // Under theme-check's AssetSizeAppBlockJavaScript threshold (10 KB) for app block scripts.
    expect(Buffer.byteLength(SOURCE)).toBeLessThan(10_000);
    expect(SOURCE).not.toMatch(/sk_[0-9a-f]{8}|X-Shop-API-Key|export /);
  });
});
