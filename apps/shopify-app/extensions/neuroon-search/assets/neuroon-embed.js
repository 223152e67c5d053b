/*
 * Neuroon Search app embed. Dependency-free and export-free; test/storefront-embed.test.ts runs
 * this exact file in a node:vm context.
 *
 * 1. Gets a Widget Token from the app proxy (same origin, `/apps/neuroon/token`: the app signs it
 *    server-side, no key ever reaches the browser) and loads the pinned widget script with SRI.
 * 2. Mirrors the widget's `neuroon_clicks` cookie into the cart attribute `_neuroon_clicks`, which
 *    Shopify copies onto the order, so `orders/paid` can attribute conversions to searches.
 */
(() => {
  const WIDGET_SRC = "https://cdn.neuroon.ai/widget@0.9.10/widget.js";
  const WIDGET_INTEGRITY =
    "sha384-JTaG/IN0Jj/ImfUj2x5QVMG4HkbFHzui7fTpLtwl1hsP+kY9W8OODeSJRFWN1ZP5";
  const LOCALES = ["es", "en", "fr", "de", "it", "pt", "ca", "eu", "gl"];
  const COOKIE = "neuroon_clicks";
  const ATTRIBUTE = "_neuroon_clicks";
  const MAX_COOKIE_BYTES = 4096;
  const CHECK_EVERY_MS = 2000;
  const DEBOUNCE_MS = 400;
  const MAX_FAILURES = 3;
  const TOKEN_CACHE_KEY = "neuroon:widget-token";
  // Reuse a cached token (24 h TTL) only while it has more than an hour left.
  const TOKEN_MARGIN_SEC = 3600;

  /** The raw value of cookie `name` in a `document.cookie` string, or undefined. */
  function readCookie(cookies, name) {
    for (const part of String(cookies || "").split(";")) {
      const index = part.indexOf("=");
      if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
    }
    return undefined;
  }

  /** UTF-8 length of `text` (each %XX of encodeURIComponent is one byte). */
  function byteLength(text) {
    try {
      return encodeURIComponent(text).replace(/%[0-9A-F]{2}/gi, "x").length;
    } catch {
      return Number.POSITIVE_INFINITY;
    }
  }

  /**
   * The clicks map `{ "<externalId>": "<searchLogId>" }` from a cookie or attribute value, raw or
   * URL-encoded JSON, as compact JSON; undefined when absent, over 4096 bytes, not a JSON object,
   * or without any usable entry.
   */
  function normalizeClicks(value) {
    if (typeof value !== "string" || !value.trim() || byteLength(value) > MAX_COOKIE_BYTES) {
      return undefined;
    }
    const candidates = [value];
    try {
      candidates.push(decodeURIComponent(value));
    } catch {
      // Not URL-encoded.
    }
    for (const candidate of candidates) {
      let parsed;
      try {
        parsed = JSON.parse(candidate);
      } catch {
        continue;
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
      const clicks = {};
      let count = 0;
      for (const key of Object.keys(parsed)) {
        const logId = parsed[key];
        if (key && typeof logId === "string" && logId.trim()) {
          clicks[key] = logId.trim();
          count += 1;
        }
      }
      return count > 0 ? JSON.stringify(clicks) : undefined;
    }
    return undefined;
  }

  function readSettings(doc, script) {
    const el = script || doc.querySelector("script[data-neuroon-embed]");
    const get = (name) => (el?.getAttribute(name) || "").trim();
    const locale = get("data-locale").toLowerCase().slice(0, 2);
    const theme = get("data-theme");
    return {
      proxyPath: (get("data-proxy-path") || "/apps/neuroon").replace(/\/+$/, ""),
      root: (get("data-root") || "/").replace(/\/+$/, ""),
      container: get("data-container") || "#neuroon-search",
      theme: theme === "light" || theme === "dark" ? theme : "auto",
      locale: LOCALES.includes(locale) ? locale : "",
      position: get("data-position") === "floating" ? "floating" : "inline",
      cartClicks: normalizeClicks(get("data-cart-clicks")),
    };
  }

  function readCachedToken(win, now) {
    try {
      const cached = JSON.parse(win.sessionStorage.getItem(TOKEN_CACHE_KEY) || "null");
      if (cached && typeof cached.token === "string" && cached.expiresAt - now > TOKEN_MARGIN_SEC) {
        return cached;
      }
    } catch {
      // No storage (privacy mode) or a damaged entry: fetch a new token.
    }
    return undefined;
  }

  /** `{ token, apiUrl? }` from the app proxy (or this tab's cache), undefined when unavailable. */
  async function loadToken(win, settings) {
    const now = Math.floor(Date.now() / 1000);
    const cached = readCachedToken(win, now);
    if (cached) return cached;
    const response = await win.fetch(`${settings.proxyPath}/token`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return undefined;
    const body = await response.json();
    if (!body || typeof body.token !== "string" || !body.token) return undefined;
    const entry = {
      token: body.token,
      expiresAt: Number(body.expiresAt) || now + 23 * 3600,
      apiUrl: typeof body.apiUrl === "string" ? body.apiUrl : undefined,
    };
    try {
      win.sessionStorage.setItem(TOKEN_CACHE_KEY, JSON.stringify(entry));
    } catch {
      // Caching is an optimisation only.
    }
    return entry;
  }

  /** The widget's `<script>`: pinned version, SRI, data-* configuration. */
  function buildWidgetScript(doc, settings, token, apiUrl) {
    let container = settings.container;
    let position = settings.position;
    if (position === "inline" && !doc.querySelector(container)) position = "floating";
    if (position === "floating") {
      container = "#neuroon-search-floating";
      if (!doc.querySelector(container)) {
        const host = doc.createElement("div");
        host.setAttribute("id", "neuroon-search-floating");
        doc.body.appendChild(host);
      }
    }
    const script = doc.createElement("script");
    script.setAttribute("src", WIDGET_SRC);
    script.setAttribute("integrity", WIDGET_INTEGRITY);
    script.setAttribute("crossorigin", "anonymous");
    script.setAttribute("async", "");
    script.setAttribute("data-neuroon-widget", "");
    script.setAttribute("data-token", token);
    script.setAttribute("data-container", container);
    script.setAttribute("data-theme", settings.theme);
    script.setAttribute("data-position", position);
    if (settings.locale) script.setAttribute("data-locale", settings.locale);
    if (apiUrl) script.setAttribute("data-api-url", apiUrl);
    return script;
  }

  async function mountWidget(win, doc, settings) {
    if (doc.querySelector("script[data-neuroon-widget]")) return;
    const entry = await loadToken(win, settings);
    if (!entry) {
      win.console?.warn?.("Neuroon Search: no widget token (is the shop connected in the app?)");
      return;
    }
    (doc.head || doc.body).appendChild(buildWidgetScript(doc, settings, entry.token, entry.apiUrl));
  }

  /** Keeps the cart attribute equal to the cookie: debounced, one request per change. */
  function startCartSync(win, doc, settings) {
    let synced = settings.cartClicks;
    let lastRaw;
    let timer;
    let inFlight = false;
    let failures = 0;
    let attempted;

    async function push(value) {
      inFlight = true;
      try {
        const response = await win.fetch(`${settings.root}/cart/update.js`, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ attributes: { [ATTRIBUTE]: value } }),
        });
        if (!response.ok) throw new Error(`cart/update.js answered ${response.status}`);
        synced = value;
        attempted = undefined;
        failures = 0;
        win.dispatchEvent(new win.CustomEvent("neuroon:cart-update"));
      } catch (error) {
        // Retried on the next ticks, MAX_FAILURES times at most for the same value.
        attempted = value;
        failures += 1;
        lastRaw = undefined;
        win.console?.warn?.("Neuroon Search: could not update the cart attribute", error);
      } finally {
        inFlight = false;
      }
    }

    function check() {
      if (inFlight) return;
      const raw = readCookie(doc.cookie, COOKIE);
      if (raw === lastRaw) return;
      lastRaw = raw;
      const value = normalizeClicks(raw);
      if (timer !== undefined) win.clearTimeout(timer);
      timer = undefined;
      if (value === undefined || value === synced) return;
      if (value !== attempted) failures = 0;
      if (failures >= MAX_FAILURES) return;
      timer = win.setTimeout(() => {
        timer = undefined;
        void push(value);
      }, DEBOUNCE_MS);
    }

    check();
    win.setInterval(check, CHECK_EVERY_MS);
  }

  function start(win, doc, script) {
    const settings = readSettings(doc, script);
    startCartSync(win, doc, settings);
    mountWidget(win, doc, settings).catch((error) => {
      win.console?.warn?.("Neuroon Search: the widget could not be loaded", error);
    });
  }

  // `currentScript` is only set while this file runs, so it is read before any wait.
  const script = document.currentScript;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => start(window, document, script));
  } else {
    start(window, document, script);
  }
})();
