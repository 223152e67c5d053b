import { type EmulatorHandle, startEmulator } from "@neuroon/emulator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NeuroonClient } from "../client.js";
import { validateProduct } from "../mapping/validate.js";
import { openSqliteQueue } from "../queue/sqlite-queue.js";
import { MemorySyncStateStore } from "../state/memory-state-store.js";
import { SyncEngine } from "../sync/sync-engine.js";
import type { CatalogSource } from "../sync/types.js";
import type { NeuroonProduct } from "../types.js";

/**
 * What the store says Neuroon must hold for one record, derived from the fake store's own state
 * rather than from the adapter's mapper: the externalId always, and any fields the harness can
 * predict (name, price, …). The battery compares the fields given, plus `parentExternalId`
 * always: leave it out for a parent, set it for a variant.
 */
export type ExpectedProduct = Pick<NeuroonProduct, "externalId"> & Partial<NeuroonProduct>;

/**
 * One adapter on one fake store, fresh for every test. Keys are parent externalIds, as
 * {@link CatalogSource} defines them.
 */
export interface AdapterHarness {
  /** The adapter's `CatalogSource` on the fake store. */
  source: CatalogSource;
  /** Creates an indexable, published product (with variants if the platform has them); returns its key. */
  createProduct(): Promise<string>;
  /**
   * Changes an indexable product so its Neuroon record changes (its name, say). May return the
   * fields the parent record must have afterwards.
   */
  updateProduct(key: string): Promise<Partial<NeuroonProduct> | undefined>;
  /** Deletes the product for good (no trash). */
  deleteProduct(key: string): Promise<void>;
  /** Takes the product out of the storefront (draft, unpublished) without deleting it. */
  unpublishProduct(key: string): Promise<void>;
  /** Adds one indexable variant to the product, if the platform has variants. */
  addVariant?(key: string): Promise<void>;
  /** Removes one variant of the product (which keeps at least one other), if supported. */
  removeVariant?(key: string): Promise<void>;
  /** What the whole indexable catalog must map to now. */
  expectedCatalog(): Promise<ExpectedProduct[]>;
  /**
   * A key in the adapter's format that the store does not have. Default `"987654321"`.
   */
  unknownKey?: string;
  /** Stops the fake store. */
  close(): Promise<void>;
}

/** Fields the battery compares between the expected catalog, the source and the emulator. */
const KEY_FIELDS = ["name", "price", "parentExternalId"] as const;

const SHOP_ID = "shop_conform01";
const API_KEY = `sk_${"c0".repeat(16)}`;

function byExternalId<T extends { externalId: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) =>
    a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0,
  );
}

/** The parent key of a record: itself for a parent, `parentExternalId` for a variant. */
function familyKey(product: Pick<NeuroonProduct, "externalId" | "parentExternalId">): string {
  return product.parentExternalId ?? product.externalId;
}

function groupFamilies<T extends Pick<NeuroonProduct, "externalId" | "parentExternalId">>(
  products: readonly T[],
): Map<string, T[]> {
  const families = new Map<string, T[]>();
  for (const product of products) {
    const key = familyKey(product);
    families.set(key, [...(families.get(key) ?? []), product]);
  }
  return families;
}

/**
 * Asserts that `actual` has the fields `expected` names, and the same `parentExternalId` (none for
 * a parent) whether or not `expected` names it.
 */
function expectMatches(actual: object | undefined, expected: ExpectedProduct, message?: string) {
  const record = (actual ?? {}) as Readonly<Record<string, unknown>>;
  const picked: Record<string, unknown> = { parentExternalId: record.parentExternalId };
  for (const field of Object.keys(expected)) picked[field] = record[field];
  expect(picked, message ?? expected.externalId).toEqual({
    ...expected,
    parentExternalId: expected.parentExternalId,
  });
}

async function collect(source: CatalogSource): Promise<NeuroonProduct[][]> {
  const pages: NeuroonProduct[][] = [];
  for await (const page of source.streamCatalog()) pages.push([...page]);
  return pages;
}

async function streamed(source: CatalogSource): Promise<NeuroonProduct[]> {
  return (await collect(source)).flat();
}

/**
 * The conformance battery every platform adapter's {@link CatalogSource} runs (house style rule
 * 23). Call it from an adapter's `*.test.ts`; it registers a vitest `describe` block. `setup` is
 * called before every test and must return a harness on a fresh fake store.
 *
 * Requires `vitest` and `@neuroon/emulator` (optional peer dependencies of `@neuroon/core`).
 */
