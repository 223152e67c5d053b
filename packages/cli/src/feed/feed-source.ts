import type { CatalogSource, NeuroonProduct, ValidationIssue } from "@neuroon/core";
import { REJECT_SAMPLE_SIZE } from "../cli/sync-report.js";
import { type FeedSpec, readFeed } from "./read-feed.js";

/** Products per page `streamCatalog()` yields: one full sync request. */
const PAGE_SIZE = 500;

/** A feed line refused while the source read the whole feed. */
export interface RefusedFeedLine {
  line: number;
  externalId: string | undefined;
  issues: ValidationIssue[];
}

/** What the last full pass over the feed refused: the total and the first {@link REJECT_SAMPLE_SIZE}. */
export interface RefusedFeedLines {
  total: number;
  sample: RefusedFeedLine[];
}

/**
 * A product feed file as the sync engine's store: the catalog is the feed's records, and
 * re-reading a product reads the file again. A refused line that names its product still stands
 * for that product (as read, not valid): the product is in the store's catalog with a typo, so the
 * engine refuses to send it and a reconcile keeps what Neuroon has instead of deleting it. Each
 * pass over the whole feed records its refused lines in {@link refused}.
 */
export class FeedCatalogSource implements CatalogSource {
  readonly path: string;
  readonly spec: FeedSpec;
  /** The refused lines of the last completed `streamCatalog()` pass. */
  refused: RefusedFeedLines = { total: 0, sample: [] };

  constructor(path: string, spec: FeedSpec) {
    this.path = path;
    this.spec = spec;
  }

  async *streamCatalog(signal?: AbortSignal): AsyncIterable<readonly NeuroonProduct[]> {
    const refused: RefusedFeedLines = { total: 0, sample: [] };
    let page: NeuroonProduct[] = [];
    for await (const record of readFeed(this.path, this.spec)) {
      signal?.throwIfAborted();
      let product: NeuroonProduct | undefined;
      if (record.ok) {
        product = record.product;
      } else {
        refused.total += 1;
        if (refused.sample.length < REJECT_SAMPLE_SIZE) {
          refused.sample.push({
            line: record.line,
            externalId: record.externalId,
            issues: record.issues,
          });
        }
        product = record.candidate;
      }
      if (product === undefined) continue;
      page.push(product);
      if (page.length >= PAGE_SIZE) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
    this.refused = refused;
  }

  async readProducts(
    keys: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ products: NeuroonProduct[]; missing: string[] }> {
    const wanted = new Set(keys);
    const found = new Set<string>();
    const products: NeuroonProduct[] = [];
    for await (const record of readFeed(this.path, this.spec)) {
      signal?.throwIfAborted();
      const product = record.ok ? record.product : record.candidate;
      if (product === undefined) continue;
      const { externalId, parentExternalId } = product;
      if (wanted.has(externalId)) {
        found.add(externalId);
        products.push(product);
      } else if (parentExternalId !== undefined && wanted.has(parentExternalId)) {
        found.add(parentExternalId);
        products.push(product);
      }
    }
    return { products, missing: keys.filter((key) => !found.has(key)) };
  }
}
