import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import {
  buildClientSchema,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  type IntrospectionQuery,
  isCompositeType,
  isInputType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  typeFromAST,
  valueFromAST,
} from "graphql";
import type { FakeProduct, FakeVariant } from "./catalog.js";

/** The Admin API version the fake serves (the version `@neuroon/shopify` pins). */
export const FAKE_API_VERSION = "2026-10";

/**
 * Directory of Shopify's published Admin API introspections: `@shopify/dev-mcp` ships one
 * `admin_<version>.json.gz` per supported version (not exported through its `exports` map, so the
 * package directory is found by walking up to the nearest `node_modules`).
 */
function introspectionDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, "node_modules", "@shopify", "dev-mcp", "dist", "data");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error(
        "Shopify's Admin API introspection was not found: @shopify/dev-mcp is not installed next to @neuroon/fake-shopify. Run `./dev setup` (pnpm install) and try again.",
      );
    }
    directory = parent;
  }
}

/** The Admin API versions whose real introspection is installed (`2026-10`, …, `unstable`). */
export function availableAdminVersions(): string[] {
  return readdirSync(introspectionDirectory())
    .map((name) => /^admin_(\d{4}-\d{2}|unstable)\.json\.gz$/.exec(name)?.[1])
    .filter((version): version is string => version !== undefined)
    .sort();
}

/**
 * The version after `version` among the installed introspections (`unstable` after the newest
 * stable one), so tests see a coming removal before it reaches a store; undefined for `unstable`.
 */
export function nextAdminVersion(version: string): string | undefined {
  const versions = availableAdminVersions();
  const index = versions.indexOf(version);
  if (index < 0)
    throw new Error(`Admin API ${version} is not installed; installed: ${versions.join(", ")}.`);
  return versions[index + 1];
}

const schemas = new Map<string, GraphQLSchema>();

/**
 * Shopify's real Admin GraphQL schema of `version`, built from its published introspection with
 * graphql-js `buildClientSchema` (about a second; built once per process and version).
 */
export function buildAdminSchema(version: string = FAKE_API_VERSION): GraphQLSchema {
  let schema = schemas.get(version);
  if (!schema) {
    const file = join(introspectionDirectory(), `admin_${version}.json.gz`);
    if (!existsSync(file)) {
      throw new Error(
        `Admin API ${version} has no introspection in @shopify/dev-mcp (installed: ${availableAdminVersions().join(", ")}). Pick one of those or update @shopify/dev-mcp.`,
      );
    }
    const introspection = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as {
      data: IntrospectionQuery;
    };
    schema = buildClientSchema(introspection.data);
    schemas.set(version, schema);
  }
  return schema;
}

/** One GraphQL error as Shopify's Admin API returns it (graphql-ruby's shape). */
export interface ShopifyGraphqlError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions: Record<string, unknown>;
}

const VALIDATION_MESSAGES: {
  pattern: RegExp;
  shopify: (match: RegExpExecArray) => { message: string; extensions: Record<string, unknown> };
}[] = [
  {
    pattern: /^Cannot query field "([^"]+)" on type "([^"]+)"\./,
    shopify: ([, field, type]) => ({
      message: `Field '${field}' doesn't exist on type '${type}'`,
      extensions: { code: "undefinedField", typeName: type, fieldName: field },
    }),
  },
  {
    pattern: /^Unknown argument "([^"]+)" on field "[^".]+\.([^"]+)"\./,
    shopify: ([, argument, field]) => ({
      message: `Field '${field}' doesn't accept argument '${argument}'`,
      extensions: {
        code: "argumentNotAccepted",
        name: field,
        typeName: "Field",
        argumentName: argument,
      },
    }),
  },
  {
    pattern: /^Field "([^"]+)" argument "([^"]+)" of type "[^"]+" is required/,
    shopify: ([, field, argument]) => ({
      message: `Field '${field}' is missing required arguments: ${argument}`,
      extensions: {
        code: "missingRequiredArguments",
        className: "Field",
        name: field,
        arguments: argument,
      },
    }),
  },
  {
    pattern: /^Field "([^"]+)" must not have a selection since type "([^"]+)" has no subfields\./,
    shopify: ([, field, type]) => ({
      message: `Selections can't be made on scalars (field '${field}' returns ${type} but has selections)`,
      extensions: { code: "selectionMismatch", nodeName: `field '${field}'`, typeName: type },
    }),
  },
  {
    pattern: /^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields/,
    shopify: ([, field, type]) => ({
      message: `Field must have selections (field '${field}' returns ${type} but has no selections. Did you mean '${field} { ... }'?)`,
      extensions: { code: "selectionMismatch", nodeName: `field '${field}'`, typeName: type },
    }),
  },
  {
    pattern:
      /^Fragment cannot be spread here as objects of type "([^"]+)" can never be of type "([^"]+)"\./,
    shopify: ([, parent, fragment]) => ({
      message: `Fragment on ${fragment} can't be spread inside ${parent}`,
      extensions: { code: "cannotSpreadFragment", typeName: fragment, parentName: parent },
    }),
  },
];