export function runCatalogSourceConformance(
  name: string,
  setup: () => Promise<AdapterHarness>,
): void {
  describe(`CatalogSource conformance: ${name}`, () => {
    let h: AdapterHarness;

    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h?.close();
    });

    const unknownKey = () => h.unknownKey ?? "987654321";

    describe("streamCatalog", () => {
      it("yields every indexable product exactly once, matching the store", async () => {
        const all = await streamed(h.source);
        const ids = all.map((p) => p.externalId);
        const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
        expect(duplicates, "records yielded more than once").toEqual([]);
        const expected = await h.expectedCatalog();
        expect(expected.length, "the fake store has an indexable catalog").toBeGreaterThan(0);
        expect([...ids].sort()).toEqual(expected.map((p) => p.externalId).sort());
        const got = new Map(all.map((p) => [p.externalId, p]));
        for (const want of expected) expectMatches(got.get(want.externalId), want);
      });

      it("yields valid records: string ids, each variant after a yielded parent", async () => {
        const pages = await collect(h.source);
        const pageOf = new Map<string, number>();
        const parents = new Set<string>();
        pages.forEach((page, index) => {
          for (const product of page) {
            pageOf.set(product.externalId, index);
            if (product.parentExternalId === undefined) parents.add(product.externalId);
          }
        });
        const invalid: unknown[] = [];
        pages.forEach((page, index) => {
          for (const product of page) {
            expect(typeof product.externalId).toBe("string");
            const result = validateProduct(product);
            if (!result.ok) invalid.push({ externalId: product.externalId, issues: result.issues });
            const parent = product.parentExternalId;
            if (parent === undefined) continue;
            expect(typeof parent).toBe("string");
            expect(
              parents.has(parent),
              `parent ${parent} of ${product.externalId} is yielded`,
            ).toBe(true);
            expect(
              pageOf.get(parent) ?? Number.POSITIVE_INFINITY,
              `variant ${product.externalId} is in its parent's page or a later one`,
            ).toBeLessThanOrEqual(index);
          }
        });
        expect(invalid, "records core's validateProduct refuses").toEqual([]);
      });
    });

    describe("readProducts", () => {
      it("returns each family exactly as streamCatalog yields it, for a batch of every key", async () => {
        const all = await streamed(h.source);
        const families = groupFamilies(all);
        const keys = [...families.keys()];
        const read = await h.source.readProducts(keys);
        expect(read.missing).toEqual([]);
        const ids = read.products.map((p) => p.externalId);
        expect(
          ids.filter((id, index) => ids.indexOf(id) !== index),
          "duplicates",
        ).toEqual([]);
        const readFamilies = groupFamilies(read.products);
        expect([...readFamilies.keys()].sort()).toEqual([...keys].sort());
        for (const [key, family] of families) {
          expect(byExternalId(readFamilies.get(key) ?? []), `family ${key}`).toEqual(
            byExternalId(family),
          );
        }
      });

      it("reads a single created product's family, and only that family", async () => {
        const key = await h.createProduct();
        const family = groupFamilies(await streamed(h.source)).get(key);
        expect(family, "a created product is streamed").toBeDefined();
        const read = await h.source.readProducts([key]);
        expect(read.missing).toEqual([]);
        expect(byExternalId(read.products)).toEqual(byExternalId(family ?? []));
        expect(read.products.every((p) => familyKey(p) === key)).toBe(true);
      });

      it("reports an unknown key as missing", async () => {
        const read = await h.source.readProducts([unknownKey()]);
        expect(read).toEqual({ products: [], missing: [unknownKey()] });
      });

      it("reports a hard-deleted product as missing", async () => {
        const key = await h.createProduct();
        await h.deleteProduct(key);
        const read = await h.source.readProducts([key]);
        expect(read.products).toEqual([]);
        expect(read.missing).toContain(key);
      });

      it("reports an unpublished product as missing", async () => {
        const key = await h.createProduct();
        await h.unpublishProduct(key);
        const read = await h.source.readProducts([key]);
        expect(read.products).toEqual([]);
        expect(read.missing).toContain(key);
        const stream = await streamed(h.source);
        expect(
          stream.filter((p) => familyKey(p) === key),
          "not streamed either",
        ).toEqual([]);
      });

      it("splits a mixed batch: present families in products, the rest in missing, nothing extra", async () => {
        const kept = await h.createProduct();
        const deleted = await h.createProduct();
        const unpublished = await h.createProduct();
        await h.deleteProduct(deleted);
        await h.unpublishProduct(unpublished);
        const present = [...groupFamilies(await streamed(h.source)).keys()].slice(0, 40);
        if (!present.includes(kept)) present.push(kept);
        const absent = [deleted, unpublished, unknownKey()];
        const keys = [...present, ...absent];
        const read = await h.source.readProducts(keys);
        expect([...read.missing].sort()).toEqual([...absent].sort());
        expect([...groupFamilies(read.products).keys()].sort()).toEqual([...present].sort());
        const ids = read.products.map((p) => p.externalId);
        expect(
          ids.filter((id, index) => ids.indexOf(id) !== index),
          "duplicates",
        ).toEqual([]);
      });

      it("reflects an update", async () => {
        const key = await h.createProduct();
        const before = await h.source.readProducts([key]);
        const patch = await h.updateProduct(key);
        const after = await h.source.readProducts([key]);
        expect(after.missing).toEqual([]);
        const parent = after.products.find((p) => p.externalId === key);
        expect(parent).toBeDefined();
        if (patch) expect(parent).toMatchObject(patch);
        expect(byExternalId(after.products)).not.toEqual(byExternalId(before.products));
        const expected = (await h.expectedCatalog()).filter((p) => familyKey(p) === key);
        const got = new Map(after.products.map((p) => [p.externalId, p]));
        expect(byExternalId(after.products).map((p) => p.externalId)).toEqual(
          byExternalId(expected).map((p) => p.externalId),
        );
        for (const want of expected) expectMatches(got.get(want.externalId), want);
      });

      it("follows added and removed variants", async (context) => {
        if (!h.addVariant || !h.removeVariant) {
          context.skip();
          return;
        }
        const key = await h.createProduct();
        const variantsOf = async () =>
          (await h.source.readProducts([key])).products
            .filter((p) => p.parentExternalId === key)
            .map((p) => p.externalId)
            .sort();
        const before = await variantsOf();
        await h.addVariant(key);
        const added = await variantsOf();
        expect(added.length).toBe(before.length + 1);
        expect(added.filter((id) => !before.includes(id))).toHaveLength(1);
        await h.removeVariant(key);
        const removed = await variantsOf();
        expect(removed.length).toBe(added.length - 1);
        const expected = (await h.expectedCatalog())
          .filter((p) => p.parentExternalId === key)
          .map((p) => p.externalId)
          .sort();
        expect(removed).toEqual(expected);
      });
    });

    describe("end to end with the sync engine and the emulator", () => {
      let emulator: EmulatorHandle;

      beforeAll(async () => {
        emulator = await startEmulator({
          port: 0,
          shops: [{ shopId: SHOP_ID, apiKey: API_KEY, url: "https://shop.example" }],
          rateLimits: false,
        });
      });
      afterAll(async () => {
        await emulator?.close();
      });
      beforeEach(() => {
        emulator.reset();
      });

      function engineFor(source: CatalogSource) {
        const queue = openSqliteQueue({ path: ":memory:" });
        const client = new NeuroonClient({
          shopId: SHOP_ID,
          apiKey: API_KEY,
          baseUrl: emulator.url,
          rateLimits: false,
          maxRetries: 1,
          sleep: async () => {},
        });
        const engine = new SyncEngine({
          client,
          queue,
          state: new MemorySyncStateStore({ shopId: SHOP_ID }),
          source,
          retry: { baseDelayMs: 1 },
          // One deleted family may be a large share of a small fake catalog.
          reconcile: { maxDeleteRatio: 1 },
        });
        return { engine, queue };
      }

      /**
       * Neuroon holds exactly the expected catalog, each record with the expected fields and with
       * the name, price and parent the source maps it to.
       */
      async function expectEmulatorHolds(source: CatalogSource): Promise<void> {
        const expected = await h.expectedCatalog();
        const remote = new Map(emulator.snapshot(SHOP_ID).map((p) => [p.externalId, p]));
        expect([...remote.keys()].sort()).toEqual(expected.map((p) => p.externalId).sort());
        const mapped = new Map((await streamed(source)).map((p) => [p.externalId, p]));
        for (const want of expected) {
          const stored = remote.get(want.externalId);
          expectMatches(stored, want, `${want.externalId} in Neuroon`);
          const product = mapped.get(want.externalId);
          const keyFields: ExpectedProduct = { externalId: want.externalId };
          for (const field of KEY_FIELDS) {
            if (product?.[field] !== undefined)
              Object.assign(keyFields, { [field]: product[field] });
          }
          expectMatches(stored, keyFields, `${want.externalId} in Neuroon, as mapped`);
        }
      }

      it("fullSync, a queued delete and reconcile leave Neuroon equal to the store", async () => {
        const deletedWithChange = await h.createProduct();
        const deletedSilently = await h.createProduct();
        const { engine, queue } = engineFor(h.source);
        try {
          const full = await engine.fullSync();
          expect(full.sent).toBeGreaterThan(0);
          expect(full.failed).toBe(0);
          expect(full.rejected).toBe(0);
          await expectEmulatorHolds(h.source);

          await h.deleteProduct(deletedWithChange);
          await queue.enqueue([{ kind: "product", key: deletedWithChange }]);
          const drained = await engine.drain();
          expect(drained.failed).toBe(0);
          expect(
            emulator
              .snapshot(SHOP_ID)
              .filter((p) => (p.parentExternalId ?? p.externalId) === deletedWithChange),
          ).toEqual([]);
          await expectEmulatorHolds(h.source);

          await h.deleteProduct(deletedSilently);
          const reconciled = await engine.reconcile();
          expect(reconciled.failed).toBe(0);
          expect(reconciled.deleted).toBeGreaterThan(0);
          await expectEmulatorHolds(h.source);
        } finally {
          await queue.close();
        }
      });

      it("a queued change after an update or an unpublish reaches Neuroon", async () => {
        const updated = await h.createProduct();
        const unpublished = await h.createProduct();
        const { engine, queue } = engineFor(h.source);
        try {
          await engine.fullSync();
          await h.updateProduct(updated);
          await h.unpublishProduct(unpublished);
          await queue.enqueue([
            { kind: "product", key: updated },
            { kind: "product", key: unpublished },
          ]);
          const drained = await engine.drain();
          expect(drained.failed).toBe(0);
          await expectEmulatorHolds(h.source);
        } finally {
          await queue.close();
        }
      });
    });
  });
}
