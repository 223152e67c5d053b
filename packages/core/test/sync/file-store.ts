import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { CatalogSource } from "../../src/sync/types.js";
import type { NeuroonProduct } from "../../src/types.js";

/**
 * A store whose catalog is a JSON file (an array of families, parent first), re-read on every
 * call: the parent test process edits it while a child process syncs from it.
 */
export class FileStore implements CatalogSource {
  readonly path: string;
  readonly pageSize: number;

  constructor(path: string, pageSize = 40) {
    this.path = path;
    this.pageSize = pageSize;
  }

  families(): NeuroonProduct[][] {
    return JSON.parse(readFileSync(this.path, "utf8")) as NeuroonProduct[][];
  }

  async readProducts(keys: readonly string[]) {
    const byKey = new Map(this.families().map((family) => [family[0]?.externalId ?? "", family]));
    const products: NeuroonProduct[] = [];
    const missing: string[] = [];
    for (const key of keys) {
      const family = byKey.get(key);
      if (family === undefined) missing.push(key);
      else products.push(...family);
    }
    return { products, missing };
  }

  async *streamCatalog(): AsyncIterable<readonly NeuroonProduct[]> {
    const all = this.families().flat();
    for (let start = 0; start < all.length; start += this.pageSize) {
      yield all.slice(start, start + this.pageSize);
    }
  }
}

/** Replaces the catalog file atomically (a reader never sees half a file). */
export function writeCatalog(path: string, families: readonly (readonly NeuroonProduct[])[]): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(families));
  renameSync(`${path}.tmp`, path);
}
