import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { ShopState } from "./shop-state.js";
import type { RecordedConversion, ShopSpec } from "./types.js";
import type { ProductDto } from "./validation.js";

const FORMAT = "neuroon-emulator-state";
const FORMAT_VERSION = 1;

/** A shop read back from a state file. */
export interface PersistedShop {
  readonly spec: ShopSpec;
  readonly verifiedDomain: string | null;
  readonly verifiedAtMs: number | null;
  readonly products: Array<{ dto: ProductDto; createdAtMs: number; updatedAtMs: number }>;
  readonly pending: ProductDto[];
  readonly conversions: RecordedConversion[];
}

/**
 * Writes every shop as NDJSON (one line per shop, product and conversion, so a million products
 * stream without one giant string) to `<path>.tmp`, then renames it over `path`: a crash mid-write
 * never leaves a torn file. Product references are copied first, so later writes do not tear the
 * snapshot either.
 */
export async function saveState(path: string, shops: readonly ShopState[]): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp, { encoding: "utf8" });
  const write = async (record: unknown): Promise<void> => {
    if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, "drain");
  };
  try {
    await write({ type: FORMAT, version: FORMAT_VERSION });
    for (const shop of shops) {
      const products = shop.catalog.toArray();
      const pending = shop.pendingProducts();
      const conversions = [...shop.conversions.values()];
      shop.dirty = false;
      await write({
        type: "shop",
        shopId: shop.shopId,
        apiKey: shop.apiKey,
        url: shop.url,
        name: shop.name,
        maxProducts: shop.maxProducts,
        maxSearchesPerMonth: shop.maxSearchesPerMonth,
        verified: shop.verified,
        verifiedDomain: shop.verifiedDomain,
        verifiedAtMs: shop.verifiedAtMs,
      });
      for (const p of products) {
        await write({
          type: "product",
          shopId: shop.shopId,
          createdAtMs: p.createdAtMs,
          updatedAtMs: p.updatedAtMs,
          dto: p.dto,
        });
      }
      for (const dto of pending) await write({ type: "pending", shopId: shop.shopId, dto });
      for (const c of conversions) await write({ type: "conversion", shopId: shop.shopId, ...c });
    }
    out.end();
    await once(out, "finish");
    await rename(tmp, path);
  } catch (error) {
    out.destroy();
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Reads a state file written by {@link saveState}; a missing file yields no shops. */
export async function loadState(path: string): Promise<PersistedShop[]> {
  try {
    await stat(path);
  } catch {
    return [];
  }
  const shops = new Map<string, PersistedShop>();
  const lines = createInterface({
    input: createReadStream(path, { encoding: "utf8" }),
    crlfDelay: Infinity,
  });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === "") continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    if (lineNo === 1) {
      if (record.type !== FORMAT || record.version !== FORMAT_VERSION) {
        throw new Error(
          `${path} is not a neuroon emulator state file (version ${FORMAT_VERSION}).`,
        );
      }
      continue;
    }
    const shopId = record.shopId as string;
    if (record.type === "shop") {
      shops.set(shopId, {
        spec: {
          shopId,
          apiKey: record.apiKey as string,
          url: record.url as string,
          name: record.name as string,
          maxProducts: record.maxProducts as number,
          maxSearchesPerMonth: record.maxSearchesPerMonth as number,
          verified: record.verified as boolean,
        },
        verifiedDomain: (record.verifiedDomain as string | null) ?? null,
        verifiedAtMs: (record.verifiedAtMs as number | null) ?? null,
        products: [],
        pending: [],
        conversions: [],
      });
      continue;
    }
    const shop = shops.get(shopId);
    if (shop === undefined)
      throw new Error(`${path}:${lineNo}: record for unknown shop ${shopId}.`);
    if (record.type === "product") {
      shop.products.push({
        dto: record.dto as ProductDto,
        createdAtMs: record.createdAtMs as number,
        updatedAtMs: record.updatedAtMs as number,
      });
    } else if (record.type === "pending") {
      shop.pending.push(record.dto as ProductDto);
    } else if (record.type === "conversion") {
      shop.conversions.push({
        orderId: record.orderId as string,
        body: record.body as Record<string, unknown>,
        receivedAt: record.receivedAt as string,
      });
    }
  }
  return [...shops.values()];
}