/**
 * A graphql-js validation error in Shopify's shape: the messages and `extensions.code`s of the
 * rules a client trips most (unknown field or argument, missing argument, selections on scalars or
 * missing ones) are graphql-ruby's, the others keep graphql-js's message with Shopify's generic
 * code. Shopify answers these with HTTP 200.
 */
export function toShopifyValidationError(error: GraphQLError): ShopifyGraphqlError {
  const locations = error.locations?.map(({ line, column }) => ({ line, column }));
  for (const { pattern, shopify } of VALIDATION_MESSAGES) {
    const match = pattern.exec(error.message);
    if (match) return { ...shopify(match), ...(locations ? { locations } : {}) };
  }
  return {
    message: error.message,
    ...(locations ? { locations } : {}),
    extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
  };
}

/**
 * Resolves a field from the fake's plain values (function-valued fields get the arguments). A
 * field the fake has no value for is an error that names it, instead of a silent `null` that
 * Shopify would never send.
 */
export const fakeFieldResolver: GraphQLFieldResolver<unknown, ResolveContext> = (
  source,
  args,
  context,
  info,
) => {
  const value = (source as Record<string, unknown> | null | undefined)?.[info.fieldName];
  if (value === undefined) {
    throw new Error(
      `The fake Shopify does not serve ${info.parentType.name}.${info.fieldName} yet; add it to packages/fake-shopify/src/admin-schema.ts.`,
    );
  }
  return typeof value === "function" ? value(args, context, info) : value;
};

/** Resolution context of one request. */
export interface ResolveContext {
  shopDomain: string;
  currencyCode: string;
  taxesIncluded: boolean;
  products: () => FakeProduct[];
  bulk: boolean;
  runBulk: (query: string) => unknown;
  bulkById: (id: string) => unknown;
  currentBulk: () => unknown;
}

/** Single-query maximum and the largest page allowed on a connection. */
export const MAX_QUERY_COST = 1000;
export const MAX_PAGE_SIZE = 250;

const encodeCursor = (index: number): string => Buffer.from(`cursor:${index}`).toString("base64");
const decodeCursor = (cursor: string | null | undefined): number => {
  if (!cursor) return -1;
  const match = /^cursor:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  return match ? Number(match[1]) : -1;
};

function connection<T>(
  items: readonly T[],
  args: { first?: number | null; after?: string | null },
  bulk: boolean,
) {
  const start = decodeCursor(args.after) + 1;
  if (!bulk && (args.first === undefined || args.first === null)) {
    throw new Error("you must provide one of first or last");
  }
  if (!bulk && (args.first as number) > MAX_PAGE_SIZE) {
    throw new Error(`The connection page size must be at most ${MAX_PAGE_SIZE}`);
  }
  const end = bulk ? items.length : Math.min(items.length, start + (args.first as number));
  const slice = items
    .slice(start, end)
    .map((node, offset) => ({ node, cursor: encodeCursor(start + offset) }));
  return {
    edges: slice,
    nodes: slice.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice.at(-1)?.cursor ?? null,
    },
  };
}

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(.+)$/;

