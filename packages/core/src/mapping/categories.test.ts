import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import {
  buildCategoryLookup,
  type CategoryId,
  type CategoryNode,
  type CategoryWarning,
  categoriesFromPath,
  categoryPaths,
} from "./categories.js";

// Men > Clothing > T-Shirts, Women > Clothing > T-Shirts (same names, other ids), Sale (root).
const TREE: CategoryNode[] = [
  { id: 1, name: "Men", parentId: 0 },
  { id: 2, name: "Clothing", parentId: 1 },
  { id: 3, name: "T-Shirts", parentId: 2 },
  { id: 4, name: "Women", parentId: null },
  { id: 5, name: "Clothing", parentId: 4 },
  { id: 6, name: "T-Shirts", parentId: 5 },
  { id: 7, name: "Sale" },
  { id: 8, name: "  Summer \n Deals ", parentId: 7 },
  { id: 9, name: " ", parentId: 7 },
  { id: 10, name: "Orphan", parentId: 99 },
  { id: 11, name: "Loop A", parentId: 12 },
  { id: 12, name: "Loop B", parentId: 11 },
  { id: 13, name: "Self", parentId: 13 },
  { id: 14, name: "Below loop", parentId: 11 },
];
const LOOKUP = buildCategoryLookup(TREE);

function collect(ids: CategoryId[]): { categories: string[]; warnings: CategoryWarning[] } {
  const warnings: CategoryWarning[] = [];
  const categories = categoryPaths(ids, LOOKUP, { onWarning: (w) => warnings.push(w) });
  return { categories, warnings };
}

