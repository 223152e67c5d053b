import { SeenValues } from "./seen-values.js";
import { dedupeStrings } from "./strings.js";

/** A store category id: WooCommerce numbers, Medusa `pcat_…` strings, Shopify GIDs. */
export type CategoryId = string | number;

/** One category of the store's tree. */
export interface CategoryNode {
  readonly id: CategoryId;
  readonly name: string;
  /** The parent's id. `null`, `undefined`, `0` and `""` mean "root" (WooCommerce roots have `parent: 0`). */
  readonly parentId?: CategoryId | null | undefined;
}

/**
 * How {@link categoryPaths} finds a category by id: a `Map` (see {@link buildCategoryLookup}) or a
 * function. Ids are compared with `===`, so `12` and `"12"` are different ids.
 */
export type CategoryLookup =
  | ReadonlyMap<CategoryId, CategoryNode>
  | ((id: CategoryId) => CategoryNode | undefined);

/** Something odd in the category tree; the path is cut short but the product is still mapped. */
export interface CategoryWarning {
  code: "unknown-category" | "missing-parent" | "cycle";
  /** The category whose lookup failed or closed the cycle. */
  categoryId: CategoryId;
  message: string;
}

/** Options of {@link categoryPaths}. */
export interface CategoryPathOptions {
  /** Called for every unknown category, missing parent and cycle. */
  onWarning?: ((warning: CategoryWarning) => void) | undefined;
}

/** Builds the lookup for {@link categoryPaths} from a flat category list (first one wins on duplicate ids). */
export function buildCategoryLookup(
  categories: Iterable<CategoryNode>,
): ReadonlyMap<CategoryId, CategoryNode> {
  const lookup = new Map<CategoryId, CategoryNode>();
  for (const category of categories) {
    if (!lookup.has(category.id)) lookup.set(category.id, category);
  }
  return lookup;
}

/**
 * The `categories` of a product in categories `categoryIds`: for each category, its path from the
 * most specific category up to the root, flattened without duplicates (case-insensitive, first
 * spelling kept). A product in "T-Shirts" (Men > Clothing > T-Shirts) gets
 * `["T-Shirts", "Clothing", "Men"]`.
 *
 * - A category that is an ancestor of another listed category adds nothing of its own, so the most
 *   specific path still comes first (ids `[Clothing, T-Shirts]` give the same result as above).
 * - An unknown category is skipped; a missing parent ends the path; a cycle (a → b → a) ends the
 *   path at the last category not yet visited. Each is reported to `onWarning`.
 * - Blank names are skipped; names are trimmed and inner whitespace collapsed.
 */
export function categoryPaths(
  categoryIds: Iterable<CategoryId>,
  lookup: CategoryLookup,
  options: CategoryPathOptions = {},
): string[] {
  const find = typeof lookup === "function" ? lookup : (id: CategoryId) => lookup.get(id);
  const paths: CategoryNode[][] = [];
  for (const id of categoryIds) {
    const path = walkToRoot(id, find, options.onWarning);
    if (path.length > 0) paths.push(path);
  }
  const names: string[] = [];
  for (const path of paths) {
    if (paths.length > 1 && isCoveredByDeeperPath(path, paths)) continue;
    for (const node of path) names.push(node.name);
  }
  return dedupeStrings(names);
}

/**
 * Splits a category path string into `categories` order, most specific first: Shopify Standard
 * Product Taxonomy `fullName` `"Apparel & Accessories > Clothing > Shirts & Tops"` gives
 * `["Shirts & Tops", "Clothing", "Apparel & Accessories"]`. Only the separator with its spaces
 * splits, so a name containing `>` alone survives.
 */
export function categoriesFromPath(path: string | null | undefined, separator = " > "): string[] {
  if (typeof path !== "string" || path.trim() === "") return [];
  return dedupeStrings(path.split(separator).reverse());
}

function walkToRoot(
  id: CategoryId,
  find: (id: CategoryId) => CategoryNode | undefined,
  onWarning: CategoryPathOptions["onWarning"],
): CategoryNode[] {
  let node = find(id);
  if (node === undefined) {
    onWarning?.({
      code: "unknown-category",
      categoryId: id,
      message: `category ${JSON.stringify(id)} is not in the category lookup; it is left out. Load every category (all pages) before mapping products.`,
    });
    return [];
  }
  const path = [node];
  const visited = new SeenValues<CategoryId>();
  visited.add(id);
  visited.add(node.id);
  for (;;) {
    const parentId = node.parentId;
    if (isRootParent(parentId)) return path;
    if (visited.has(parentId)) {
      onWarning?.({
        code: "cycle",
        categoryId: parentId,
        message: `category ${JSON.stringify(node.id)} has ancestor ${JSON.stringify(parentId)}, which is already on its path (a cycle); the path stops at ${JSON.stringify(node.id)}. Fix the parent of one of these categories in the store.`,
      });
      return path;
    }
    const parent = find(parentId);
    if (parent === undefined) {
      onWarning?.({
        code: "missing-parent",
        categoryId: parentId,
        message: `category ${JSON.stringify(node.id)} has parent ${JSON.stringify(parentId)}, which is not in the category lookup; the path stops at ${JSON.stringify(node.id)}.`,
      });
      return path;
    }
    visited.add(parentId);
    visited.add(parent.id);
    path.push(parent);
    node = parent;
  }
}

/**
 * True when `path`'s category is an ancestor on another path whose own category is not on
 * `path`; the second condition keeps both halves of a cycle (a → b → a listed as a and b).
 */
function isCoveredByDeeperPath(path: CategoryNode[], paths: CategoryNode[][]): boolean {
  const leafId = (path[0] as CategoryNode).id;
  for (const other of paths) {
    if (other === path) continue;
    const otherLeafId = (other[0] as CategoryNode).id;
    if (path.some((node) => node.id === otherLeafId)) continue;
    for (let i = 1; i < other.length; i += 1) {
      if ((other[i] as CategoryNode).id === leafId) return true;
    }
  }
  return false;
}

function isRootParent(parentId: CategoryId | null | undefined): parentId is null | undefined {
  return parentId === undefined || parentId === null || parentId === 0 || parentId === "";
}
