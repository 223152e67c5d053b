import {
  buildSchema,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
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

/** The subset of the Admin GraphQL schema (2026-10) the fake serves. */
export const ADMIN_SDL = /* GraphQL */ `
  scalar URL
  scalar DateTime
  scalar Money
  scalar HTML
  scalar UnsignedInt64

  interface Node { id: ID! }

  type Query {
    shop: Shop!
    product(id: ID!): Product
    products(first: Int, after: String, query: String): ProductConnection!
    productVariant(id: ID!): ProductVariant
    nodes(ids: [ID!]!): [Node]!
    node(id: ID!): Node
    inventoryItem(id: ID!): InventoryItem
    currentBulkOperation(type: BulkOperationType): BulkOperation
  }

  type Mutation {
    bulkOperationRunQuery(query: String!, groupObjects: Boolean): BulkOperationRunQueryPayload
  }

  type Shop {
    name: String!
    myshopifyDomain: String!
    currencyCode: String!
    taxesIncluded: Boolean!
  }

  enum ProductStatus { ACTIVE ARCHIVED DRAFT UNLISTED }

  type Product implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    handle: String!
    title: String!
    descriptionHtml: HTML!
    vendor: String!
    productType: String!
    tags: [String!]!
    status: ProductStatus!
    onlineStoreUrl: URL
    createdAt: DateTime!
    updatedAt: DateTime!
    category: TaxonomyCategory
    featuredMedia: MediaImage
    metafield(namespace: String, key: String!): Metafield
    variantsCount: Count
    variants(first: Int, after: String): ProductVariantConnection!
  }

  type Count { count: Int! precision: String! }

  type TaxonomyCategory implements Node {
    id: ID!
    name: String!
    fullName: String!
    isLeaf: Boolean!
    level: Int!
    ancestorIds: [ID!]!
  }

  type MediaImage implements Node { id: ID! preview: MediaPreviewImage }
  type MediaPreviewImage { image: Image }
  type Image { url: URL! altText: String width: Int height: Int }

  type Metafield { namespace: String! key: String! type: String! value: String! }

  type SelectedOption { name: String! value: String! }

  type ProductVariant implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    title: String!
    sku: String
    barcode: String
    price: Money!
    compareAtPrice: Money
    inventoryQuantity: Int
    availableForSale: Boolean!
    selectedOptions: [SelectedOption!]!
    inventoryItem: InventoryItem!
    product: Product!
  }

  type InventoryItem implements Node { id: ID! tracked: Boolean! variant: ProductVariant! }

  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
  type ProductEdge { cursor: String! node: Product! }
  type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }
  type ProductVariantEdge { cursor: String! node: ProductVariant! }
  type ProductVariantConnection { edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo! }

  enum BulkOperationStatus { CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }
  enum BulkOperationType { MUTATION QUERY }
  enum BulkOperationErrorCode { ACCESS_DENIED INTERNAL_SERVER_ERROR TIMEOUT }

  type BulkOperation implements Node {
    id: ID!
    status: BulkOperationStatus!
    errorCode: BulkOperationErrorCode
    objectCount: UnsignedInt64!
    rootObjectCount: UnsignedInt64!
    url: URL
    partialDataUrl: URL
    query: String!
    type: BulkOperationType!
    createdAt: DateTime!
    completedAt: DateTime
  }

  type BulkOperationUserError { field: [String!] message: String! code: String }
  type BulkOperationRunQueryPayload { bulkOperation: BulkOperation userErrors: [BulkOperationUserError!]! }
`;

/** Builds the executable schema once. */
export function buildAdminSchema(): GraphQLSchema {
  return buildSchema(ADMIN_SDL);
}

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
          __typename: "MediaImage",
          id: `gid://shopify/MediaImage/${product.id}`,
          preview: { image: { url: product.imageUrl, altText: product.title } },
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
  value.inventoryItem = {
    __typename: "InventoryItem",
    id: `gid://shopify/InventoryItem/${variant.inventoryItemId}`,
    tracked: variant.tracked,
    variant: () => value,
  };
  return value;
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
    case "InventoryItem": {
      for (const product of products) {
        const variant = product.variants.find((v) => v.inventoryItemId === parsed.id);
        if (variant) return variantValue(variant, product, context).inventoryItem;
      }
      return null;
    }
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