/** Parses `gid://shopify/Type/id`. */
export function parseGid(gid: string): { type: string; id: string } | undefined {
  const match = GID.exec(gid);
  return match ? { type: match[1] as string, id: match[2] as string } : undefined;
}

function availableForSale(variant: FakeVariant): boolean {
  return (
    !variant.tracked || variant.inventoryQuantity > 0 || variant.inventoryPolicy === "CONTINUE"
  );
}

/** Builds the GraphQL value of a product (fields with arguments are functions). */
export function productValue(
  product: FakeProduct,
  context: ResolveContext,
): Record<string, unknown> {
  const gid = `gid://shopify/Product/${product.id}`;
  const self: Record<string, unknown> = {
    __typename: "Product",
    id: gid,
    legacyResourceId: product.id,
    handle: product.handle,
    title: product.title,
    descriptionHtml: product.descriptionHtml,
    vendor: product.vendor,
    productType: product.productType,
    tags: product.tags,
    status: product.status,
    onlineStoreUrl:
      product.status === "ACTIVE" && product.publishedToOnlineStore
        ? `https://${context.shopDomain}/products/${product.handle}`
        : null,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    category: product.category ? taxonomyValue(product.category) : null,
    featuredMedia: product.imageUrl
      ? {
          // `featuredMedia` is the `Media` interface; product images are `MediaImage`s.
          __typename: "MediaImage",
          id: `gid://shopify/MediaImage/${product.id}`,
          alt: product.title,
          mediaContentType: "IMAGE",
          status: "READY",
          image: { url: product.imageUrl, altText: product.title },
          preview: { status: "READY", image: { url: product.imageUrl, altText: product.title } },
        }
      : null,
    metafield: (args: { namespace?: string | null; key: string }) => {
      const found = product.metafields.find(
        (m) => m.key === args.key && m.namespace === (args.namespace ?? "app"),
      );
      return found ?? null;
    },
    variantsCount: { count: product.variants.length, precision: "EXACT" },
    variants: (args: { first?: number | null; after?: string | null }) =>
      connection(
        product.variants.map((v) => variantValue(v, product, context)),
        args,
        context.bulk,
      ),
  };
  return self;
}

function taxonomyValue(category: NonNullable<FakeProduct["category"]>): Record<string, unknown> {
  const depth = category.fullName.split(" > ").length;
  return {
    __typename: "TaxonomyCategory",
    ...category,
    isLeaf: true,
    level: depth,
    ancestorIds: [],
  };
}

/** Builds the GraphQL value of a variant. */
export function variantValue(
  variant: FakeVariant,
  product: FakeProduct,
  context: ResolveContext,
): Record<string, unknown> {
  const value: Record<string, unknown> = {
    __typename: "ProductVariant",
    id: `gid://shopify/ProductVariant/${variant.id}`,
    legacyResourceId: variant.id,
    title: variant.title,
    sku: variant.sku,
    barcode: variant.barcode,
    price: variant.price,
    compareAtPrice: variant.compareAtPrice,
    inventoryQuantity: variant.inventoryQuantity,
    availableForSale: availableForSale(variant),
    selectedOptions: variant.options,
    product: () => productValue(product, context),
  };
  value.inventoryItem = () => inventoryItemValue(variant.inventoryItemId, context);
  return value;
}

/** Every variant (with its product) whose stock is the inventory item `inventoryItemId`. */
function variantsOfInventoryItem(
  inventoryItemId: string,
  context: ResolveContext,
): [FakeVariant, FakeProduct][] {
  const found: [FakeVariant, FakeProduct][] = [];
  for (const product of context.products()) {
    for (const variant of product.variants) {
      if (variant.inventoryItemId === inventoryItemId) found.push([variant, product]);
    }
  }
  return found;
}

/**
 * Builds the GraphQL value of an inventory item. Its `variants` is a connection: since 2026-01 an
 * inventory item can stock several variants, possibly of several products (the deprecated
 * singular `variant` is not served).
 */
