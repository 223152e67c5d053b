import type { CatalogSource, NeuroonProduct } from "@neuroon/core";
import { type FeedFormat, readFeed } from "./read-feed.js";

/** Products per page `streamCatalog()` yields: one full sync request. */
const PAGE_SIZE = 500;

/**
 * A product feed file as the sync engine's store: the catalog is the feed's valid records, and
 * re-reading a product reads the file again. Refused records are not part of the catalog (the
 * `sync` command reports them with their line numbers).
 */
export class FeedCatalogSource implements CatalogSource {
  readonly path: string;
  readonly format: FeedFormat;

  constructor(path: string, format: FeedFormat) {
    this.path = path;
    this.format = format;
  }

  async *streamCatalog(signal?: AbortSignal): AsyncIterable<readonly NeuroonProduct[]> {
    let page: NeuroonProduct[] = [];
    for await (const record of readFeed(this.path, { format: this.format })) {
      signal?.throwIfAborted();
      if (!record.ok) continue;
      page.push(record.product);
      if (page.length >= PAGE_SIZE) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  async readProducts(
    keys: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ products: NeuroonProduct[]; missing: string[] }> {
    const wanted = new Set(keys);
    const found = new Set<string>();
    const products: NeuroonProduct[] = [];
    for await (const record of readFeed(this.path, { format: this.format })) {
      signal?.throwIfAborted();
      if (!record.ok) continue;
      const { externalId, parentExternalId } = record.product;
      if (wanted.has(externalId)) {
        found.add(externalId);
        products.push(record.product);
      } else if (parentExternalId !== undefined && wanted.has(parentExternalId)) {
        found.add(parentExternalId);
        products.push(record.product);
      }
    }
    return { products, missing: keys.filter((key) => !found.has(key)) };
  }
}
