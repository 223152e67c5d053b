import type { CatalogSource } from "../../src/sync/types.js";
import type { NeuroonProduct } from "../../src/types.js";

/** A store catalog in memory, keyed by parent externalId; each entry is a family, parent first. */
export class FakeStore implements CatalogSource {
  readonly families = new Map<string, NeuroonProduct[]>();
  /** When set, every read throws it (a store outage). */
  outage: Error | undefined;
  /** When true, the store lists nothing but reads still work (a wrong filter, a half-broken API). */
  listsNothing = false;
  pageSize: number;
  readCalls = 0;

  constructor(options: { pageSize?: number } = {}) {
    this.pageSize = options.pageSize ?? 250;
  }

  put(family: readonly NeuroonProduct[]): void {
    const [parent] = family;
    if (parent === undefined) throw new Error("empty family");
    this.families.set(
      parent.externalId,
      family.map((p) => ({ ...p })),
    );
  }

  remove(key: string): void {
    this.families.delete(key);
  }

  /** Every product, parents before their variants. */
  all(): NeuroonProduct[] {
    return [...this.families.values()].flat();
  }

  async readProducts(keys: readonly string[]) {
    this.readCalls += 1;
    if (this.outage) throw this.outage;
    const products: NeuroonProduct[] = [];
    const missing: string[] = [];
    for (const key of keys) {
      const family = this.families.get(key);
      if (family === undefined) missing.push(key);
      else products.push(...family.map((p) => ({ ...p })));
    }
    return { products, missing };
  }

  async *streamCatalog(): AsyncIterable<readonly NeuroonProduct[]> {
    if (this.outage) throw this.outage;
    if (this.listsNothing) return;
    let page: NeuroonProduct[] = [];
    for (const family of this.families.values()) {
      for (const product of family) {
        page.push({ ...product });
        if (page.length >= this.pageSize) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }
}

/** A product with deterministic content; `revision` changes the price and name. */
export function makeProduct(
  externalId: string,
  options: { revision?: number; parentExternalId?: string } = {},
): NeuroonProduct {
  const revision = options.revision ?? 0;
  return {
    externalId,
    name: `Product ${externalId} r${revision}`,
    price: 10 + revision,
    currency: "EUR",
    url: `https://shop.example/products/${externalId}`,
    description: `Description of ${externalId}`,
    sku: `SKU-${externalId}`,
    inStock: true,
    stockQuantity: 5,
    categories: ["Home"],
    ...(options.parentExternalId === undefined
      ? {}
      : { parentExternalId: options.parentExternalId }),
  };
}

/** A parent with `variants` variants (`<id>-v<n>`). */
export function makeFamily(parent: string, variants: number, revision = 0): NeuroonProduct[] {
  return [
    makeProduct(parent, { revision }),
    ...Array.from({ length: variants }, (_, i) =>
      makeProduct(`${parent}-v${i}`, { revision, parentExternalId: parent }),
    ),
  ];
}