export function inventoryItemValue(
  inventoryItemId: string,
  context: ResolveContext,
): Record<string, unknown> | null {
  const stocked = variantsOfInventoryItem(inventoryItemId, context);
  if (stocked.length === 0) return null;
  return {
    __typename: "InventoryItem",
    id: `gid://shopify/InventoryItem/${inventoryItemId}`,
    legacyResourceId: inventoryItemId,
    tracked: stocked[0]?.[0].tracked ?? true,
    variants: (args: { first?: number | null; after?: string | null }) =>
      connection(
        stocked.map(([variant, product]) => variantValue(variant, product, context)),
        args,
        context.bulk,
      ),
  };
}

function filterProducts(products: FakeProduct[], search: string | null | undefined): FakeProduct[] {
  if (!search?.trim()) return products;
  const terms = search
    .split(/\s+AND\s+|\s+/i)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  return products.filter((product) =>
    terms.every((term) => {
      const [field, ...rest] = term.split(":");
      const value = rest.join(":").replace(/^['"]|['"]$/g, "");
      switch (field?.toLowerCase()) {
        case "status":
          return value.split(",").some((s) => s.trim().toUpperCase() === product.status);
        case "vendor":
          return product.vendor === value;
        case "id":
          return product.id === value;
        case "updated_at":
          return value.startsWith(">") ? product.updatedAt > value.replace(/^>=?/, "") : true;
        default:
          return true;
      }
    }),
  );
}

function findNode(gid: string, context: ResolveContext): unknown {
  const parsed = parseGid(gid);
  if (!parsed) return null;
  const products = context.products();
  switch (parsed.type) {
    case "Product": {
      const product = products.find((p) => p.id === parsed.id);
      return product ? productValue(product, context) : null;
    }
    case "ProductVariant": {
      for (const product of products) {
        const variant = product.variants.find((v) => v.id === parsed.id);
        if (variant) return variantValue(variant, product, context);
      }
      return null;
    }
    case "InventoryItem":
      return inventoryItemValue(parsed.id, context);
    case "BulkOperation":
      return context.bulkById(gid);
    default:
      return null;
  }
}

/** Root resolvers (graphql-js calls function-valued fields with `(args, context)`). */
export const rootValue = {
  shop: (_args: unknown, context: ResolveContext) => ({
    name: context.shopDomain.replace(".myshopify.com", ""),
    myshopifyDomain: context.shopDomain,
    currencyCode: context.currencyCode,
    taxesIncluded: context.taxesIncluded,
  }),
  product: (args: { id: string }, context: ResolveContext) => {
    const node = findNode(args.id, context) as { __typename?: string } | null;
    return node?.__typename === "Product" ? node : null;
  },
  productVariant: (args: { id: string }, context: ResolveContext) => {
    const node = findNode(args.id, context) as { __typename?: string } | null;
    return node?.__typename === "ProductVariant" ? node : null;
  },
  products: (
    args: { first?: number | null; after?: string | null; query?: string | null },
    context: ResolveContext,
  ) =>
    connection(
      filterProducts(context.products(), args.query).map((p) => productValue(p, context)),
      args,
      context.bulk,
    ),
  nodes: (args: { ids: string[] }, context: ResolveContext) => {
    if (args.ids.length > MAX_PAGE_SIZE)
      throw new Error(`nodes accepts at most ${MAX_PAGE_SIZE} ids`);
    return args.ids.map((id) => findNode(id, context));
  },
  node: (args: { id: string }, context: ResolveContext) => findNode(args.id, context),
  inventoryItem: (args: { id: string }, context: ResolveContext) => {
    const node = findNode(args.id, context) as { __typename?: string } | null;
    return node?.__typename === "InventoryItem" ? node : null;
  },
  currentBulkOperation: (_args: unknown, context: ResolveContext) => context.currentBulk(),
  bulkOperationRunQuery: (args: { query: string }, context: ResolveContext) =>
    context.runBulk(args.query),
};

/**
 * Requested cost, computed the way Shopify documents it: objects cost 1, scalars and enums 0,
 * a connection 2 plus `first` times the cost of one node, a list argument (`nodes(ids:)`) its
 * length times one element; mutations cost 10.
 */
export function requestedCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const root =
    operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  if (!root) return 0;
  const argValue = (field: FieldNode, name: string): unknown => {
    const arg = field.arguments?.find((a) => a.name.value === name);
    if (!arg) return undefined;
    if (arg.value.kind === Kind.VARIABLE) return variables[arg.value.name.value];
    if (arg.value.kind === Kind.INT) return Number(arg.value.value);
    if (arg.value.kind === Kind.LIST) return arg.value.values;
    return undefined;
  };
  const selectionCost = (
    type: GraphQLCompositeType,
    selectionSet: SelectionSetNode | undefined,
  ): number => {
    if (!selectionSet) return 0;
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : type;
        if (condition && isCompositeType(condition))
          total += selectionCost(condition, selection.selectionSet);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const condition = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
        if (fragment && condition && isCompositeType(condition))
          total += selectionCost(condition, fragment.selectionSet);
        continue;
      }
      if (!(isObjectType(type) || isInterfaceType(type))) continue;
      const definition = (type as GraphQLObjectType).getFields()[selection.name.value];
      if (!definition) continue;
      const named = getNamedType(definition.type);
      if (!isCompositeType(named)) continue;
      if (named.name.endsWith("Connection")) {
        const first = Number(argValue(selection, "first") ?? 0);
        const connectionType = named as GraphQLObjectType;
        const nodeType = getNamedType(
          connectionType.getFields().nodes?.type ?? connectionType.getFields().edges?.type,
        );
        let nodeCost = 0;
        for (const inner of selection.selectionSet?.selections ?? []) {
          if (inner.kind !== Kind.FIELD) continue;
          if (inner.name.value === "nodes" && isCompositeType(nodeType))
            nodeCost += 1 + selectionCost(nodeType, inner.selectionSet);
          if (inner.name.value === "edges") {
            for (const edgeField of inner.selectionSet?.selections ?? []) {
              if (
                edgeField.kind === Kind.FIELD &&
                edgeField.name.value === "node" &&
                isCompositeType(nodeType)
              ) {
                nodeCost += 1 + selectionCost(nodeType, edgeField.selectionSet);
              }
            }
          }
        }
        total += 2 + first * nodeCost;
        continue;
      }
      const ids = argValue(selection, "ids");
      const multiplier = Array.isArray(ids) ? ids.length : 1;
      total += multiplier * (1 + selectionCost(named, selection.selectionSet));
    }
    return total;
  };
  const cost = selectionCost(root, operation.selectionSet);
  return operation.operation === "mutation" ? 10 + cost : Math.max(1, cost);
}

