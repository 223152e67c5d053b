import { createHmac, timingSafeEqual } from "node:crypto";

/** Header bag as Node (`IncomingHttpHeaders`) or Fetch (`Headers`) gives it. */
export type HeaderBag = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Why a signed request was refused. */
export type SignatureFailure =
  | "raw_body_required"
  | "missing_headers"
  | "duplicate_headers"
  | "malformed_signature"
  | "invalid_signature"
  | "invalid_shop"
  | "stale_timestamp"
  | "missing_secret";

/** A verified webhook delivery. */
export interface VerifiedWebhook {
  ok: true;
  /** Lower-case `resource/event` as in the header (`products/update`). */
  topic: string;
  /** `<name>.myshopify.com`. */
  shop: string;
  /** `X-Shopify-Webhook-Id`: stable across Shopify's retries of one delivery; the dedupe key. */
  webhookId: string;
  apiVersion: string;
  triggeredAt?: string;
  eventId?: string;
}

/** Result of {@link verifyShopifyWebhook}. */
export type WebhookVerification =
  | VerifiedWebhook
  | { ok: false; reason: SignatureFailure; missing?: string[] };

const REQUIRED_WEBHOOK_HEADERS = [
  "x-shopify-hmac-sha256",
  "x-shopify-topic",
  "x-shopify-shop-domain",
  "x-shopify-api-version",
  "x-shopify-webhook-id",
] as const;

/** A SHA-256 digest in canonical padded base64 is exactly 44 characters. */
const BASE64_DIGEST_PATTERN = /^[A-Za-z0-9+/]{43}=$/;
const HEX_DIGEST_PATTERN = /^[0-9a-f]{64}$/;
const SHOP_DOMAIN_PATTERN = /^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/;
/** Shopify's app proxy accepts signatures whose timestamp is within ±90 s. */
export const APP_PROXY_TOLERANCE_SEC = 90;

function readHeader(headers: HeaderBag, name: string): string | readonly string[] | undefined {
  if (typeof (headers as Headers).get === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const bag = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  if (name in bag) return bag[name];
  for (const key of Object.keys(bag)) {
    if (key.toLowerCase() === name) return bag[key];
  }
  return undefined;
}

function toSecrets(secrets: string | readonly string[]): string[] {
  return (typeof secrets === "string" ? [secrets] : [...secrets]).filter((s) => s.length > 0);
}

function matchesAny(
  expected: Buffer,
  message: string | Uint8Array,
  secrets: readonly string[],
  encoding: "base64" | "hex",
): boolean {
  let matched = false;
  for (const secret of secrets) {
    const digest = Buffer.from(
      createHmac("sha256", secret).update(message).digest(encoding),
      encoding,
    );
    // Lengths are equal by construction (both 32 bytes); keep checking every secret so timing
    // does not reveal which one matched.
    if (digest.length === expected.length && timingSafeEqual(digest, expected)) matched = true;
  }
  return matched;
}

/**
 * Verifies a Shopify webhook: HMAC-SHA256 of the **raw** body (exactly the bytes received, never
 * re-serialized JSON) with the app's client secret, base64 in `X-Shopify-Hmac-Sha256`, compared in
 * constant time. Several secrets may be given during a rotation. All five delivery headers are
 * required; a repeated signature header is refused.
 */
export function verifyShopifyWebhook(input: {
  rawBody: string | Uint8Array;
  headers: HeaderBag;
  secrets: string | readonly string[];
}): WebhookVerification {
  const { rawBody, headers } = input;
  if (typeof rawBody !== "string" && !(rawBody instanceof Uint8Array)) {
    return { ok: false, reason: "raw_body_required" };
  }
  const secrets = toSecrets(input.secrets);
  if (secrets.length === 0) return { ok: false, reason: "missing_secret" };
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of REQUIRED_WEBHOOK_HEADERS) {
    const value = readHeader(headers, name);
    if (Array.isArray(value)) return { ok: false, reason: "duplicate_headers" };
    if (typeof value !== "string" || value.length === 0) missing.push(name);
    else values[name] = value;
  }
  if (missing.length > 0) return { ok: false, reason: "missing_headers", missing };
  const signature = values["x-shopify-hmac-sha256"] as string;
  // Fetch's Headers joins repeated headers with ", ", which the strict pattern refuses too.
  if (!BASE64_DIGEST_PATTERN.test(signature)) return { ok: false, reason: "malformed_signature" };
  if (!matchesAny(Buffer.from(signature, "base64"), rawBody, secrets, "base64")) {
    return { ok: false, reason: "invalid_signature" };
  }
  const shop = (values["x-shopify-shop-domain"] as string).toLowerCase();
  if (!SHOP_DOMAIN_PATTERN.test(shop)) return { ok: false, reason: "invalid_shop" };
  const triggeredAt = readHeader(headers, "x-shopify-triggered-at");
  const eventId = readHeader(headers, "x-shopify-event-id");
  return {
    ok: true,
    topic: (values["x-shopify-topic"] as string).toLowerCase(),
    shop,
    webhookId: values["x-shopify-webhook-id"] as string,
    apiVersion: values["x-shopify-api-version"] as string,
    ...(typeof triggeredAt === "string" ? { triggeredAt } : {}),
    ...(typeof eventId === "string" ? { eventId } : {}),
  };
}

