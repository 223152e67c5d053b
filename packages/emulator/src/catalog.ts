/** A stored product: the DTO fields as sent, plus timestamps and its position in write order. */
export interface StoredProduct {
  readonly dto: Readonly<Record<string, unknown>> & { readonly externalId: string };
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** Write sequence number; increases with every write, so it orders the catalog by recency. */
  readonly seq: number;
  /** Current index in the slot array (changes when the array is compacted). */
  slot: number;
}

const INITIAL_CAPACITY = 1024;

/**
 * One shop's visible catalog. Products live in a map by `externalId` and in a slot array ordered
 * by last write (an update moves the product to the end and leaves a hole). A Fenwick tree over
 * the slots counts live products, so the k-th product in write order is found in O(log n), which
 * makes any page cost O(page size · log n) even at millions of products. Because write order is
 * also `updatedAt` order, `modifiedAfter` and cursors become a binary search. Holes are compacted
 * when they outnumber live slots, which keeps every operation amortised O(log n).
 */
export class Catalog {
  private readonly byId = new Map<string, StoredProduct>();
  private slots: (StoredProduct | undefined)[] = [];
  private slotSeq = new Float64Array(INITIAL_CAPACITY);
  private slotTime = new Float64Array(INITIAL_CAPACITY);
  private tree = new Int32Array(INITIAL_CAPACITY + 1);
  private capacity = INITIAL_CAPACITY;
  private used = 0;
  private nextSeq = 1;
  private lastTimeMs = 0;
  /** Bumped on every change, so derived data (sorted views) knows when it is stale. */
  version = 0;

  get size(): number {
    return this.byId.size;
  }

  get(externalId: string): StoredProduct | undefined {
    return this.byId.get(externalId);
  }

  has(externalId: string): boolean {
    return this.byId.has(externalId);
  }

  /**
   * Inserts or replaces a product. `updatedAtMs` never goes backwards within a catalog so that
   * write order and `updatedAt` order stay the same even if the wall clock steps back.
   */
  upsert(
    dto: StoredProduct["dto"],
    nowMs: number,
    createdAtMs?: number,
  ): { created: boolean; product: StoredProduct } {
    const previous = this.byId.get(dto.externalId);
    if (previous !== undefined) this.kill(previous.slot);
    const updatedAtMs = Math.max(nowMs, this.lastTimeMs);
    this.lastTimeMs = updatedAtMs;
    if (this.used === this.capacity) this.makeRoom();
    const product: StoredProduct = {
      dto,
      createdAtMs: previous?.createdAtMs ?? createdAtMs ?? updatedAtMs,
      updatedAtMs,
      seq: this.nextSeq++,
      slot: this.used,
    };
    this.slots.push(product);
    this.slotSeq[this.used] = product.seq;
    this.slotTime[this.used] = updatedAtMs;
    this.used += 1;
    this.add(product.slot, 1);
    this.byId.set(dto.externalId, product);
    this.version += 1;
    return { created: previous === undefined, product };
  }

  delete(externalId: string): boolean {
    const product = this.byId.get(externalId);
    if (product === undefined) return false;
    this.byId.delete(externalId);
    this.kill(product.slot);
    this.version += 1;
    return true;
  }

  clear(): void {
    this.byId.clear();
    this.slots = [];
    this.capacity = INITIAL_CAPACITY;
    this.slotSeq = new Float64Array(INITIAL_CAPACITY);
    this.slotTime = new Float64Array(INITIAL_CAPACITY);
    this.tree = new Int32Array(INITIAL_CAPACITY + 1);
    this.used = 0;
    this.version += 1;
  }

  /** The product at 0-based rank `index` in write order (oldest write first). */
  at(index: number): StoredProduct | undefined {
    if (index < 0 || index >= this.byId.size) return undefined;
    return this.slots[this.findSlot(index + 1)];
  }

  /** Rank of the first product written strictly after `timeMs`. */
  rankAfterTime(timeMs: number): number {
    return this.liveBefore(upperBound(this.slotTime, this.used, timeMs));
  }

  /** Rank of the first product whose write sequence number is strictly greater than `seq`. */
  rankAfterSeq(seq: number): number {
    return this.liveBefore(upperBound(this.slotSeq, this.used, seq));
  }

  /** Products in write order (oldest write first). */
  *values(): IterableIterator<StoredProduct> {
    const slots = this.slots;
    const end = this.used;
    for (let i = 0; i < end; i++) {
      const product = slots[i];
      if (product !== undefined) yield product;
    }
  }

  /** All products in write order, as an array (a consistent copy). */
  toArray(): StoredProduct[] {
    const out: StoredProduct[] = [];
    for (const product of this.values()) out.push(product);
    return out;
  }

  private kill(slot: number): void {
    this.slots[slot] = undefined;
    this.add(slot, -1);
  }

  /** Compacts when at least half the slots are holes, otherwise doubles the capacity. */
  private makeRoom(): void {
    if (this.byId.size * 2 <= this.used) {
      const live: StoredProduct[] = [];
      for (const product of this.values()) live.push(product);
      this.slots = live;
      this.used = live.length;
      for (let i = 0; i < live.length; i++) {
        const product = live[i] as StoredProduct;
        product.slot = i;
        this.slotSeq[i] = product.seq;
        this.slotTime[i] = product.updatedAtMs;
      }
    }
    if (this.used * 4 >= this.capacity * 3) {
      this.capacity *= 2;
      const seq = new Float64Array(this.capacity);
      seq.set(this.slotSeq.subarray(0, this.used));
      const time = new Float64Array(this.capacity);
      time.set(this.slotTime.subarray(0, this.used));
      this.slotSeq = seq;
      this.slotTime = time;
    }
    this.rebuildTree();
  }

  /** Linear-time Fenwick construction from the live flags. */
  private rebuildTree(): void {
    const tree = new Int32Array(this.capacity + 1);
    for (let i = 0; i < this.used; i++) if (this.slots[i] !== undefined) tree[i + 1] = 1;
    for (let i = 1; i <= this.capacity; i++) {
      const parent = i + (i & -i);
      if (parent <= this.capacity) tree[parent] = (tree[parent] ?? 0) + (tree[i] ?? 0);
    }
    this.tree = tree;
  }

  private add(slot: number, delta: number): void {
    const tree = this.tree;
    for (let i = slot + 1; i <= this.capacity; i += i & -i) tree[i] = (tree[i] ?? 0) + delta;
  }

  /** Number of live slots in [0, slotEnd). */
  private liveBefore(slotEnd: number): number {
    let sum = 0;
    for (let i = slotEnd; i > 0; i -= i & -i) sum += this.tree[i] ?? 0;
    return sum;
  }

  /** The 0-based slot holding the k-th (1-based) live product. */
  private findSlot(k: number): number {
    const tree = this.tree;
    let position = 0;
    let remaining = k;
    let step = 1;
    while (step * 2 <= this.capacity) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = position + step;
      if (next <= this.capacity && (tree[next] ?? 0) < remaining) {
        position = next;
        remaining -= tree[next] ?? 0;
      }
    }
    return position;
  }
}

/** First index in the sorted prefix `values[0, length)` whose value is strictly greater than `x`. */
function upperBound(values: Float64Array, length: number, x: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] ?? 0) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