/** Reads the operation's variables with their declared types (for cost). */
export function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (out[name] === undefined && definition.defaultValue) {
      const type = typeFromAST(schema, definition.type as Parameters<typeof typeFromAST>[1]);
      if (type && isInputType(type)) out[name] = valueFromAST(definition.defaultValue, type);
    }
  }
  return out;
}

/**
 * Flattens a bulk query result into JSONL objects: each node of a connection becomes its own line,
 * nested connection nodes carry `__parentId` (the GID of the enclosing node) and are removed from
 * their parent, like Shopify's bulk output.
 */
export function flattenBulkResult(data: Record<string, unknown>): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const isConnection = (
    value: unknown,
  ): value is { edges?: { node: Record<string, unknown> }[]; nodes?: Record<string, unknown>[] } =>
    !!value && typeof value === "object" && ("edges" in value || "nodes" in value);
  const visitNode = (node: Record<string, unknown>, parentId: string | undefined): void => {
    const copy: Record<string, unknown> = {};
    const children: [Record<string, unknown>, string][] = [];
    for (const [key, value] of Object.entries(node)) {
      if (isConnection(value)) {
        for (const child of value.edges?.map((e) => e.node) ?? value.nodes ?? [])
          children.push([child, node.id as string]);
      } else {
        copy[key] = value;
      }
    }
    if (parentId) copy.__parentId = parentId;
    lines.push(copy);
    for (const [child, parent] of children) visitNode(child, parent);
  };
  for (const value of Object.values(data)) {
    if (isConnection(value))
      for (const node of value.edges?.map((e) => e.node) ?? value.nodes ?? [])
        visitNode(node, undefined);
  }
  return lines;
}