describe("categoryPaths", () => {
  test.each<[string, CategoryId[], string[]]>([
    ["one leaf: most specific first, root last", [3], ["T-Shirts", "Clothing", "Men"]],
    ["a root category", [7], ["Sale"]],
    ["child and its ancestor: no repetition", [3, 2], ["T-Shirts", "Clothing", "Men"]],
    [
      "ancestor listed first still yields the deepest path first",
      [1, 2, 3],
      ["T-Shirts", "Clothing", "Men"],
    ],
    ["two branches", [3, 7], ["T-Shirts", "Clothing", "Men", "Sale"]],
    ["same names in two trees are not repeated", [3, 6], ["T-Shirts", "Clothing", "Men", "Women"]],
    ["the same id twice", [3, 3], ["T-Shirts", "Clothing", "Men"]],
    ["names are trimmed and collapsed", [8], ["Summer Deals", "Sale"]],
    ["blank names are skipped, the path goes on", [9], ["Sale"]],
    ["no categories", [], []],
  ])("%s", (_label, ids, expected) => {
    const { categories, warnings } = collect(ids);
    expect(categories).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  test("string ids and a function lookup (Medusa pcat_ ids)", () => {
    const nodes = new Map<CategoryId, CategoryNode>([
      ["pcat_shirts", { id: "pcat_shirts", name: "Shirts", parentId: "pcat_men" }],
      ["pcat_men", { id: "pcat_men", name: "Men", parentId: "" }],
    ]);
    expect(categoryPaths(["pcat_shirts"], (id) => nodes.get(id))).toEqual(["Shirts", "Men"]);
  });

  test("an unknown category is skipped and reported", () => {
    const { categories, warnings } = collect([42, 7]);
    expect(categories).toEqual(["Sale"]);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: "unknown-category",
        categoryId: 42,
        message: expect.stringContaining("42"),
      }),
    ]);
  });

  test("a missing parent ends the path and is reported", () => {
    const { categories, warnings } = collect([10]);
    expect(categories).toEqual(["Orphan"]);
    expect(warnings).toEqual([expect.objectContaining({ code: "missing-parent", categoryId: 99 })]);
  });

  test.each<[string, CategoryId[], string[]]>([
    ["a → b → a stops without looping", [11], ["Loop A", "Loop B"]],
    ["a category that is its own parent", [13], ["Self"]],
    ["a path that runs into a loop", [14], ["Below loop", "Loop A", "Loop B"]],
    ["both halves of a cycle listed", [11, 12], ["Loop A", "Loop B"]],
  ])("cycle: %s", (_label, ids, expected) => {
    const { categories, warnings } = collect(ids);
    expect(categories).toEqual(expected);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((w) => w.code === "cycle")).toBe(true);
  });

  test("warnings are optional", () => {
    expect(categoryPaths([10, 11, 42], LOOKUP)).toEqual(["Orphan", "Loop A", "Loop B"]);
  });

  test("buildCategoryLookup keeps the first of duplicate ids", () => {
    const lookup = buildCategoryLookup([
      { id: 1, name: "First" },
      { id: 1, name: "Second" },
    ]);
    expect(lookup.get(1)?.name).toBe("First");
  });

  test("the lookup is called once per category on the path, and ids are not coerced", () => {
    const find = vi.fn((id: CategoryId) => LOOKUP.get(id));
    expect(categoryPaths(["3"], find)).toEqual([]);
    expect(categoryPaths([3], find)).toEqual(["T-Shirts", "Clothing", "Men"]);
    expect(find).toHaveBeenCalledTimes(4);
  });

  test("a cycle far up a deep chain still ends the path", () => {
    // 100 levels: past the short-path bookkeeping, 100 → 99 → … → 1 → 50 again.
    const nodes = Array.from({ length: 100 }, (_, i) => ({
      id: i + 1,
      name: `n${i + 1}`,
      parentId: i === 0 ? 50 : i,
    }));
    const warnings: string[] = [];
    const result = categoryPaths([100], buildCategoryLookup(nodes), {
      onWarning: (warning) => warnings.push(`${warning.code} ${warning.categoryId}`),
    });
    expect(result).toHaveLength(100);
    expect(result.at(-1)).toBe("n1");
    expect(warnings).toEqual(["cycle 50"]);
  });

  test("property: terminates on any random parent graph, output has no duplicates or blanks", () => {
    const graph = fc.array(
      fc.record({
        parent: fc.option(fc.integer({ min: 0, max: 30 })),
        name: fc.constantFrom("A", "b", "B", "c", " ", "Dd"),
      }),
      { minLength: 1, maxLength: 30 },
    );
    fc.assert(
      fc.property(
        graph,
        fc.array(fc.integer({ min: 0, max: 35 }), { maxLength: 6 }),
        (nodes, ids) => {
          const lookup = buildCategoryLookup(
            nodes.map((n, i) => ({ id: i + 1, name: n.name, parentId: n.parent })),
          );
          const result = categoryPaths(ids, lookup, { onWarning: () => {} });
          expect(new Set(result.map((r) => r.toLowerCase())).size).toBe(result.length);
          expect(result.every((r) => r.trim() === r && r !== "")).toBe(true);
        },
      ),
    );
  });

  test("property: on a tree, the result starts with the first listed leaf's full path", () => {
    // Node i's parent is a smaller id (or root), so it is always a tree; names are unique.
    const tree = fc.array(fc.nat(), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(tree, fc.nat(), (parents, pick) => {
        const nodes = parents.map((p, i) => ({
          id: i + 1,
          name: `n${i + 1}`,
          parentId: p % (i + 1),
        }));
        const lookup = buildCategoryLookup(nodes);
        const leaf = (pick % nodes.length) + 1;
        const expected: string[] = [];
        for (let id: number = leaf; id !== 0; id = (lookup.get(id)?.parentId as number) ?? 0) {
          expected.push(`n${id}`);
        }
        expect(categoryPaths([leaf], lookup)).toEqual(expected);
      }),
    );
  });
});

describe("categoriesFromPath", () => {
  test.each<[string, string | null | undefined, string[]]>([
    [
      "Shopify taxonomy fullName",
      "Apparel & Accessories > Clothing > Shirts & Tops",
      ["Shirts & Tops", "Clothing", "Apparel & Accessories"],
    ],
    ["one level", "Electronics", ["Electronics"]],
    ["blank segments dropped", "A >  > B", ["B", "A"]],
    ["a bare > inside a name is kept", "Tools > 3>2 Adapters", ["3>2 Adapters", "Tools"]],
    ["duplicates removed", "Home > Home", ["Home"]],
    ["empty", "", []],
    ["null", null, []],
    ["undefined", undefined, []],
  ])("%s", (_label, path, expected) => {
    expect(categoriesFromPath(path)).toEqual(expected);
  });

  test("custom separator", () => {
    expect(categoriesFromPath("Men/Shoes/Boots", "/")).toEqual(["Boots", "Shoes", "Men"]);
  });
});
