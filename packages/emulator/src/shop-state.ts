import { createHash } from "node:crypto";
import { Catalog } from "./catalog.js";
import { SortedViews } from "./listing.js";
import type { RecordedConversion, ShopSpec } from "./types.js";
import type { ProductDto } from "./validation.js";

/** Default `maxProducts` plan quota: large enough for a 1,000,000-product catalog. */
export const DEFAULT_MAX_PRODUCTS = 2_000_000;
/** Default `maxSearchesPerMonth` reported by `/shops/me` (no search is emulated). */
export const DEFAULT_MAX_SEARCHES_PER_MONTH = 100_000;

interface PendingWrite {
  readonly dto: ProductDto;
  readonly dueMs: number;
  readonly writeSeq: number;
  readonly chain: PendingChain;
}

interface PendingGroup {
  readonly dueMs: number;
  readonly entries: PendingWrite[];
}

/** The not-yet-indexed writes of one product; `dead` once deleted or wiped. */
interface PendingChain {
  latest: PendingWrite | null;
  appliedSeq: number;
  dead: boolean;
}

/**
 * Everything the emulator holds for one shop. With indexing latency, writes wait in `pending`
 * (the write model, used for new/updated counts, quotas and parent lookups) and reach `catalog`
 * (the read model behind GET and list) when due, in the order they were written.
 */
export class ShopState {
  shopId: string;
  apiKey: string;
  url: string;
  name: string;
  maxProducts: number;
  maxSearchesPerMonth: number;
  verified: boolean;
  verifiedDomain: string | null = null;
  verifiedAtMs: number | null = null;
  readonly verificationCode: string;
  readonly catalog = new Catalog();
  readonly sortedViews = new SortedViews();
  readonly conversions = new Map<string, RecordedConversion>();
  /** Products with writes not yet indexed. */
  private readonly pending = new Map<string, PendingChain>();
  private nextWriteSeq = 1;
  /** Pending writes grouped by due time (a sync batch shares one), groups in due order. */
  private queue: PendingGroup[] = [];
  private readonly groupsByDue = new Map<number, PendingGroup>();
  /** Pending ids that are not in the catalog yet (so they count towards the product total). */
  private pendingNew = 0;
  fullRun: { runId: string | null; lastAtMs: number } | null = null;
  /** Set on every change; cleared by the persistence writer. */
  dirty = false;

  constructor(spec: ShopSpec) {
    this.shopId = spec.shopId;
    this.apiKey = spec.apiKey;
    this.url = spec.url;
    this.name = spec.name ?? spec.shopId;
    this.maxProducts = spec.maxProducts ?? DEFAULT_MAX_PRODUCTS;
    this.maxSearchesPerMonth = spec.maxSearchesPerMonth ?? DEFAULT_MAX_SEARCHES_PER_MONTH;
    this.verified = spec.verified ?? false;
    if (this.verified) this.verifiedDomain = spec.url;
    // Stable per shop id, so a persisted or restarted emulator shows the same code.
    this.verificationCode = `vc_${createHash("sha256").update(spec.shopId).digest("hex").slice(0, 8)}`;
  }

  /** Products in the write model: visible plus not yet indexed. */
  get productsCount(): number {
    return this.catalog.size + this.pendingNew;
  }

  /** Whether a product exists in the write model (a parent synced earlier counts). */
  hasProduct(externalId: string): boolean {
    return this.pending.has(externalId) || this.catalog.has(externalId);
  }

  /** Writes a product now (`visibleAtMs` undefined) or queues it until `visibleAtMs`. */
  write(dto: ProductDto, nowMs: number, visibleAtMs?: number): void {
    this.dirty = true;
    const id = dto.externalId;
    if (visibleAtMs === undefined || visibleAtMs <= nowMs) {
      this.dropPending(id);
      this.catalog.upsert(dto, nowMs);
      return;
    }
    let chain = this.pending.get(id);
    if (chain === undefined) {
      chain = { latest: null, appliedSeq: 0, dead: false };
      this.pending.set(id, chain);
      if (!this.catalog.has(id)) this.pendingNew += 1;
    }
    const entry: PendingWrite = { dto, dueMs: visibleAtMs, writeSeq: this.nextWriteSeq++, chain };
    chain.latest = entry;
    let group = this.groupsByDue.get(visibleAtMs);
    if (group === undefined) {
      group = { dueMs: visibleAtMs, entries: [] };
      this.groupsByDue.set(visibleAtMs, group);
      let lo = 0;
      let hi = this.queue.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.queue[mid] as PendingGroup).dueMs <= visibleAtMs) lo = mid + 1;
        else hi = mid;
      }
      this.queue.splice(lo, 0, group);
    }
    group.entries.push(entry);
  }

  /**
   * Applies due writes to the catalog in due order. A write never overwrites a newer one that was
   * already indexed (a later sync with a shorter latency wins), and writes of a product deleted
   * meanwhile are discarded.
   */
  flush(nowMs: number): void {
    if (this.queue.length === 0) return;
    let applied = 0;
    for (const group of this.queue) {
      if (group.dueMs > nowMs) break;
      applied += 1;
      this.groupsByDue.delete(group.dueMs);
      for (const entry of group.entries) {
        const chain = entry.chain;
        if (chain.dead || entry.writeSeq <= chain.appliedSeq) continue;
        const id = entry.dto.externalId;
        if (!this.catalog.has(id)) this.pendingNew -= 1;
        this.catalog.upsert(entry.dto, entry.dueMs);
        chain.appliedSeq = entry.writeSeq;
        if (chain.latest === entry) {
          chain.dead = true;
          this.pending.delete(id);
        }
      }
    }
    this.queue = applied === this.queue.length ? [] : this.queue.slice(applied);
  }

  private dropPending(externalId: string): void {
    const chain = this.pending.get(externalId);
    if (chain === undefined) return;
    chain.dead = true;
    this.pending.delete(externalId);
    if (!this.catalog.has(externalId)) this.pendingNew -= 1;
  }

  /** Deletes a product from both models; returns whether it existed. */
  deleteProduct(externalId: string): boolean {
    const wasPending = this.pending.has(externalId);
    this.dropPending(externalId);
    const wasVisible = this.catalog.delete(externalId);
    if (wasPending || wasVisible) this.dirty = true;
    return wasPending || wasVisible;
  }

  /** Empties the catalog (a FULL wipe or a reset). */
  wipeProducts(): void {
    this.catalog.clear();
    for (const chain of this.pending.values()) chain.dead = true;
    this.pending.clear();
    this.queue = [];
    this.groupsByDue.clear();
    this.pendingNew = 0;
    this.dirty = true;
  }

  /** The latest pending write per product, for persistence (applied on load). */
  pendingProducts(): ProductDto[] {
    const out: ProductDto[] = [];
    for (const chain of this.pending.values())
      if (chain.latest !== null) out.push(chain.latest.dto);
    return out;
  }
}
