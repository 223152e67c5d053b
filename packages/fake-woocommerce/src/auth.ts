import { createHmac, timingSafeEqual } from "node:crypto";
import { PhpArray, rfc3986Encode } from "./php.js";

/** A REST API key as WooCommerce stores it (Settings → Advanced → REST API). */
export interface FakeApiKey {
  consumerKey: string;
  consumerSecret: string;
  permissions: "read" | "write" | "read_write";
  userId: number;
}

/** A WordPress REST error: status plus WooCommerce's `{code, message, data:{status}}` body. */
export class WpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "WpError";
  }

  /** The body WordPress sends: `{code, message, data:{status, …}}`. */
  toJSON(): { code: string; message: string; data: Record<string, unknown> } {
    return { code: this.code, message: this.message, data: { status: this.status, ...this.extra } };
  }
}

// WC_REST_Authentication::check_oauth_timestamp_and_nonce: ±15 minutes, nonces remembered as long.
const OAUTH_WINDOW_SEC = 15 * 60;
const REQUIRED_OAUTH_PARAMS = [
  "oauth_consumer_key",
  "oauth_timestamp",
  "oauth_nonce",
  "oauth_signature",
  "oauth_signature_method",
] as const;

/** The parts of a request `WC_REST_Authentication` looks at. */
export interface AuthRequest {
  method: string;
  /** Request path without the query, e.g. `/wp-json/wc/v3/products`. */
  path: string;
  query: PhpArray;
  /** Parsed `application/x-www-form-urlencoded` body (`$_POST`), empty otherwise. */
  form: PhpArray;
  authorization: string | undefined;
}

/** The store-side settings authentication depends on. */
export interface AuthConfig {
  keys: readonly FakeApiKey[];
  /** WordPress's `home` option, e.g. `http://127.0.0.1:8080` or `https://shop.example/sub`. */
  homeUrl: string;
  /** WordPress's `is_ssl()`: only then are Basic auth and `consumer_key` query params accepted. */
  isSsl: boolean;
  nowSec: () => number;
}

function keyFor(config: AuthConfig, consumerKey: string | undefined): FakeApiKey | undefined {
  if (consumerKey === undefined) return undefined;
  return config.keys.find((key) => key.consumerKey === consumerKey);
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `WC_REST_Authentication::perform_basic_authentication()`: header or query-string keys. */
function basicAuth(req: AuthRequest, config: AuthConfig): FakeApiKey | WpError | undefined {
  let consumerKey: string | undefined;
  let consumerSecret: string | undefined;
  const header = req.authorization;
  if (header?.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon >= 0) {
      consumerKey = decoded.slice(0, colon);
      consumerSecret = decoded.slice(colon + 1);
    }
  }
  if (consumerKey === undefined) {
    consumerKey = req.query.string("consumer_key");
    consumerSecret = req.query.string("consumer_secret");
  }
  if (!consumerKey || !consumerSecret) return undefined;
  const key = keyFor(config, consumerKey);
  if (key === undefined) {
    return new WpError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.");
  }
  if (!safeEqual(key.consumerSecret, consumerSecret)) {
    return new WpError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.");
  }
  return key;
}

/** `WC_REST_Authentication::parse_header()` for `Authorization: OAuth k="v", …`. */
function parseOAuthHeader(header: string): PhpArray {
  const params = new PhpArray();
  const body = header.replace(/^oauth\s+/i, "");
  for (const part of body.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, "");
    if (key.startsWith("oauth_")) params.set(key, decodeURIComponent(value));
  }
  return params;
}

/**
 * `join_with_equals_sign()` over `normalize_parameters()` output: nested arrays become
 * `key%5Bsub%5D=value`, each pair RFC 3986-encoded again. Array members keep their arrival order;
 * only the top level is sorted (`uksort(strcmp)`), exactly like WooCommerce.
 */
function joinWithEqualsSign(params: PhpArray, out: string[], parentKey: string): string[] {
  for (const [rawKey, value] of params.entries) {
    const key = parentKey ? `${parentKey}%5B${rawKey}%5D` : rawKey;
    if (value instanceof PhpArray) joinWithEqualsSign(value, out, key);
    else out.push(rfc3986Encode(`${key}=${value}`));
  }
  return out;
}

function encodeValues(value: PhpValueLike): PhpValueLike {
  if (typeof value === "string") return rfc3986Encode(value);
  const encoded = new PhpArray();
  for (const [k, v] of value.entries) encoded.set(k, encodeValues(v));
  return encoded;
}
type PhpValueLike = string | PhpArray;

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The base string a WooCommerce store signs against:
 * `METHOD&rawurlencode(home_url(path))&join('%26', pairs)`. Exported so tests can show why a
 * request signed for `localhost` fails on a store whose home is `127.0.0.1`.
 */
