import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { authenticate, checkKeyPermissions, type FakeApiKey, WpError } from "./auth.js";
import { generateCatalog } from "./catalog.js";
import { PhpArray, parsePhpQuery, phpJsonEncode } from "./php.js";
import { FakeStore, type Json } from "./store.js";
import type { FakeCatalog, FakeProduct, FakeSettings, WebhookStatus } from "./types.js";
import {
  FAKE_WC_VERSION,
  FAKE_WP_VERSION,
  isValidTopic,
  type WebhookDelivery,
  WebhookRegistry,
} from "./webhooks.js";

/** Options of {@link startFakeWooCommerce}. */
export interface FakeWooCommerceOptions {
  /** Port on 127.0.0.1; default 0 (a free one). */
  port?: number;
  /** The store's data; default `generateCatalog()` (200 products, seed 1). */
  catalog?: FakeCatalog;
  /** Overrides of the catalog's settings. */
  settings?: Partial<FakeSettings>;
  /** The read_write key the bridge uses. */
  consumerKey: string;
  consumerSecret: string;
  /** More keys, e.g. a read-only one. */
  extraKeys?: FakeApiKey[];
  /** Secret given to webhooks created without one (otherwise WooCommerce generates 50 chars). */
  webhookSecret?: string;
  /**
   * WordPress's `home` URL. Default `http://127.0.0.1:<port>`. OAuth signatures are checked
   * against it, so a client using another host name (`localhost`) gets "Invalid signature".
   * A path (`/shop`) makes it a subdirectory install: routes live under `/shop/wp-json/`.
   */
  homeUrl?: string;
  /** A subdirectory install on the fake's own origin (`/shop`), when `homeUrl` is not given. */
  homePath?: string;
  /**
   * WordPress's `is_ssl()`. When true (a TLS-terminating proxy that WordPress trusts), Basic
   * auth and `consumer_key`/`consumer_secret` query parameters are accepted besides OAuth.
   * Default false: like plain http, only OAuth 1.0a works and Basic gets 401.
   */
  isSsl?: boolean;
  /** The store's clock; default the real one. OAuth timestamps are checked against it. */
  now?: () => Date;
  /** Serve `GET /variations` (WooCommerce ≥ 10.3). Default true. */
  globalVariationsEndpoint?: boolean;
}

/** A fault to inject into matching requests. */
export interface FaultRule {
  /** Matches the path (without `/wp-json/wc/v3`), e.g. `/products` or `/^\/products\/\d+$/`. */
  path?: string | RegExp;
  method?: string;
  /**
   * Only requests with these query parameters (lists comma-joined), e.g. `{ context: "edit" }`
   * for a security plugin that blocks the edit context.
   */
  query?: Record<string, string>;
  /** Answer with this status and a WordPress error body instead of the real response. */
  status?: number;
  /** Error code for the body; default `internal_server_error`-like per status. */
  code?: string;
  /** Wait this long before answering (a slow page). */
  delayMs?: number;
  /** Pad the response with this many bytes of headers (plugins' PHP notices; header overflow). */
  headerBytes?: number;
  /** Cut the connection without a response. */
  destroySocket?: boolean;
  /** Serve the response without `X-WP-Total`, `X-WP-TotalPages` and `Link` (a cache stripping them). */
  stripPagingHeaders?: boolean;
  /** How many requests it applies to; default unlimited. */
  times?: number;
  /** `Retry-After` header value, with a 429. */
  retryAfter?: string;
}

/** The fault injector of a running fake. */
export interface FaultInjector {
  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void;
  /** Removes every rule. */
  clear(): void;
  /** Shifts the store's clock (e.g. beyond 15 min to make OAuth timestamps fail). */
  setClockSkewMs(ms: number): void;
  /** Sets every webhook to `disabled`, as after repeated failed deliveries. */
  disableWebhooks(): void;
  /** Loses the next `count` webhook deliveries without sending anything. */
  dropWebhookDeliveries(count: number): void;
}

/** One request the fake served, for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path under `/wp-json/wc/v3`, e.g. `/products`. */
  route: string;
  /** Query parameters without `oauth_*`/consumer credentials. */
  query: Record<string, string>;
  status: number;
  /** `oauth`, `basic`, `query` or `none`. */
  auth: string;
}

/** A running fake WooCommerce store. */
export interface FakeWooCommerce {
  /** The store URL to give the client: `http://127.0.0.1:<port>` plus the home path. */
  url: string;
  /** The WordPress home URL signatures are checked against. */
  homeUrl: string;
  /** The data; mutate it to simulate admin edits. */
  store: FakeStore;
  faults: FaultInjector;
  /** The webhook registry (`webhooks.webhooks`, `webhooks.deliveries`). */
  webhooks: WebhookRegistry;
  /** Requests served so far. */
  requests: RecordedRequest[];
  /**
   * Sends `topic` (`product.updated`, …) for a resource to every active webhook subscribed to
   * it, with WooCommerce's headers, PHP-style JSON body and signature. No retries; the 7th
   * consecutive failure disables the webhook.
   */
  deliverWebhook(topic: string, resourceId: number): Promise<WebhookDelivery[]>;
  close(): Promise<void>;
}

