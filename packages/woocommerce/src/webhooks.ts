import { createHmac, timingSafeEqual } from "node:crypto";

/** Why a webhook was refused. Stable strings for logs and metrics. */
export type WooWebhookFailureReason =
  | "missing-signature"
  | "duplicate-signature"
  | "malformed-signature"
  | "signature-mismatch";

/** Input of {@link verifyWooWebhook}. */
export interface VerifyWooWebhookInput {
  /** The request body exactly as received: a string or the bytes (`Buffer`, `Uint8Array`). */
  rawBody: string | Uint8Array;
  /** The `X-WC-Webhook-Signature` header value (an array when the header was repeated). */
  signature: string | readonly string[] | null | undefined;
  /** The webhook secret, or several during a rotation (`WOOCOMMERCE_WEBHOOK_SECRET`). */
  secrets: string | readonly string[];
}

/** `{ ok: true }`, or why the delivery must be answered 401. */
export type WooWebhookVerification =
  | { ok: true }
  | { ok: false; reason: WooWebhookFailureReason; message: string };

// base64 of a 32-byte SHA-256 digest: 43 characters and one `=`.
const SHA256_BASE64_RE = /^[A-Za-z0-9+/]{43}=$/;

function assertRawBody(rawBody: unknown, caller: string): asserts rawBody is string | Uint8Array {
  if (typeof rawBody === "string" || rawBody instanceof Uint8Array) return;
  const received = rawBody === null ? "null" : Array.isArray(rawBody) ? "an array" : typeof rawBody;
  throw new TypeError(
    `${caller} needs the raw request body as a string or Uint8Array, exactly as received; received ${received}. ` +
      "WooCommerce signs the bytes PHP produced (escaped slashes, \\uXXXX escapes), which JSON.stringify() of the parsed body does not reproduce. " +
      'Read the body unparsed (Express: express.raw({ type: "*/*" }); Fastify: a raw-body content-type parser).',
  );
}

function secretList(secrets: unknown): string[] {
  const list = typeof secrets === "string" ? [secrets] : Array.isArray(secrets) ? secrets : [];
  const valid = list.filter((s): s is string => typeof s === "string" && s.length > 0);
  if (valid.length === 0) {
    throw new TypeError(
      "verifyWooWebhook() needs at least one non-empty secret: the Secret of the WooCommerce webhook (WOOCOMMERCE_WEBHOOK_SECRET).",
    );
  }
  return valid;
}

function toBytes(body: string | Uint8Array): Buffer {
  return typeof body === "string"
    ? Buffer.from(body, "utf8")
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * Verifies `X-WC-Webhook-Signature`: base64 HMAC-SHA256 of the raw body bytes keyed by the
 * webhook secret (`WC_Webhook::generate_signature`). Constant-time comparison; any of `secrets`
 * may match, so a secret can be rotated without dropping deliveries. Throws `TypeError` for a
 * parsed body or no secret (programming errors); returns `{ ok: false, reason }` for bad input
 * from the network.
 *
 * The creation ping (`webhook_id=N`) carries no signature; detect it with
 * {@link parseWooWebhook} first and answer it 200 without verifying.
 */
export function verifyWooWebhook(input: VerifyWooWebhookInput): WooWebhookVerification {
  assertRawBody(input?.rawBody, "verifyWooWebhook()");
  const secrets = secretList(input.secrets);
  const header = input.signature;
  if (Array.isArray(header) && header.length > 1) {
    return {
      ok: false,
      reason: "duplicate-signature",
      message: "X-WC-Webhook-Signature appears more than once; WooCommerce sends it once.",
    };
  }
  const signature = (Array.isArray(header) ? header[0] : header) as string | null | undefined;
  if (typeof signature !== "string" || signature.trim() === "") {
    return {
      ok: false,
      reason: "missing-signature",
      message:
        "X-WC-Webhook-Signature is missing; every WooCommerce delivery but the creation ping is signed.",
    };
  }
  const text = signature.trim();
  if (!SHA256_BASE64_RE.test(text)) {
    return {
      ok: false,
      reason: "malformed-signature",
      message: `X-WC-Webhook-Signature must be the base64 of a SHA-256 HMAC (44 characters); received ${text.length} characters.`,
    };
  }
  const provided = Buffer.from(text, "base64");
  const body = toBytes(input.rawBody);
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(body).digest();
    // Compare against every secret (no early exit) so timing says nothing about which matched.
    if (expected.length === provided.length && timingSafeEqual(expected, provided)) matched = true;
  }
  return matched
    ? { ok: true }
    : {
        ok: false,
        reason: "signature-mismatch",
        message:
          "X-WC-Webhook-Signature does not match the body for any configured secret. Check WOOCOMMERCE_WEBHOOK_SECRET and that the body is verified unparsed.",
      };
}

/**
 * Signs a body as WooCommerce does, for tests and fixtures: base64 HMAC-SHA256 of the bytes.
 * Sign the exact string you send.
 */
