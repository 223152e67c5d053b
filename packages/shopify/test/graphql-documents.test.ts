import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildAdminSchema, nextAdminVersion } from "@neuroon/fake-shopify";
import {
  type DocumentNode,
  Kind,
  NoDeprecatedCustomRule,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import { describe, expect, it } from "vitest";
import { SHOPIFY_API_VERSION } from "../src/api-version.js";
import * as queries from "../src/queries.js";

// Every GraphQL document this package can send, in every variant it builds, checked against
// Shopify's real Admin schema (the published introspection of the pinned version and of the next
// one) with graphql-js's rules plus NoDeprecatedCustomRule: a deprecated field fails here while
// Shopify still serves it, so the removal never reaches a store.

const BRAND = { namespace: "custom", key: "brand" };
const SELECTIONS = [
  {},
  { brandMetafield: BRAND },
  { brandMetafield: { namespace: 'we"ird', key: "b\\r" } },
];

/** Each document by name: constants as they are, builders called with every option they take. */
const DOCUMENTS: Record<string, string> = {
  SHOP_SETTINGS_QUERY: queries.SHOP_SETTINGS_QUERY,
  PRODUCT_VARIANTS_QUERY: queries.PRODUCT_VARIANTS_QUERY,
  INVENTORY_ITEM_PRODUCTS_QUERY: queries.INVENTORY_ITEM_PRODUCTS_QUERY,
  BULK_RUN_MUTATION: queries.BULK_RUN_MUTATION,
  BULK_OPERATION_QUERY: queries.BULK_OPERATION_QUERY,
  ...Object.fromEntries(
    SELECTIONS.flatMap((selection, index) => [
      [`productNodesQuery#${index}`, queries.productNodesQuery(selection)],
      [`bulkProductsQuery#${index}`, queries.bulkProductsQuery(selection)],
      [
        `bulkProductsQuery#${index} with search`,
        queries.bulkProductsQuery({ ...selection, search: "status:ACTIVE" }),
      ],
    ]),
  ),
};

const RULES = [...specifiedRules, NoDeprecatedCustomRule];
const NEXT_VERSION = nextAdminVersion(SHOPIFY_API_VERSION);
const VERSIONS = [SHOPIFY_API_VERSION, ...(NEXT_VERSION ? [NEXT_VERSION] : [])];

describe.each(VERSIONS)("GraphQL documents against Shopify's Admin API %s", (version) => {
  const schema = buildAdminSchema(version);
  it.each(Object.entries(DOCUMENTS))("%s is valid and uses nothing deprecated", (_, source) => {
    const errors = validate(schema, parse(source), RULES).map((error) => error.message);
    expect(errors).toEqual([]);
  });

  it("rejects what Shopify rejects (the check is not vacuous)", () => {
    const deprecated = parse("query($id: ID!) { inventoryItem(id: $id) { variant { id } } }");
    expect(validate(schema, deprecated, RULES).map((e) => e.message)).toEqual([
      "The field InventoryItem.variant is deprecated. Use `variants` instead.",
    ]);
    const wrongShape = parse(
      '{ product(id: "gid://shopify/Product/1") { featuredMedia { image { url } } } }',
    );
    expect(validate(schema, wrongShape, RULES).map((e) => e.message)).toEqual([
      'Cannot query field "image" on type "Media". Did you mean to use an inline fragment on "MediaImage"?',
    ]);
  });
});

describe("the list of documents", () => {
  it("covers every document export of queries.ts", () => {
    const documentExports = Object.entries(queries)
      .filter(
        ([, value]) =>
          typeof value === "function" || (typeof value === "string" && /[{}]/.test(value)),
      )
      .map(([name]) => name)
      .sort();
    const covered = [
      ...new Set(Object.keys(DOCUMENTS).map((name) => name.split(/[# ]/)[0])),
    ].sort();
    expect(covered).toEqual(documentExports);
  });

  it("has every Admin request in src take its document from queries.ts", () => {
    const sourceDirectory = fileURLToPath(new URL("../src/", import.meta.url));
    const offenders: string[] = [];
    for (const file of readdirSync(sourceDirectory)) {
      if (!file.endsWith(".ts") || file.endsWith(".test.ts") || file === "queries.ts") continue;
      const text = readFileSync(`${sourceDirectory}${file}`, "utf8");
      // An inline document is a template literal starting with `query X`, `mutation X` or `{ field`.
      if (/`\s*(query|mutation)\s+\w+\s*[({]|`\s*\{\s*\w+\s*[({]/.test(text)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });

  it("bulk queries are single top-level connections, as bulkOperationRunQuery requires", () => {
    for (const [name, source] of Object.entries(DOCUMENTS)) {
      if (!name.startsWith("bulkProductsQuery")) continue;
      const document: DocumentNode = parse(source);
      const [operation] = document.definitions;
      expect(operation?.kind).toBe(Kind.OPERATION_DEFINITION);
      if (operation?.kind !== Kind.OPERATION_DEFINITION) continue;
      expect(operation.selectionSet.selections).toHaveLength(1);
      // Bulk queries page on their own: a `first:` anywhere is refused by Shopify.
      expect(source).not.toMatch(/\bfirst\s*:/);
    }
  });
});