export function oauthBaseString(
  method: string,
  homeUrl: string,
  path: string,
  params: PhpArray,
): string {
  const home = new URL(homeUrl);
  const homePath = home.pathname.endsWith("/") ? home.pathname : `${home.pathname}/`;
  // `get_home_url(null, $request_path)` after stripping the WordPress base from REQUEST_URI.
  const relative = path.startsWith(homePath)
    ? path.slice(homePath.length)
    : path.replace(/^\//, "");
  const base = `${home.origin}${homePath}${relative}`;
  const sorted = new PhpArray();
  for (const [k, v] of [...params.entries].sort(([a], [b]) => byteCompare(a, b))) {
    sorted.set(rfc3986Encode(k), encodeValues(v));
  }
  const pairs = joinWithEqualsSign(sorted, [], "");
  return `${method.toUpperCase()}&${rfc3986Encode(base)}&${pairs.join("%26")}`;
}

const usedNonces = new WeakMap<AuthConfig, Map<string, number>>();

function oauthAuth(req: AuthRequest, config: AuthConfig): FakeApiKey | WpError | undefined {
  let params = req.query.merge(req.form);
  if (req.authorization?.toLowerCase().startsWith("oauth ")) {
    params = params.merge(parseOAuthHeader(req.authorization));
  }
  for (const name of REQUIRED_OAUTH_PARAMS) {
    if (!params.string(name)) return undefined;
  }
  const key = keyFor(config, params.string("oauth_consumer_key"));
  if (key === undefined) {
    return new WpError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.");
  }
  const method = params.string("oauth_signature_method") ?? "";
  const provided = (params.string("oauth_signature") ?? "").replace(/ /g, "+");
  const signed = new PhpArray();
  for (const [k, v] of params.entries) if (k !== "oauth_signature") signed.set(k, v);
  const baseString = oauthBaseString(req.method, config.homeUrl, req.path, signed);
  if (method !== "HMAC-SHA1" && method !== "HMAC-SHA256") {
    return new WpError(
      401,
      "woocommerce_rest_authentication_error",
      "Invalid signature - signature method is invalid.",
    );
  }
  const algorithm = method === "HMAC-SHA1" ? "sha1" : "sha256";
  const expected = createHmac(algorithm, `${key.consumerSecret}&`)
    .update(baseString)
    .digest("base64");
  if (!safeEqual(expected, provided)) {
    return new WpError(
      401,
      "woocommerce_rest_authentication_error",
      "Invalid signature - provided signature does not match.",
    );
  }
  const timestamp = Number(params.string("oauth_timestamp"));
  const now = config.nowSec();
  if (
    !Number.isFinite(timestamp) ||
    timestamp < now - OAUTH_WINDOW_SEC ||
    timestamp > now + OAUTH_WINDOW_SEC
  ) {
    return new WpError(401, "woocommerce_rest_authentication_error", "Invalid timestamp.");
  }
  let nonces = usedNonces.get(config);
  if (nonces === undefined) {
    nonces = new Map();
    usedNonces.set(config, nonces);
  }
  for (const [nonce, at] of nonces) if (at < now - OAUTH_WINDOW_SEC) nonces.delete(nonce);
  const nonceKey = `${key.consumerKey}:${params.string("oauth_nonce")}`;
  if (nonces.has(nonceKey)) {
    return new WpError(
      401,
      "woocommerce_rest_authentication_error",
      "Invalid nonce - nonce has already been used.",
    );
  }
  nonces.set(nonceKey, timestamp);
  return key;
}

/**
 * `WC_REST_Authentication::authenticate()`: Basic/query keys only when `is_ssl()`, then OAuth
 * 1.0a. Returns the key, an authentication error, or undefined for an anonymous request (which
 * the route's permission check then answers with `woocommerce_rest_cannot_*`).
 */
export function authenticate(
  req: AuthRequest,
  config: AuthConfig,
): FakeApiKey | WpError | undefined {
  if (config.isSsl) {
    const basic = basicAuth(req, config);
    if (basic !== undefined) return basic;
  }
  return oauthAuth(req, config);
}

/** `check_user_permissions()`: a read key cannot write and a write key cannot read. */
export function checkKeyPermissions(key: FakeApiKey, method: string): WpError | undefined {
  const isRead = method === "GET" || method === "HEAD" || method === "OPTIONS";
  if (isRead && key.permissions === "write") {
    return new WpError(
      401,
      "woocommerce_rest_authentication_error",
      "The API key provided does not have read permissions.",
    );
  }
  if (!isRead && key.permissions === "read") {
    return new WpError(
      401,
      "woocommerce_rest_authentication_error",
      "The API key provided does not have write permissions.",
    );
  }
  return undefined;
}
