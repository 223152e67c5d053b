import { backoffDelayMs, sleep as coreSleep, StoreError } from "@neuroon/core";
import type { AdminGraphql } from "./admin-graphql.js";
import type { ShopifyProductNode, ShopifyVariantNode } from "./admin-types.js";
import { BulkOperationError } from "./errors.js";
import { BULK_OPERATION_QUERY, BULK_RUN_MUTATION } from "./queries.js";

/** Bridges the `bulk_operations/finish` webhook to whoever waits for that operation. */
export interface BulkOperationWaiter {
  /** Called when `bulk_operations/finish` arrives (with `admin_graphql_api_id`). */
  notify(shop: string, operationId: string): void;
  /** Resolves `true` when notified about `operationId`, `false` after `timeoutMs`. */
  waitFor(
    shop: string,
    operationId: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<boolean>;
}

/** An in-process waiter: the webhook route and the import worker share one instance. */
export function createBulkOperationWaiter(): BulkOperationWaiter {
  const waiting = new Map<string, Set<(notified: boolean) => void>>();
  const finished = new Set<string>();
  const keyOf = (shop: string, id: string): string => `${shop} ${id}`;
  return {
    notify(shop, operationId) {
      const key = keyOf(shop, operationId);
      const listeners = waiting.get(key);
      if (!listeners) {
        // The webhook can beat the caller to the wait; remember a bounded number of early finishes.
        finished.add(key);
        if (finished.size > 1000) finished.delete(finished.values().next().value as string);
        return;
      }
      waiting.delete(key);
      for (const listener of listeners) listener(true);
    },
    waitFor(shop, operationId, timeoutMs, signal) {
      const key = keyOf(shop, operationId);
      if (finished.delete(key)) return Promise.resolve(true);
      return new Promise((resolve, reject) => {
        const listeners = waiting.get(key) ?? new Set();
        waiting.set(key, listeners);
        const done = (notified: boolean): void => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          listeners.delete(done);
          if (listeners.size === 0 && waiting.get(key) === listeners) waiting.delete(key);
          resolve(notified);
        };
        const onAbort = (): void => {
          done(false);
          reject(signal?.reason);
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        listeners.add(done);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}

/** A finished bulk operation. */
export interface BulkResult {
  id: string;
  /** JSONL location; `null` when the query matched nothing. Valid for 7 days. */
  url: string | null;
  objectCount: number;
}

/** Options of {@link runBulkQuery}. */
export interface RunBulkQueryOptions {
  signal?: AbortSignal | undefined;
  /** When given, the wait ends as soon as `bulk_operations/finish` arrives; polling remains the fallback. */
  waiter?: BulkOperationWaiter | undefined;
  /** Poll interval without a waiter (default 2 s) and safety re-poll with one (default 60 s). */
  pollIntervalMs?: number;
  /** Give up after this long. Default 6 h. */
  maxWaitMs?: number;
  /** Attempts to start while the shop's bulk slots are busy (`OPERATION_IN_PROGRESS`, `LIMIT_REACHED`). */
  maxStartAttempts?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

interface BulkOperationNode {
  id: string;
  status: string;
  errorCode?: string | null;
  objectCount?: string | number | null;
  url?: string | null;
}

/**
 * Runs a bulk query to completion: starts it (`groupObjects: false`), waits through the
 * `bulk_operations/finish` webhook when a waiter is given, polling `node(id:)` otherwise or as a
 * safety net, and returns the result URL. Throws {@link BulkOperationError} on FAILED, CANCELED or
 * EXPIRED.
 */
export async function runBulkQuery(
  admin: AdminGraphql,
  query: string,
  options: RunBulkQueryOptions = {},
): Promise<BulkResult> {
  const { signal, waiter } = options;
  const sleep = options.sleep ?? coreSleep;
  const now = options.now ?? Date.now;
  const pollIntervalMs = options.pollIntervalMs ?? (waiter ? 60_000 : 2_000);
  const maxStartAttempts = options.maxStartAttempts ?? 10;
  const deadline = now() + (options.maxWaitMs ?? 6 * 3_600_000);

  let operation: { id: string; status: string } | undefined;
  for (let attempt = 0; !operation; attempt += 1) {
    const started = await admin.request<{
      bulkOperationRunQuery: {
        bulkOperation: { id: string; status: string } | null;
        userErrors: { field?: string[] | null; message: string; code?: string | null }[];
      };
    }>(BULK_RUN_MUTATION, { query }, { signal });
    const { bulkOperation, userErrors } = started.bulkOperationRunQuery;
    if (bulkOperation) {
      operation = bulkOperation;
      break;
    }
    const busy = userErrors.some(
      (e) => e.code === "OPERATION_IN_PROGRESS" || e.code === "LIMIT_REACHED",
    );
    if (!busy || attempt + 1 >= maxStartAttempts) {
      throw new BulkOperationError(
        `Shopify refused the bulk query on ${admin.shop}: ${userErrors.map((e) => e.message).join("; ")}`,
        {
          errorCode: userErrors[0]?.code ?? undefined,
          kind: "invalid-request",
        },
      );
    }
    await sleep(backoffDelayMs(attempt + 3), signal);
  }

  for (;;) {
    const { node } = await admin.request<{ node: BulkOperationNode | null }>(
      BULK_OPERATION_QUERY,
      { id: operation.id },
      { signal },
    );
    if (!node)
      throw new BulkOperationError(`Bulk operation ${operation.id} vanished on ${admin.shop}`);
    if (node.status === "COMPLETED") {
      return { id: node.id, url: node.url ?? null, objectCount: Number(node.objectCount ?? 0) };
    }
    if (node.status === "FAILED" || node.status === "CANCELED" || node.status === "EXPIRED") {
      throw new BulkOperationError(
        `Bulk operation ${node.id} on ${admin.shop} ended ${node.status}${node.errorCode ? ` (${node.errorCode})` : ""}`,
        {
          operationStatus: node.status,
          errorCode: node.errorCode ?? undefined,
        },
      );
    }
    if (now() > deadline)
      throw new BulkOperationError(
        `Bulk operation ${node.id} on ${admin.shop} did not finish in time`,
        { operationStatus: node.status, kind: "timeout" },
      );
    if (waiter) await waiter.waitFor(admin.shop, operation.id, pollIntervalMs, signal);
    else await sleep(pollIntervalMs, signal);
  }
}

/**
 * Streams a JSONL result line by line (memory bounded by the longest line), parsing each line.
 */
export async function* readJsonl(
  url: string,
  options: { fetch?: typeof fetch; signal?: AbortSignal | undefined } = {},
): AsyncGenerator<Record<string, unknown>> {
  const doFetch = options.fetch ?? fetch;
  const response = await doFetch(url, options.signal ? { signal: options.signal } : {});
  if (!response.ok || !response.body) {
    throw new BulkOperationError(
      `Downloading the bulk result failed with HTTP ${response.status}`,
      { status: response.status, kind: StoreError.kindForStatus(response.status) },
    );
  }
  let buffered = "";
  let lineNumber = 0;
  const parse = (line: string): Record<string, unknown> | undefined => {
    lineNumber += 1;
    if (!line.trim()) return undefined;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      throw new BulkOperationError(
        `Bulk result line ${lineNumber} is not JSON: ${(error as Error).message}`,
        { kind: "invalid-response" },
      );
    }
  };
  for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const parsed = parse(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (parsed) yield parsed;
      newline = buffered.indexOf("\n");
    }
  }
  const last = parse(buffered);
  if (last) yield last;
}

/** A product with all its variants, reassembled from bulk lines. */
export interface AssembledProduct {
  product: ShopifyProductNode;
  variants: ShopifyVariantNode[];
}

/**
 * Reassembles products from bulk JSONL lines in any order (`groupObjects: false` gives no
 * guarantee that variants follow their product). A product is emitted as soon as it and all
 * `variantsCount.count` variants have been seen, so memory holds only the products still waiting
 * for lines, not the catalog. Whatever is incomplete at the end is emitted with the variants that
 * came (the catalog changed during the export); variants whose product never came are dropped.
 */
export async function* assembleBulkProducts(
  lines: AsyncIterable<Record<string, unknown>>,
): AsyncGenerator<AssembledProduct> {
  const pending = new Map<
    string,
    { product?: ShopifyProductNode; variants: ShopifyVariantNode[] }
  >();
  const entry = (id: string): { product?: ShopifyProductNode; variants: ShopifyVariantNode[] } => {
    let found = pending.get(id);
    if (!found) {
      found = { variants: [] };
      pending.set(id, found);
    }
    return found;
  };
  for await (const line of lines) {
    const id = typeof line.id === "string" ? line.id : undefined;
    const parentId = typeof line.__parentId === "string" ? line.__parentId : undefined;
    let key: string | undefined;
    if (parentId && id?.startsWith("gid://shopify/ProductVariant/")) {
      entry(parentId).variants.push(line as unknown as ShopifyVariantNode);
      key = parentId;
    } else if (!parentId && id?.startsWith("gid://shopify/Product/")) {
      entry(id).product = line as unknown as ShopifyProductNode;
      key = id;
    }
    if (!key) continue;
    const candidate = pending.get(key);
    const expected = candidate?.product?.variantsCount?.count;
    if (
      candidate?.product &&
      typeof expected === "number" &&
      candidate.variants.length >= expected
    ) {
      pending.delete(key);
      yield { product: candidate.product, variants: candidate.variants };
    }
  }
  for (const [key, rest] of pending) {
    pending.delete(key);
    if (rest.product) yield { product: rest.product, variants: rest.variants };
  }
}