const MAX_PER_PAGE = 100;
const PRODUCT_STATUSES = ["any", "future", "trash", "draft", "pending", "private", "publish"];
const PRODUCT_TYPES = ["simple", "grouped", "external", "variable"];
const ORDER_STATUSES = [
  "any",
  "trash",
  "pending",
  "processing",
  "on-hold",
  "completed",
  "cancelled",
  "refunded",
  "failed",
  "checkout-draft",
];
// rest_parse_date(): RFC 3339, the offset optional.
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/;

function invalidParam(name: string, message: string, code = "rest_invalid_param"): WpError {
  return new WpError(400, "rest_invalid_param", `Invalid parameter(s): ${name}`, {
    params: { [name]: message },
    details: { [name]: { code, message, data: null } },
  });
}

interface Ctx {
  method: string;
  route: string;
  query: PhpArray;
  body: Json;
  key: FakeApiKey;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Page<T> {
  items: T[];
  total: number;
  totalPages: number;
  page: number;
}

/** Starts a fake WooCommerce on loopback. */
export async function startFakeWooCommerce(
  options: FakeWooCommerceOptions,
): Promise<FakeWooCommerce> {
  let skewMs = 0;
  const now = () => new Date((options.now?.() ?? new Date()).getTime() + skewMs);
  const catalog = options.catalog ?? generateCatalog();
  const keys: FakeApiKey[] = [
    {
      consumerKey: options.consumerKey,
      consumerSecret: options.consumerSecret,
      permissions: "read_write",
      userId: 1,
    },
    ...(options.extraKeys ?? []),
  ];
  const faultRules: (FaultRule & { remaining: number })[] = [];
  const requests: RecordedRequest[] = [];
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const homeUrl = (options.homeUrl ?? `${url}${options.homePath ?? ""}`).replace(/\/+$/, "");
  const homePath = new URL(homeUrl).pathname.replace(/\/+$/, "");
  const store = new FakeStore(catalog, now, homeUrl);
  if (options.settings) store.updateSettings(options.settings);
  const webhooks = new WebhookRegistry(store, now, options.webhookSecret);
  const authConfig = {
    keys,
    homeUrl,
    isSsl: options.isSsl ?? false,
    nowSec: () => Math.floor(now().getTime() / 1000),
  };
  const apiPrefix = `${homePath}/wp-json/wc/v3`;

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        send(res, 500, {
          code: "internal_server_error",
          message: `There has been a critical error on this website. (${String(error)})`,
          data: { status: 500 },
        });
      } else res.destroy();
    });
  });

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  function send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    const text = phpJsonEncode(body);
    res.writeHead(status, {
      "content-type": "application/json; charset=UTF-8",
      "x-robots-tag": "noindex",
      "x-content-type-options": "nosniff",
      "access-control-expose-headers": "X-WP-Total, X-WP-TotalPages, Link",
      ...headers,
      // WordPress always announces the API root; paging links come in addition.
      link: [`<${homeUrl}/wp-json/>; rel="https://api.w.org/"`, headers.link]
        .filter((value) => value !== undefined)
        .join(", "),
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const rawUrl = req.url ?? "/";
    const qIndex = rawUrl.indexOf("?");
    const path = qIndex < 0 ? rawUrl : rawUrl.slice(0, qIndex);
    const query = parsePhpQuery(qIndex < 0 ? "" : rawUrl.slice(qIndex + 1));
    const rawBody = await readBody(req);
    const contentType = String(req.headers["content-type"] ?? "");
    const form = contentType.includes("application/x-www-form-urlencoded")
      ? parsePhpQuery(rawBody)
      : new PhpArray();
    const route = path.startsWith(apiPrefix) ? path.slice(apiPrefix.length) || "/" : path;
    const record: RecordedRequest = {
      method,
      route,
      query: Object.fromEntries(
        query.entries
          .filter(
            ([k]) => !k.startsWith("oauth_") && k !== "consumer_key" && k !== "consumer_secret",
          )
          .map(([k, v]) => [k, typeof v === "string" ? v : (query.list(k) ?? []).join(",")]),
      ),
      status: 0,
      auth: "none",
    };
    requests.push(record);
    let stripPaging = false;
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      record.status = status;
      const sent = { ...headers };
      if (stripPaging) {
        delete sent["x-wp-total"];
        delete sent["x-wp-totalpages"];
        delete sent.link;
      }
      send(res, status, body, sent);
    };

    for (const rule of faultRules) {
      if (rule.remaining <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      const wanted = Object.entries(rule.query ?? {});
      if (wanted.some(([key, value]) => record.query[key] !== value)) continue;
      if (rule.path !== undefined) {
        const matches = typeof rule.path === "string" ? route === rule.path : rule.path.test(route);
        if (!matches) continue;
      }
      rule.remaining -= 1;
      if (rule.delayMs) await new Promise((resolve) => setTimeout(resolve, rule.delayMs));
      if (rule.destroySocket) {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      if (rule.stripPagingHeaders) stripPaging = true;
      if (rule.headerBytes) {
        // PHP notices emitted as headers by misbehaving plugins.
        res.setHeader("x-php-notice", "x".repeat(rule.headerBytes));
      }
      if (rule.status) {
        const headers: Record<string, string> = rule.retryAfter
          ? { "retry-after": rule.retryAfter }
          : {};
        const code =
          rule.code ?? (rule.status === 429 ? "too_many_requests" : "internal_server_error");
        reply(
          rule.status,
          { code, message: `Injected fault: HTTP ${rule.status}.`, data: { status: rule.status } },
          headers,
        );
        return;
      }
    }

    if (!path.startsWith(`${homePath}/wp-json/`)) {
      record.status = 404;
      res.writeHead(404, { "content-type": "text/html; charset=UTF-8" });
      res.end("<!doctype html><title>Page not found</title>");
      return;
    }
    if (!path.startsWith(apiPrefix)) {
      reply(404, {
        code: "rest_no_route",
        message: "No route was found matching the URL and request method.",
        data: { status: 404 },
      });
      return;
    }

    const authResult = authenticate(
      { method, path, query, form, authorization: req.headers.authorization },
      authConfig,
    );
    if (authResult instanceof WpError) {
      reply(authResult.status, authResult.toJSON());
      return;
    }
    if (authResult === undefined) {
      const denied = denial(method, route);
      reply(denied.status, denied.toJSON());
      return;
    }
    record.auth = query.string("oauth_signature")
      ? "oauth"
      : req.headers.authorization
        ? "basic"
        : "query";
    const permissionError = checkKeyPermissions(authResult, method);
    if (permissionError) {
      reply(permissionError.status, permissionError.toJSON());
      return;
    }
    let body: Json = {};
    if (contentType.includes("application/json") && rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody) as Json;
      } catch {
        reply(400, {
          code: "rest_invalid_json",
          message: "Invalid JSON body passed.",
          data: { status: 400 },
        });
        return;
      }
    } else if (form.entries.length > 0) {
      body = Object.fromEntries(
        form.entries.map(([k, v]) => [k, typeof v === "string" ? v : form.list(k)]),
      );
    }
    try {
      const result = await route_(
        { method, route, query, body, key: authResult },
        `${homeUrl}/wp-json/wc/v3`,
      );
      reply(result.status, result.body, result.headers);
    } catch (error) {
      if (error instanceof WpError) reply(error.status, error.toJSON());
      else throw error;
    }
  }

  function denial(method: string, route: string): WpError {
    const isCollection = !/\/\d+$/.test(route);
    switch (method) {
      case "POST":
        return new WpError(
          401,
          "woocommerce_rest_cannot_create",
          "Sorry, you are not allowed to create resources.",
        );
      case "PUT":
      case "PATCH":
        return new WpError(
          401,
          "woocommerce_rest_cannot_edit",
          "Sorry, you are not allowed to edit this resource.",
        );
      case "DELETE":
        return new WpError(
          401,
          "woocommerce_rest_cannot_delete",
          "Sorry, you are not allowed to delete this resource.",
        );
      default:
        return isCollection
          ? new WpError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
          : new WpError(
              401,
              "woocommerce_rest_cannot_view",
              "Sorry, you cannot view this resource.",
            );
    }
  }

  function intParam(
    query: PhpArray,
    name: string,
    fallback: number,
    min: number,
    max: number,
  ): number {
    const raw = query.string(name);
    if (raw === undefined || raw === "") return fallback;
    if (!/^-?\d+$/.test(raw.trim()))
      throw invalidParam(name, `${name} is not of type integer.`, "rest_invalid_type");
    const value = Number(raw);
    if (value < min || value > max) {
      const message =
        max === Number.MAX_SAFE_INTEGER
          ? `${name} must be greater than or equal to ${min}`
          : `${name} must be between ${min} (inclusive) and ${max} (inclusive)`;
      throw invalidParam(name, message, "rest_out_of_bounds");
    }
    return value;
  }

  function enumParam(query: PhpArray, name: string, allowed: string[], fallback: string): string {
    const value = query.string(name);
    if (value === undefined || value === "") return fallback;
    if (!allowed.includes(value)) {
      // wp_sprintf_l(): "a and b" for two, "a, b, and c" for more.
      const list =
        allowed.length === 2
          ? allowed.join(" and ")
          : `${allowed.slice(0, -1).join(", ")}, and ${allowed.at(-1)}`;
      throw invalidParam(name, `${name} is not one of ${list}.`, "rest_not_in_enum");
    }
    return value;
  }

  function idList(query: PhpArray, name: string): number[] | undefined {
    const list = query.list(name);
    if (list === undefined) return undefined;
    return list.map((item) => {
      if (!/^\d+$/.test(item))
        throw invalidParam(name, `${name}[0] is not of type integer.`, "rest_invalid_type");
      return Number(item);
    });
  }

  function dateParam(query: PhpArray, name: string): string | undefined {
    const raw = query.string(name);
    if (raw === undefined || raw === "") return undefined;
    if (!DATE_TIME_RE.test(raw)) throw invalidParam(name, "Invalid date.", "rest_invalid_date");
    // WP_Date_Query formats the value in its own timezone, so an offset in the string is
    // effectively ignored: the wall-clock part is compared with the chosen column.
    return raw.slice(0, 19).replace(/[t ]/i, "T");
  }

  function paginate<T>(query: PhpArray, items: T[]): Page<T> {
    const perPage = intParam(query, "per_page", 10, 1, MAX_PER_PAGE);
    const page = intParam(query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
    const offsetRaw = query.string("offset");
    const offset = offsetRaw
      ? intParam(query, "offset", 0, 0, Number.MAX_SAFE_INTEGER)
      : (page - 1) * perPage;
    return {
      items: items.slice(offset, offset + perPage),
      total: items.length,
      totalPages: Math.ceil(items.length / perPage),
      page,
    };
  }

  function pagedReply<T>(ctx: Ctx, base: string, page: Page<T>, render: (item: T) => Json): Reply {
    const links: string[] = [];
    const linkFor = (n: number) => {
      const params = new URLSearchParams();
      for (const [k, v] of ctx.query.entries) {
        if (k === "page") continue;
        if (typeof v === "string") params.append(k, v);
        else for (const item of ctx.query.list(k) ?? []) params.append(`${k}[]`, item);
      }
      params.set("page", String(n));
      return `<${base}${ctx.route}?${params.toString()}>`;
    };
    if (page.page > 1 && page.totalPages > 0) {
      links.push(`${linkFor(Math.min(page.page - 1, page.totalPages))}; rel="prev"`);
    }
    if (page.page < page.totalPages) links.push(`${linkFor(page.page + 1)}; rel="next"`);
    const headers: Record<string, string> = {
      "x-wp-total": String(page.total),
      "x-wp-totalpages": String(page.totalPages),
    };
    if (links.length > 0) headers.link = links.join(", ");
    return {
      status: 200,
      body: page.items.map((item) => filterFields(render(item), ctx.query.string("_fields"))),
      headers,
    };
  }

  function single(ctx: Ctx, json: Json): Reply {
    return { status: 200, body: filterFields(json, ctx.query.string("_fields")) };
  }

  function dateFilter<T>(
    ctx: Ctx,
    items: T[],
    created: (item: T) => string,
    modified: (item: T) => string,
  ): T[] {
    const gmt =
      ctx.query.string("dates_are_gmt") === "true" || ctx.query.string("dates_are_gmt") === "1";
    const column = (value: string) => (gmt ? value : (store.toLocal(value) as string));
    const after = dateParam(ctx.query, "after");
    const before = dateParam(ctx.query, "before");
    const modifiedAfter = dateParam(ctx.query, "modified_after");
    const modifiedBefore = dateParam(ctx.query, "modified_before");
    return items.filter((item) => {
      const c = column(created(item));
      const m = column(modified(item));
      // WP_Date_Query's after/before are exclusive by default.
      if (after !== undefined && !(c > after)) return false;
      if (before !== undefined && !(c < before)) return false;
      if (modifiedAfter !== undefined && !(m > modifiedAfter)) return false;
      if (modifiedBefore !== undefined && !(m < modifiedBefore)) return false;
      return true;
    });
  }

  function sortItems<T extends { id: number }>(
    ctx: Ctx,
    items: T[],
    keys: Record<string, (item: T) => string | number>,
    fallback: string,
    include?: number[],
  ): T[] {
    const orderby = enumParam(ctx.query, "orderby", [...Object.keys(keys), "include"], fallback);
    const order = enumParam(ctx.query, "order", ["asc", "desc"], "desc");
    const sign = order === "asc" ? 1 : -1;
    if (orderby === "include" && include) {
      return [...items].sort((a, b) => include.indexOf(a.id) - include.indexOf(b.id));
    }
    const key = keys[orderby] ?? keys.id ?? ((item: T) => item.id);
    return [...items].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      if (ka < kb) return -sign;
      if (ka > kb) return sign;
      // Date orderings get the post ID appended as a tie-breaker, in the same direction.
      return (a.id - b.id) * sign;
    });
  }

  function listProducts(ctx: Ctx): FakeProduct[] {
    const status = enumParam(ctx.query, "status", PRODUCT_STATUSES, "any");
    const type = enumParam(ctx.query, "type", PRODUCT_TYPES, "");
    const include = idList(ctx.query, "include");
    const exclude = idList(ctx.query, "exclude");
    const sku = ctx.query.string("sku");
    const category = ctx.query.string("category");
    const brand = ctx.query.string("brand");
    const stockStatus = ctx.query.string("stock_status");
    const search = ctx.query.string("search")?.toLowerCase();
    let items = [...store.products.values()].filter((p) => {
      if (status === "any" ? p.status === "trash" : p.status !== status) return false;
      if (type && p.type !== type) return false;
      if (include && !include.includes(p.id)) return false;
      if (exclude?.includes(p.id)) return false;
      if (sku && !sku.split(",").includes(p.sku)) return false;
      if (category && !category.split(",").some((c) => p.categories.includes(Number(c))))
        return false;
      if (brand && !brand.split(",").some((b) => p.brands.includes(Number(b)))) return false;
      if (stockStatus && p.stock_status !== stockStatus) return false;
      if (search && !p.name.toLowerCase().includes(search)) return false;
      return true;
    });
    items = dateFilter(
      ctx,
      items,
      (p) => p.date_created_gmt,
      (p) => p.date_modified_gmt,
    );
    return sortItems(
      ctx,
      items,
      {
        date: (p) => p.date_created_gmt,
        id: (p) => p.id,
        modified: (p) => p.date_modified_gmt,
        title: (p) => p.name.toLowerCase(),
        slug: (p) => p.slug,
        price: (p) => Number(store.activePrice(p) || 0),
        popularity: (p) => p.total_sales,
        rating: (p) => Number(p.average_rating),
      },
      "date",
      include,
    );
  }

  function settingsGroup(group: string): Json[] {
    const s = store.settings;
    const setting = (
      id: string,
      label: string,
      type: string,
      value: unknown,
      options?: Json,
    ): Json => ({
      id,
      label,
      description: "",
      type,
      default: "",
      ...(options ? { options } : {}),
      tip: "",
      value,
      _links: { self: [{ href: `${homeUrl}/wp-json/wc/v3/settings/${group}/${id}` }] },
    });
    if (group === "general") {
      return [
        setting("woocommerce_store_address", "Address line 1", "text", "Musterstraße 1"),
        setting("woocommerce_store_city", "City", "text", "Berlin"),
        setting("woocommerce_default_country", "Country / State", "select", s.defaultCountry),
        setting("woocommerce_store_postcode", "Postcode / ZIP", "text", "10115"),
        setting("woocommerce_calc_taxes", "Enable taxes", "checkbox", s.calcTaxes ? "yes" : "no"),
        setting("woocommerce_currency", "Currency", "select", s.currency),
        setting("woocommerce_currency_pos", "Currency position", "select", "right_space"),
        setting("woocommerce_price_thousand_sep", "Thousand separator", "text", ","),
        setting("woocommerce_price_decimal_sep", "Decimal separator", "text", "."),
        setting(
          "woocommerce_price_num_decimals",
          "Number of decimals",
          "number",
          String(s.priceNumDecimals),
        ),
      ];
    }
    if (group === "tax") {
      return [
        setting(
          "woocommerce_prices_include_tax",
          "Prices entered with tax",
          "radio",
          s.pricesIncludeTax ? "yes" : "no",
          {
            yes: "Yes, I will enter prices inclusive of tax",
            no: "No, I will enter prices exclusive of tax",
          },
        ),
        setting("woocommerce_tax_based_on", "Calculate tax based on", "select", s.taxBasedOn),
        setting("woocommerce_shipping_tax_class", "Shipping tax class", "select", "inherit"),
        setting(
          "woocommerce_tax_round_at_subtotal",
          "Rounding",
          "checkbox",
          s.taxRoundAtSubtotal ? "yes" : "no",
        ),
        setting(
          "woocommerce_tax_classes",
          "Additional tax classes",
          "textarea",
          s.taxClasses.join("\n"),
        ),
        setting(
          "woocommerce_tax_display_shop",
          "Display prices in the shop",
          "select",
          s.taxDisplayShop,
          {
            incl: "Including tax",
            excl: "Excluding tax",
          },
        ),
        setting(
          "woocommerce_tax_display_cart",
          "Display prices during cart and checkout",
          "select",
          s.taxDisplayShop,
        ),
        setting(
          "woocommerce_price_display_suffix",
          "Price display suffix",
          "text",
          s.priceDisplaySuffix,
        ),
        setting("woocommerce_tax_total_display", "Display tax totals", "select", "itemized"),
      ];
    }
    throw new WpError(404, "rest_setting_setting_group_invalid", "Invalid setting group.");
  }

  function slugOfClass(name: string): string {
    return name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  }

  async function route_(ctx: Ctx, base: string): Promise<Reply> {
    const { method, route, query } = ctx;
    // Product routes declare `context` (view|edit) and validate it; `edit` adds `post_password`
    // and returns descriptions raw.
    const context = /^\/products(\/\d+)?$/.test(route)
      ? enumParam(query, "context", ["view", "edit"], "view")
      : (query.string("context") ?? "view");
    let m: RegExpExecArray | null;

    if (method === "GET" && route === "/products") {
      const page = paginate(query, listProducts(ctx));
      return pagedReply(ctx, base, page, (p) => store.serializeProduct(p, context));
    }
    if (method === "GET" && route === "/products/categories") {
      return listTerms(ctx, base, "categories");
    }
    if (method === "GET" && route === "/products/brands") {
      return listTerms(ctx, base, "brands");
    }
    if (method === "GET" && route === "/products/tags") {
      return listTerms(ctx, base, "tags");
    }
    m = method === "GET" ? /^\/products\/(categories|brands|tags)\/(\d+)$/.exec(route) : null;
    if (m) {
      const taxonomy = m[1] as "categories" | "brands" | "tags";
      const term = store[taxonomy].get(Number(m[2]));
      if (!term)
        throw new WpError(404, "woocommerce_rest_term_invalid", "Resource does not exist.");
      return single(ctx, store.serializeTerm(term, taxonomy));
    }
    m = method === "GET" ? /^\/products\/(\d+)$/.exec(route) : null;
    if (m) {
      const id = Number(m[1]);
      const product = store.products.get(id);
      if (product) return single(ctx, store.serializeProduct(product, context));
      const variation = store.variations.get(id);
      if (variation) return single(ctx, store.serializeVariation(variation, true));
      throw new WpError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
    }
    m = method === "DELETE" ? /^\/products\/(\d+)$/.exec(route) : null;
    if (m) {
      const product = store.products.get(Number(m[1]));
      if (!product) throw new WpError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
      const json = store.serializeProduct(product, context);
      if (query.string("force") === "true" || query.string("force") === "1") {
        store.deleteProduct(product.id);
        return { status: 200, body: json };
      }
      if (product.status === "trash") {
        throw new WpError(
          410,
          "woocommerce_rest_already_trashed",
          `The product cannot be deleted.`,
        );
      }
      store.trashProduct(product.id);
      return { status: 200, body: store.serializeProduct(product, context) };
    }
    m = method === "GET" ? /^\/products\/(\d+)\/variations$/.exec(route) : null;
    if (m) {
      const parent = store.products.get(Number(m[1]));
      if (!parent) throw new WpError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
      return listVariations(ctx, base, store.variationsOf(parent.id), false);
    }
    m = method === "GET" ? /^\/products\/(\d+)\/variations\/(\d+)$/.exec(route) : null;
    if (m) {
      const variation = store.variations.get(Number(m[2]));
      if (!variation || variation.parent_id !== Number(m[1])) {
        throw new WpError(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.");
      }
      return single(ctx, store.serializeVariation(variation));
    }
    if (method === "GET" && route === "/variations" && options.globalVariationsEndpoint !== false) {
      return listVariations(ctx, base, [...store.variations.values()], true);
    }
    if (method === "GET" && route === "/orders") {
      const status = query.list("status") ?? ["any"];
      for (const s of status) {
        if (!ORDER_STATUSES.includes(s))
          throw invalidParam("status", "status[0] is not one of the allowed values.");
      }
      const include = idList(query, "include");
      let orders = [...store.orders.values()].filter((o) => {
        if (status.includes("any") ? o.status === "trash" : !status.includes(o.status))
          return false;
        if (include && !include.includes(o.id)) return false;
        return true;
      });
      orders = dateFilter(
        ctx,
        orders,
        (o) => o.date_created_gmt,
        (o) => o.date_modified_gmt,
      );
      orders = sortItems(
        ctx,
        orders,
        { date: (o) => o.date_created_gmt, id: (o) => o.id, modified: (o) => o.date_modified_gmt },
        "date",
        include,
      );
      return pagedReply(ctx, base, paginate(query, orders), (o) => store.serializeOrder(o));
    }
    m = method === "GET" ? /^\/orders\/(\d+)$/.exec(route) : null;
    if (m) {
      const order = store.orders.get(Number(m[1]));
      if (!order) throw new WpError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
      return single(ctx, store.serializeOrder(order));
    }
    if (method === "GET" && route === "/settings") {
      return {
        status: 200,
        body: [
          { id: "general", label: "General", description: "", parent_id: "", sub_groups: [] },
          { id: "tax", label: "Tax", description: "", parent_id: "", sub_groups: [] },
        ],
      };
    }
    m = method === "GET" ? /^\/settings\/(general|tax)$/.exec(route) : null;
    if (m) {
      return {
        status: 200,
        body: settingsGroup(m[1] as string).map((s) => filterFields(s, query.string("_fields"))),
      };
    }
    m = method === "GET" ? /^\/settings\/([a-z_-]+)\/([a-z0-9_]+)$/.exec(route) : null;
    if (m) {
      const setting = settingsGroup(m[1] as string).find((s) => s.id === m?.[2]);
      if (!setting) throw new WpError(404, "rest_setting_setting_invalid", "Invalid setting.");
      return single(ctx, setting);
    }
    if (method === "GET" && route === "/taxes") {
      const cls = query.string("class");
      const rates = store.taxRates.filter((r) => cls === undefined || r.class === cls);
      const sorted = sortItems(
        ctx,
        rates,
        { id: (r) => r.id, order: (r) => r.order, priority: (r) => r.priority },
        "order",
      );
      const ordered = query.string("order") ? sorted : [...sorted].reverse();
      return pagedReply(ctx, base, paginate(query, ordered), (r) => ({
        ...r,
        postcodes: [],
        cities: [],
      }));
    }
    if (method === "GET" && route === "/taxes/classes") {
      return {
        status: 200,
        body: [
          { slug: "standard", name: "Standard rate" },
          ...store.settings.taxClasses.map((name) => ({ slug: slugOfClass(name), name })),
        ],
      };
    }
    if (method === "GET" && route === "/system_status") {
      return {
        status: 200,
        body: {
          environment: {
            home_url: homeUrl,
            site_url: homeUrl,
            version: FAKE_WC_VERSION,
            wp_version: FAKE_WP_VERSION,
            wp_multisite: false,
            language: "de_DE",
            external_object_cache: false,
          },
          settings: {
            api_enabled: true,
            force_ssl: false,
            currency: store.settings.currency,
            currency_symbol: store.settings.currency === "EUR" ? "&euro;" : store.settings.currency,
            currency_position: "right_space",
            number_of_decimals: store.settings.priceNumDecimals,
            taxonomies: {
              simple: "simple",
              grouped: "grouped",
              variable: "variable",
              external: "external",
            },
          },
          active_plugins: [
            {
              plugin: "woocommerce/woocommerce.php",
              name: "WooCommerce",
              version: FAKE_WC_VERSION,
            },
          ],
        },
      };
    }
    if (route === "/webhooks" || /^\/webhooks\/\d+$/.test(route)) return webhookRoute(ctx, base);
    throw new WpError(
      404,
      "rest_no_route",
      "No route was found matching the URL and request method.",
    );
  }

  function listTerms(ctx: Ctx, base: string, taxonomy: "categories" | "brands" | "tags"): Reply {
    const include = idList(ctx.query, "include");
    const parentRaw = ctx.query.string("parent");
    const hideEmpty = ctx.query.string("hide_empty") === "true";
    let terms = [...store[taxonomy].values()].filter((t) => {
      if (include && !include.includes(t.id)) return false;
      if (parentRaw !== undefined && t.parent !== Number(parentRaw)) return false;
      return true;
    });
    if (hideEmpty)
      terms = terms.filter((t) => (store.serializeTerm(t, taxonomy).count as number) > 0);
    const orderby = enumParam(
      ctx.query,
      "orderby",
      ["id", "include", "name", "slug", "term_group", "description", "count"],
      "name",
    );
    const order = enumParam(ctx.query, "order", ["asc", "desc"], "asc");
    const sign = order === "asc" ? 1 : -1;
    terms.sort((a, b) => {
      if (orderby === "id") return (a.id - b.id) * sign;
      if (orderby === "slug") return a.slug.localeCompare(b.slug) * sign;
      return a.name.localeCompare(b.name) * sign || (a.id - b.id) * sign;
    });
    return pagedReply(ctx, base, paginate(ctx.query, terms), (t) =>
      store.serializeTerm(t, taxonomy),
    );
  }

  function listVariations(
    ctx: Ctx,
    base: string,
    all: ReturnType<FakeStore["variationsOf"]>,
    global: boolean,
  ): Reply {
    const include = idList(ctx.query, "include");
    const parents = idList(ctx.query, "parent");
    const status = enumParam(ctx.query, "status", PRODUCT_STATUSES, "any");
    let items = all.filter((v) => {
      if (include && !include.includes(v.id)) return false;
      if (parents && !parents.includes(v.parent_id)) return false;
      if (status !== "any" && v.status !== status) return false;
      if (global && !store.products.has(v.parent_id)) return false;
      return true;
    });
    items = dateFilter(
      ctx,
      items,
      (v) => v.date_created_gmt,
      (v) => v.date_modified_gmt,
    );
    items = sortItems(
      ctx,
      items,
      {
        date: (v) => v.date_created_gmt,
        id: (v) => v.id,
        modified: (v) => v.date_modified_gmt,
        menu_order: (v) => v.menu_order,
      },
      "date",
      include,
    );
    return pagedReply(ctx, base, paginate(ctx.query, items), (v) =>
      store.serializeVariation(v, global),
    );
  }

  async function webhookRoute(ctx: Ctx, base: string): Promise<Reply> {
    const { method, route, query, body } = ctx;
    const context = query.string("context") ?? "view";
    const idMatch = /^\/webhooks\/(\d+)$/.exec(route);
    if (!idMatch) {
      if (method === "GET") {
        const status = enumParam(query, "status", ["all", "active", "paused", "disabled"], "all");
        const list = [...webhooks.webhooks.values()]
          .filter((w) => status === "all" || w.status === status)
          .sort((a, b) => b.date_created_gmt.localeCompare(a.date_created_gmt) || b.id - a.id);
        return pagedReply(ctx, base, paginate(query, list), (w) => webhooks.serialize(w, context));
      }
      if (method === "POST") {
        const topic = String(body.topic ?? "");
        const deliveryUrl = String(body.delivery_url ?? "");
        if (!topic) throw invalidParam("topic", "topic is a required property.");
        if (!isValidTopic(topic)) {
          throw new WpError(
            400,
            "woocommerce_rest_webhook_invalid_topic",
            "Webhook topic is required and must be valid.",
          );
        }
        if (!/^https?:\/\//i.test(deliveryUrl)) {
          throw new WpError(
            400,
            "woocommerce_rest_webhook_invalid_delivery_url",
            "Webhook delivery URL must be a valid URL starting with http:// or https://.",
          );
        }
        const status = body.status === undefined ? "active" : String(body.status);
        if (!["active", "paused", "disabled"].includes(status)) {
          throw invalidParam("status", "status is not one of active, paused, and disabled.");
        }
        const webhook = webhooks.create({
          ...(typeof body.name === "string" ? { name: body.name } : {}),
          topic,
          delivery_url: deliveryUrl,
          ...(typeof body.secret === "string" ? { secret: body.secret } : {}),
          status: status as WebhookStatus,
          user_id: ctx.key.userId,
        });
        // The ping is sent after the response is prepared; REST create ignores its result.
        setImmediate(() => void webhooks.ping(webhook));
        return { status: 201, body: webhooks.serialize(webhook, context) };
      }
      throw new WpError(
        404,
        "rest_no_route",
        "No route was found matching the URL and request method.",
      );
    }
    const webhook = webhooks.webhooks.get(Number(idMatch[1]));
    if (!webhook) throw new WpError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
    if (method === "GET") return single(ctx, webhooks.serialize(webhook, context));
    if (method === "PUT" || method === "POST" || method === "PATCH") {
      if (body.topic !== undefined) {
        if (!isValidTopic(String(body.topic))) {
          throw new WpError(
            400,
            "woocommerce_rest_webhook_invalid_topic",
            "Webhook topic is required and must be valid.",
          );
        }
        webhook.topic = String(body.topic);
      }
      if (body.delivery_url !== undefined) webhook.delivery_url = String(body.delivery_url);
      if (body.name !== undefined) webhook.name = String(body.name);
      if (typeof body.secret === "string" && body.secret) webhook.secret = body.secret;
      if (body.status !== undefined) {
        const status = String(body.status);
        if (!["active", "paused", "disabled"].includes(status)) {
          throw invalidParam("status", "status is not one of active, paused, and disabled.");
        }
        // Re-activating starts a fresh failure count, as the admin screen does.
        if (status === "active" && webhook.status !== "active") webhook.failure_count = 0;
        webhook.status = status as WebhookStatus;
      }
      webhook.date_modified_gmt = now().toISOString().slice(0, 19);
      return { status: 200, body: webhooks.serialize(webhook, context) };
    }
    if (method === "DELETE") {
      const force = query.string("force") === "true" || query.string("force") === "1";
      if (!force) {
        throw new WpError(
          501,
          "woocommerce_rest_trash_not_supported",
          "Webhooks do not support trashing.",
        );
      }
      const json = webhooks.serialize(webhook, context);
      webhooks.webhooks.delete(webhook.id);
      return { status: 200, body: json };
    }
    throw new WpError(
      404,
      "rest_no_route",
      "No route was found matching the URL and request method.",
    );
  }

  const faults: FaultInjector = {
    add(rule) {
      const entry = { ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY };
      faultRules.push(entry);
      return () => {
        const at = faultRules.indexOf(entry);
        if (at >= 0) faultRules.splice(at, 1);
      };
    },
    clear() {
      faultRules.length = 0;
      skewMs = 0;
      webhooks.dropNext = 0;
    },
    setClockSkewMs(ms) {
      skewMs = ms;
    },
    disableWebhooks() {
      for (const webhook of webhooks.webhooks.values()) webhook.status = "disabled";
    },
    dropWebhookDeliveries(count) {
      webhooks.dropNext = count;
    },
  };

  return {
    url: `${url}${homePath}`,
    homeUrl,
    store,
    faults,
    webhooks,
    requests,
    deliverWebhook: (topic, resourceId) => webhooks.deliver(topic, resourceId),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * WordPress's `_fields`: keeps the listed top-level fields and dotted sub-fields
 * (`dimensions.width`); `_links` only when asked for.
 */
export function filterFields(json: Json, fields: string | undefined): Json {
  if (fields === undefined || fields.trim() === "") return json;
  const wanted = fields
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f.length > 0);
  const out: Json = {};
  for (const field of wanted) {
    const [head, ...rest] = field.split(".");
    if (head === undefined || !(head in json)) continue;
    const value = json[head];
    if (rest.length === 0) {
      out[head] = value;
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      const nested = filterFields(value as Json, rest.join("."));
      out[head] = { ...((out[head] as Json | undefined) ?? {}), ...nested };
    }
  }
  return out;
}
