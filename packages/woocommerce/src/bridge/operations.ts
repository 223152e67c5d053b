import type { NeuroonClient, ShopInfo, SyncSummary } from "@neuroon/core";
import { DEFAULT_PAID_STATUSES } from "../conversions.js";
import { toWooGmt, type WooStoreReader } from "../reader.js";
import {
  BRIDGE_WEBHOOK_TOPICS,
  BridgeConfigError,
  type ConfigPurpose,
  configWarnings,
  DEFAULT_POLL_OVERLAP_MS,
  deliveryUrlOf,
  findConfigIssues,
  type WooBridgeConfig,
} from "./config.js";
import { LAST_RECONCILE_META_KEY } from "./health.js";
import type { BridgeLogger } from "./logger.js";
import {
  checkTaxSettings,
  POLL_ORDERS_META_KEY,
  POLL_PRODUCTS_META_KEY,
  type PollResult,
  pollStoreChanges,
  type TaxSettingsCheck,
} from "./poller.js";
import type { BridgeResources } from "./resources.js";
import { ensureWebhooks, type WebhookAction } from "./webhook-manager.js";

/** What the bridge's operations work with; everything is opened or created on first use. */
export interface BridgeContext {
  config: WooBridgeConfig;
  logger: BridgeLogger;
  now: () => number;
  reader(): WooStoreReader;
  client(): NeuroonClient;
  open(): BridgeResources;
}

/** What `setup()` checked and did. */
export interface SetupResult {
  store: { url: string; products: number };
  neuroon: Pick<ShopInfo, "shopId"> & Partial<ShopInfo>;
  deliveryUrl: string;
  webhooks: WebhookAction[];
  warnings: string[];
}

type Call = { signal?: AbortSignal };

const signalOf = (call: Call) => (call.signal ? { signal: call.signal } : {});

/** Throws {@link BridgeConfigError} listing what `purpose` needs and the configuration lacks. */
export function requireConfig(config: WooBridgeConfig, purpose: ConfigPurpose): void {
  const issues = findConfigIssues(config, purpose);
  if (issues.length > 0) throw new BridgeConfigError(issues);
}

/** Creates or repairs the store's webhooks, remembering the secrets given to them. */
async function ensureBridgeWebhooks(ctx: BridgeContext, call: Call): Promise<WebhookAction[]> {
  const { store } = ctx.open();
  return await ensureWebhooks(ctx.reader(), {
    deliveryUrl: deliveryUrlOf(ctx.config),
    secret: ctx.config.woocommerce.webhookSecrets?.[0] as string,
    topics: BRIDGE_WEBHOOK_TOPICS,
    secrets: {
      has: (webhookId, secret) => store.hasWebhookSecret(webhookId, secret),
      remember: (webhookId, secret) => store.rememberWebhookSecret(webhookId, secret),
    },
    ...signalOf(call),
  });
}

/** Verifies both credentials (the key must be the configured shop's) and sets up the webhooks. */
export async function setupBridge(ctx: BridgeContext, call: Call = {}): Promise<SetupResult> {
  const { config, logger } = ctx;
  requireConfig(config, "setup");
  const page = await ctx.reader().listProducts({ perPage: 1, fields: ["id"] }, signalOf(call));
  const shop = await ctx.client().shop.me(signalOf(call));
  if (shop.shopId !== config.neuroon.shopId) {
    throw new BridgeConfigError([
      {
        variable: "NEUROON_API_KEY",
        problem: `belongs to shop ${shop.shopId}, not to NEUROON_SHOP_ID ${config.neuroon.shopId}.`,
        fix: "Use the Shop API Key of the configured shop, or set NEUROON_SHOP_ID to the key's shop.",
      },
    ]);
  }
  const webhooks = await ensureBridgeWebhooks(ctx, call);
  for (const action of webhooks) {
    if (action.action !== "unchanged") logger.info("webhook", { ...action });
  }
  return {
    store: { url: config.woocommerce.url, products: page.total },
    neuroon: shop,
    deliveryUrl: deliveryUrlOf(config),
    webhooks,
    warnings: configWarnings(config),
  };
}

/** The scheduled webhook check: re-creates or re-activates the bridge's webhooks. */
export async function checkBridgeWebhooks(
  ctx: BridgeContext,
  call: Call = {},
): Promise<WebhookAction[]> {
  requireConfig(ctx.config, "setup");
  const actions = await ensureBridgeWebhooks(ctx, call);
  for (const action of actions) {
    if (action.action !== "unchanged") ctx.logger.warn("webhook repaired", { ...action });
  }
  return actions;
}

/** Reads the tax settings again; when they changed, queues every product for re-pricing. */
export async function checkBridgeTaxSettings(
  ctx: BridgeContext,
  call: Call = {},
): Promise<TaxSettingsCheck> {
  const { queue, state } = ctx.open();
  const result = await checkTaxSettings({ reader: ctx.reader(), queue, state, ...signalOf(call) });
  if (result.changed) {
    ctx.logger.warn("tax settings changed: every product is re-priced", {
      products: result.products,
    });
  }
  return result;
}

/** A full pass over the catalog (only changed products are sent); sets the poll marks. */
export async function syncBridgeCatalog(ctx: BridgeContext, call: Call = {}): Promise<SyncSummary> {
  requireConfig(ctx.config, "sync");
  const { engine, state, queue } = ctx.open();
  // Marks before the pass: edits made while it streams are picked up by the next poll.
  const mark = toWooGmt(new Date(ctx.now()));
  // Fresh tax settings for this pass (not the reader's cached ones), remembered for the check.
  await checkTaxSettings({
    reader: ctx.reader(),
    queue,
    state,
    recordOnly: true,
    ...signalOf(call),
  });
  const summary = await engine.fullSync(signalOf(call));
  await state.setMeta(POLL_PRODUCTS_META_KEY, mark);
  if ((await state.getMeta(POLL_ORDERS_META_KEY)) === undefined) {
    await state.setMeta(POLL_ORDERS_META_KEY, mark);
  }
  return summary;
}

/** Deletes from Neuroon what the store no longer has, behind the engine's safety valve. */
export async function reconcileBridge(
  ctx: BridgeContext,
  call: Call & { force?: boolean } = {},
): Promise<SyncSummary> {
  requireConfig(ctx.config, "reconcile");
  const { engine, state } = ctx.open();
  const summary = await engine.reconcile({
    ...(call.force ? { force: true } : {}),
    ...signalOf(call),
  });
  await state.setMeta(LAST_RECONCILE_META_KEY, new Date(ctx.now()).toISOString());
  return summary;
}

/** One incremental poll (`modified_after`) of products and orders into the queue. */
export async function pollBridge(ctx: BridgeContext, call: Call = {}): Promise<PollResult> {
  const { queue, state, store } = ctx.open();
  const { config } = ctx;
  return await pollStoreChanges({
    reader: ctx.reader(),
    queue,
    state,
    store,
    overlapMs: config.schedule?.pollOverlapMs ?? DEFAULT_POLL_OVERLAP_MS,
    paidStatuses: config.conversions?.paidStatuses ?? DEFAULT_PAID_STATUSES,
    now: ctx.now,
    ...signalOf(call),
  });
}