export function signWooWebhookForTest(rawBody: string | Uint8Array, secret: string): string {
  assertRawBody(rawBody, "signWooWebhookForTest()");
  return createHmac("sha256", secret).update(toBytes(rawBody)).digest("base64");
}

/** The unsigned ping WooCommerce posts when a webhook is created or saved. Answer it 200. */
export interface WooWebhookPing {
  kind: "ping";
  webhookId: number;
}

/** A signed webhook delivery. */
export interface WooWebhookEvent {
  kind: "event";
  /** `product.updated`, `order.created`, `action.woocommerce_payment_complete`, … */
  topic: string;
  /** `product`, `order`, `coupon`, `customer`, `action`. */
  resource: string;
  /** `created`, `updated`, `deleted`, `restored`, or the action hook name. */
  event: string;
  webhookId: number | undefined;
  /** `wp_hash(id . time)`: not stable across retries of the same change; do not dedupe on it. */
  deliveryId: string | undefined;
  /** `X-WC-Webhook-Source`: the store's home URL with a trailing slash. */
  source: string | undefined;
  /** The resource id (`arg` for `action.*` topics); undefined when the body has none. */
  resourceId: number | undefined;
  /**
   * For a product event about a variation (`type: "variation"`), the parent to re-read: variations
   * fire product topics too.
   */
  parentId: number | undefined;
  /** The parsed body: the resource as `GET /wc/v3/{resource}s/{id}` returns it, or `{id}` for deletions. */
  payload: unknown;
}

/** Why {@link parseWooWebhook} could not make sense of a request. */
export type WooWebhookParseFailure = "not-a-webhook" | "invalid-json" | "invalid-topic";

/** What {@link parseWooWebhook} returns: the ping or an event, or why the request is not a webhook. */
export type ParsedWooWebhook =
  | { ok: true; webhook: WooWebhookPing | WooWebhookEvent }
  | { ok: false; reason: WooWebhookParseFailure; message: string };

/** Request headers as Node (`IncomingHttpHeaders`) or fetch (`Headers`) gives them. */
export type WebhookHeaders =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>;

function headerGetter(headers: WebhookHeaders): (name: string) => string | undefined {
  if (typeof (headers as Headers).get === "function") {
    return (name) => (headers as Headers).get(name) ?? undefined;
  }
  const lower = new Map<string, string>();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (value === undefined) continue;
    lower.set(key.toLowerCase(), Array.isArray(value) ? String(value[0]) : String(value));
  }
  return (name) => lower.get(name.toLowerCase());
}

const PING_RE = /^webhook_id=(\d+)$/;
const TOPIC_RE = /^[a-z_]+\.[a-z0-9_]+$/;

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Reads a WooCommerce webhook request: the creation ping (`webhook_id=N`, no `X-WC-*` headers),
 * or a delivery with its topic, ids and parsed payload. Parsing does not verify: call
 * {@link verifyWooWebhook} on the same raw body for deliveries.
 */
export function parseWooWebhook(
  headers: WebhookHeaders,
  rawBody: string | Uint8Array,
): ParsedWooWebhook {
  assertRawBody(rawBody, "parseWooWebhook()");
  const header = headerGetter(headers);
  const text = typeof rawBody === "string" ? rawBody : toBytes(rawBody).toString("utf8");
  const topic = header("x-wc-webhook-topic")?.trim();
  if (!topic) {
    const ping = PING_RE.exec(text.trim());
    if (ping) return { ok: true, webhook: { kind: "ping", webhookId: Number(ping[1]) } };
    return {
      ok: false,
      reason: "not-a-webhook",
      message: "The request has no X-WC-Webhook-Topic header and is not a webhook_id=N ping.",
    };
  }
  if (!TOPIC_RE.test(topic)) {
    return {
      ok: false,
      reason: "invalid-topic",
      message: `X-WC-Webhook-Topic must look like "product.updated"; received ${JSON.stringify(topic.slice(0, 60))}.`,
    };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return { ok: false, reason: "invalid-json", message: "The webhook body is not valid JSON." };
  }
  const [resource = "", event = ""] = topic.split(".");
  const body = payload && typeof payload === "object" ? (payload as Record<string, unknown>) : {};
  const resourceId = resource === "action" ? positiveInt(body.arg) : positiveInt(body.id);
  const parentId =
    resource === "product" && body.type === "variation" ? positiveInt(body.parent_id) : undefined;
  return {
    ok: true,
    webhook: {
      kind: "event",
      topic,
      resource: header("x-wc-webhook-resource") ?? resource,
      event: header("x-wc-webhook-event") ?? event,
      webhookId: positiveInt(header("x-wc-webhook-id")),
      deliveryId: header("x-wc-webhook-delivery-id"),
      source: header("x-wc-webhook-source"),
      resourceId,
      parentId,
      payload,
    },
  };
}
