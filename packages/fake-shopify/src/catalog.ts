/** The fake's own product model; GraphQL and webhook payloads are derived from it. */
export type FakeProductStatus = "ACTIVE" | "ARCHIVED" | "DRAFT" | "UNLISTED";

/** A Standard Product Taxonomy node. */
export interface FakeTaxonomyCategory {
  /** `gid://shopify/TaxonomyCategory/aa-1-13-8` */
  id: string;
  name: string;
  fullName: string;
}

export interface FakeVariant {
  /** Numeric id as a string (may exceed 2^53). */
  id: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  inventoryQuantity: number;
  tracked: boolean;
  inventoryPolicy: "DENY" | "CONTINUE";
  options: { name: string; value: string }[];
  inventoryItemId: string;
}

export interface FakeMetafield {
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface FakeProduct {
  /** Numeric id as a string (may exceed 2^53). */
  id: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  tags: string[];
  status: FakeProductStatus;
  /** Published to the Online Store sales channel. */
  publishedToOnlineStore: boolean;
  createdAt: string;
  updatedAt: string;
  category: FakeTaxonomyCategory | null;
  imageUrl: string | null;
  metafields: FakeMetafield[];
  variants: FakeVariant[];
}

/** A few real Standard Product Taxonomy categories. */
export const TAXONOMY: readonly FakeTaxonomyCategory[] = [
  {
    id: "gid://shopify/TaxonomyCategory/aa-1-13-8",
    name: "T-Shirts",
    fullName: "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts",
  },
  {
    id: "gid://shopify/TaxonomyCategory/aa-1-12-2",
    name: "Jeans",
    fullName: "Apparel & Accessories > Clothing > Pants > Jeans",
  },
  {
    id: "gid://shopify/TaxonomyCategory/aa-8-8",
    name: "Sneakers",
    fullName: "Apparel & Accessories > Shoes > Sneakers",
  },
  {
    id: "gid://shopify/TaxonomyCategory/hg-11-10-3",
    name: "Mugs",
    fullName: "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs",
  },
  {
    id: "gid://shopify/TaxonomyCategory/el-4-2",
    name: "Headphones",
    fullName: "Electronics > Audio > Audio Components > Headphones & Headsets > Headphones",
  },
  {
    id: "gid://shopify/TaxonomyCategory/sg-4-17-2-17",
    name: "Yoga Mats",
    fullName:
      "Sporting Goods > Athletics > General Purpose Athletic Equipment > Exercise & Fitness > Yoga Mats",
  },
];

const VENDORS = ["Acme Outfitters", "Nordwind", "Café & Co", "Blue Fjord", "Ōkami Works"];
const NOUNS = ["Shirt", "Jeans", "Runner", "Mug", "Headphones", "Mat", "Hoodie", "Cap"];
const ADJECTIVES = [
  "Classic",
  "Organic",
  "Lightweight",
  "Vintage",
  "Everyday",
  "Premium",
  "Recycled",
];
const SIZES = ["S", "M", "L", "XL"];
const COLORS = ["Black", "White", "Navy", "Olive"];

/** A deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link generateCatalog}. */
export interface CatalogOptions {
  seed?: number;
  /** Products to generate. Default 40. */
  products?: number;
  /**
   * First product id. Default `9007199254740993` (2^53 + 1) so ids cannot be handled as JS numbers
   * without losing digits.
   */
  firstProductId?: bigint;
  /** Epoch ms used for `createdAt`/`updatedAt`. */
  now?: number;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function money(value: number): string {
  return value.toFixed(2);
}

/**
 * A deterministic catalog: mostly active, published products, with and without variants, sale
 * prices (compare-at), taxonomy categories, vendors and a brand metafield; plus the cases that
 * must not be indexed: product 3 is DRAFT, 5 ARCHIVED, 7 UNLISTED and 9 ACTIVE but not on the
 * Online Store (then every 10th from there on).
 */
export function generateCatalog(options: CatalogOptions = {}): FakeProduct[] {
  const random = seededRandom(options.seed ?? 42);
  const count = options.products ?? 40;
  const firstId = options.firstProductId ?? 9007199254740993n;
  const timestamp = new Date(options.now ?? Date.UTC(2026, 10, 1, 12, 0, 0)).toISOString();
  let variantId = 48000000000000n;
  let inventoryItemId = 50000000000000n;
  const products: FakeProduct[] = [];
  for (let index = 0; index < count; index += 1) {
    const id = (firstId + BigInt(index) * 7n).toString();
    const title = `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)} ${index + 1}`;
    const category = index % 11 === 10 ? null : pick(random, TAXONOMY);
    const vendor = pick(random, VENDORS);
    const withVariants = index % 3 === 1;
    const base = Math.round((8 + random() * 120) * 100) / 100;
    const variants: FakeVariant[] = [];
    const variantCount = withVariants ? 2 + (index % 3) : 1;
    for (let v = 0; v < variantCount; v += 1) {
      const size = SIZES[v % SIZES.length] as string;
      const color = COLORS[(index + v) % COLORS.length] as string;
      const price = base + v * 2;
      const onSale = (index + v) % 4 === 0;
      variantId += 1n;
      inventoryItemId += 1n;
      variants.push({
        id: variantId.toString(),
        title: withVariants ? `${size} / ${color}` : "Default Title",
        sku: `SKU-${index + 1}-${v + 1}`,
        barcode: v === 0 ? `400000${String(index).padStart(6, "0")}` : null,
        price: money(price),
        compareAtPrice: onSale ? money(price * 1.25) : index % 5 === 4 ? money(price) : null,
        inventoryQuantity: (index * 3 + v * 5) % 17,
        tracked: index % 8 !== 6,
        inventoryPolicy: index % 13 === 12 ? "CONTINUE" : "DENY",
        options: withVariants
          ? [
              { name: "Size", value: size },
              { name: "Color", value: color },
            ]
          : [{ name: "Title", value: "Default Title" }],
        inventoryItemId: inventoryItemId.toString(),
      });
    }
    const position = index + 1;
    const status: FakeProductStatus =
      position === 3
        ? "DRAFT"
        : position === 5
          ? "ARCHIVED"
          : position === 7
            ? "UNLISTED"
            : "ACTIVE";
    const published = status === "ACTIVE" && position % 10 !== 9;
    products.push({
      id,
      handle: title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, ""),
      title,
      descriptionHtml: `<p>The <strong>${title}</strong> by ${vendor.replace("&", "&amp;")}.</p><ul><li>Made to last</li><li>Ships in 2 days</li></ul>`,
      vendor,
      productType: category?.name ?? "Misc",
      tags: index % 2 === 0 ? ["new", "bestseller"] : ["sale"],
      status,
      publishedToOnlineStore: published,
      createdAt: timestamp,
      updatedAt: timestamp,
      category,
      imageUrl:
        index % 6 === 5 ? null : `https://cdn.shopify.com/s/files/1/0000/0001/products/${id}.jpg`,
      metafields: [
        {
          namespace: "custom",
          key: "brand",
          type: "single_line_text_field",
          value: `${vendor} Label`,
        },
      ],
      variants,
    });
  }
  return products;
}