/** A verified app proxy request. */
export interface VerifiedAppProxy {
  ok: true;
  shop: string;
  /** Empty when the shopper is not logged in. */
  loggedInCustomerId: string;
  pathPrefix: string;
  timestampSec: number;
}

/** Result of {@link verifyAppProxyQuery}. */
export type AppProxyVerification = VerifiedAppProxy | { ok: false; reason: SignatureFailure };

const SINGLE_VALUE_PARAMS = new Set(["signature", "timestamp", "shop", "hmac"]);

/**
 * The order of the signed parameters: `String#localeCompare`, exactly as `@shopify/shopify-api`'s
 * `utils.validateHmac(query, { signator: "appProxy" })` sorts them, so this check and Shopify's
 * library accept the same queries (a code-point sort disagreed on mixed-case and `_`/`-` keys).
 * For the parameters Shopify adds itself the orders coincide. This function is kept, rather than
 * the library called, for what the library lacks: several secrets during a rotation, an
 * injectable clock, a synchronous typed `{ ok, reason }` result and the shop-domain check;
 * `signatures.test.ts` holds both to the same answers.
 */
function compareAppProxyKeys(a: string, b: string): number {
  return a.localeCompare(b);
}

/**
 * Verifies an app proxy request (`/apps/<subpath>/…` forwarded by Shopify): the `signature` query
 * parameter is the hex HMAC-SHA256 of the other parameters sorted by name, each `name=value`
 * (repeated values joined with `,`), concatenated without separator. The timestamp must be within
 * `toleranceSec` (default 90 s) of `nowSec`.
 */
export function verifyAppProxyQuery(input: {
  query: URLSearchParams | string;
  secrets: string | readonly string[];
  nowSec: number;
  toleranceSec?: number;
}): AppProxyVerification {
  const params = typeof input.query === "string" ? new URLSearchParams(input.query) : input.query;
  const secrets = toSecrets(input.secrets);
  if (secrets.length === 0) return { ok: false, reason: "missing_secret" };
  const grouped = new Map<string, string[]>();
  for (const [name, value] of params) {
    const list = grouped.get(name) ?? [];
    list.push(value);
    grouped.set(name, list);
  }
  for (const name of SINGLE_VALUE_PARAMS) {
    if ((grouped.get(name)?.length ?? 0) > 1) return { ok: false, reason: "duplicate_headers" };
  }
  const signature = grouped.get("signature")?.[0];
  const timestamp = grouped.get("timestamp")?.[0];
  const shop = grouped.get("shop")?.[0]?.toLowerCase();
  if (!signature || !timestamp || !shop) return { ok: false, reason: "missing_headers" };
  if (!HEX_DIGEST_PATTERN.test(signature)) return { ok: false, reason: "malformed_signature" };
  const message = [...grouped.entries()]
    .filter(([name]) => name !== "signature")
    .sort(([a], [b]) => compareAppProxyKeys(a, b))
    .map(([name, list]) => `${name}=${list.join(",")}`)
    .join("");
  if (!matchesAny(Buffer.from(signature, "hex"), message, secrets, "hex")) {
    return { ok: false, reason: "invalid_signature" };
  }
  const timestampSec = Number(timestamp);
  if (
    !/^[0-9]{1,12}$/.test(timestamp) ||
    Math.abs(input.nowSec - timestampSec) > (input.toleranceSec ?? APP_PROXY_TOLERANCE_SEC)
  ) {
    return { ok: false, reason: "stale_timestamp" };
  }
  if (!SHOP_DOMAIN_PATTERN.test(shop)) return { ok: false, reason: "invalid_shop" };
  return {
    ok: true,
    shop,
    loggedInCustomerId: grouped.get("logged_in_customer_id")?.[0] ?? "",
    pathPrefix: grouped.get("path_prefix")?.[0] ?? "",
    timestampSec,
  };
}
