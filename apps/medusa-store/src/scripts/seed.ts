import type { ExecArgs, MedusaContainer } from "@medusajs/framework/types";
import { ContainerRegistrationKeys, Modules, ProductStatus } from "@medusajs/framework/utils";
import {
  createApiKeysWorkflow,
  createCollectionsWorkflow,
  createInventoryLevelsWorkflow,
  createProductCategoriesWorkflow,
  createProductsWorkflow,
  createProductTagsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createStockLocationsWorkflow,
  createTaxRegionsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
  updateStoresWorkflow,
} from "@medusajs/medusa/core-flows";

type Money = { eur: number; usd: number; gbp: number };

interface SeedProduct {
  title: string;
  description: string;
  brand: string;
  category: string;
  collection?: string;
  tags: string[];
  options: Record<string, string[]>;
  price: Money;
  status?: "published" | "draft";
}

/** Category tree: parent → children; leaves are what products are filed under. */
const CATEGORY_TREE: Record<string, string[]> = {
  Apparel: ["Men", "Women"],
  Men: ["Jackets", "Shirts"],
  Women: ["Dresses", "Knitwear"],
  Footwear: ["Running", "Hiking"],
  Running: ["Trail", "Road"],
  Accessories: ["Bags", "Hats"],
};

const PRODUCTS: SeedProduct[] = [
  {
    title: "Storm Shell Jacket",
    brand: "Nordwand",
    category: "Jackets",
    collection: "Autumn Outdoors",
    tags: ["waterproof", "outdoor"],
    options: { Size: ["S", "M", "L", "XL"], Color: ["Black", "Moss"] },
    price: { eur: 189, usd: 209, gbp: 165 },
    description:
      "<p>Three-layer <strong>waterproof</strong> shell with taped seams and a helmet-compatible hood.</p>",
  },
  {
    title: "Down Puffer Jacket",
    brand: "Nordwand",
    category: "Jackets",
    collection: "Autumn Outdoors",
    tags: ["insulated", "outdoor"],
    options: { Size: ["S", "M", "L"] },
    price: { eur: 229, usd: 249, gbp: 199 },
    description: "<p>750-fill responsibly sourced down. Packs into its own pocket.</p>",
  },
  {
    title: "Oxford Button-Down Shirt",
    brand: "Hartley & Co",
    category: "Shirts",
    tags: ["cotton", "office"],
    options: { Size: ["S", "M", "L", "XL"], Color: ["White", "Blue"] },
    price: { eur: 59, usd: 65, gbp: 52 },
    description: "<p>Heavy Oxford cotton, soft collar roll, mother-of-pearl buttons.</p>",
  },
  {
    title: "Linen Camp Shirt",
    brand: "Hartley & Co",
    category: "Shirts",
    collection: "Summer Edit",
    tags: ["linen", "summer"],
    options: { Size: ["M", "L"] },
    price: { eur: 69, usd: 75, gbp: 60 },
    description: "<p>Breathable European linen with a relaxed camp collar.</p>",
  },
  {
    title: "Wrap Midi Dress",
    brand: "Maison Lune",
    category: "Dresses",
    collection: "Summer Edit",
    tags: ["viscose", "summer"],
    options: { Size: ["XS", "S", "M", "L"], Color: ["Terracotta", "Navy"] },
    price: { eur: 119, usd: 129, gbp: 99 },
    description: "<p>Fluid viscose wrap dress with adjustable tie waist.</p>",
  },
  {
    title: "Merino Crew Sweater",
    brand: "Maison Lune",
    category: "Knitwear",
    collection: "Autumn Outdoors",
    tags: ["merino", "wool"],
    options: { Size: ["S", "M", "L"], Color: ["Oat", "Charcoal"] },
    price: { eur: 99, usd: 109, gbp: 85 },
    description: "<p>Extra-fine 18.5 micron merino, machine washable.</p>",
  },
  {
    title: "Ridge Trail Runner",
    brand: "Altra Via",
    category: "Trail",
    tags: ["running", "grip"],
    options: { Size: ["40", "41", "42", "43", "44", "45"] },
    price: { eur: 149, usd: 159, gbp: 129 },
    description: "<p>5 mm lugs, rock plate and a roomy toe box for long mountain days.</p>",
  },
  {
    title: "Tempo Road Shoe",
    brand: "Altra Via",
    category: "Road",
    tags: ["running", "lightweight"],
    options: { Size: ["40", "41", "42", "43", "44"] },
    price: { eur: 139, usd: 149, gbp: 119 },
    description: "<p>Nitrogen-infused foam and a carbon-infused plate for tempo runs.</p>",
  },
  {
    title: "Summit Hiking Boot",
    brand: "Nordwand",
    category: "Hiking",
    collection: "Autumn Outdoors",
    tags: ["waterproof", "leather"],
    options: { Size: ["39", "40", "41", "42", "43", "44", "45"] },
    price: { eur: 199, usd: 219, gbp: 175 },
    description: "<p>Full-grain leather upper, waterproof membrane, Vibram sole.</p>",
  },
  {
    title: "Waxed Canvas Weekender",
    brand: "Hartley & Co",
    category: "Bags",
    tags: ["canvas", "travel"],
    options: { Color: ["Olive", "Tan"] },
    price: { eur: 159, usd: 175, gbp: 139 },
    description: "<p>Waxed cotton canvas and bridle leather; fits cabin-size limits.</p>",
  },
  {
    title: "Rolltop Commuter Backpack",
    brand: "Nordwand",
    category: "Bags",
    tags: ["waterproof", "commute"],
    options: { Color: ["Black"] },
    price: { eur: 109, usd: 119, gbp: 95 },
    description: '<p>Welded rolltop, padded 16" laptop sleeve, reflective details.</p>',
  },
  {
    title: "Ribbed Beanie",
    brand: "Maison Lune",
    category: "Hats",
    collection: "Autumn Outdoors",
    tags: ["wool"],
    options: { Color: ["Oat", "Rust", "Charcoal"] },
    price: { eur: 29, usd: 32, gbp: 25 },
    description: "<p>Lambswool rib knit, one size.</p>",
  },
  {
    title: "Prototype Sandal (unreleased)",
    brand: "Altra Via",
    category: "Road",
    tags: ["summer"],
    options: { Size: ["42"] },
    price: { eur: 89, usd: 95, gbp: 79 },
    status: "draft",
    description: "<p>Not announced yet: must never reach search.</p>",
  },
];

function combinations(options: Record<string, string[]>): Array<Record<string, string>> {
  return Object.entries(options).reduce<Array<Record<string, string>>>(
    (acc, [title, values]) =>
      acc.flatMap((combo) => values.map((value) => ({ ...combo, [title]: value }))),
    [{}],
  );
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * A small but realistic multi-currency catalog: EU/US/UK regions with tax, nested categories,
 * collections, tags, variants with stock, a draft product. Used by `pnpm seed` for the demo and
 * by the full-resync integration spec.
 */
export async function seedCatalog(
  container: MedusaContainer,
): Promise<{ productIds: string[]; publishableKey: string }> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER);
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const storeModule = container.resolve(Modules.STORE);

  const { result: channels } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: "Webshop" }] },
  });
  const channelId = channels[0]?.id as string;

  const [store] = await storeModule.listStores();
  if (store) {
    await updateStoresWorkflow(container).run({
      input: {
        selector: { id: store.id },
        update: {
          supported_currencies: [
            { currency_code: "eur", is_default: true },
            { currency_code: "usd" },
            { currency_code: "gbp" },
          ],
          default_sales_channel_id: channelId,
        },
      },
    });
  }

  await createRegionsWorkflow(container).run({
    input: {
      regions: [
        {
          name: "Europe",
          currency_code: "eur",
          countries: ["de", "fr", "es", "it", "nl"],
          payment_providers: ["pp_system_default"],
          automatic_taxes: true,
        },
        {
          name: "United States",
          currency_code: "usd",
          countries: ["us"],
          payment_providers: ["pp_system_default"],
          automatic_taxes: true,
        },
        {
          name: "United Kingdom",
          currency_code: "gbp",
          countries: ["gb"],
          payment_providers: ["pp_system_default"],
          automatic_taxes: true,
        },
      ],
    },
  });
  await createTaxRegionsWorkflow(container).run({
    input: [
      {
        country_code: "de",
        provider_id: "tp_system",
        default_tax_rate: { rate: 19, code: "DE19", name: "MwSt" },
      },
      {
        country_code: "fr",
        provider_id: "tp_system",
        default_tax_rate: { rate: 20, code: "FR20", name: "TVA" },
      },
      {
        country_code: "es",
        provider_id: "tp_system",
        default_tax_rate: { rate: 21, code: "ES21", name: "IVA" },
      },
      {
        country_code: "it",
        provider_id: "tp_system",
        default_tax_rate: { rate: 22, code: "IT22", name: "IVA" },
      },
      {
        country_code: "nl",
        provider_id: "tp_system",
        default_tax_rate: { rate: 21, code: "NL21", name: "BTW" },
      },
      {
        country_code: "gb",
        provider_id: "tp_system",
        default_tax_rate: { rate: 20, code: "GB20", name: "VAT" },
      },
      { country_code: "us", provider_id: "tp_system" },
    ],
  });

  const { result: locations } = await createStockLocationsWorkflow(container).run({
    input: {
      locations: [
        {
          name: "Rotterdam warehouse",
          address: { address_1: "Waalhaven 1", city: "Rotterdam", country_code: "nl" },
        },
      ],
    },
  });
  const locationId = locations[0]?.id as string;
  await linkSalesChannelsToStockLocationWorkflow(container).run({
    input: { id: locationId, add: [channelId] },
  });

  const { result: keys } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "Storefront", type: "publishable", created_by: "seed" }] },
  });
  const publishableKey = keys[0] as { id: string; token: string };
  await linkSalesChannelsToApiKeyWorkflow(container).run({
    input: { id: publishableKey.id, add: [channelId] },
  });

  // Categories, parents before children.
  const categoryIds = new Map<string, string>();
  const roots = Object.keys(CATEGORY_TREE).filter(
    (name) => !Object.values(CATEGORY_TREE).some((children) => children.includes(name)),
  );
  const createCategory = async (name: string, parent?: string): Promise<void> => {
    const { result } = await createProductCategoriesWorkflow(container).run({
      input: {
        product_categories: [
          {
            name,
            handle: slug(name),
            is_active: true,
            ...(parent ? { parent_category_id: categoryIds.get(parent) as string } : {}),
          },
        ],
      },
    });
    categoryIds.set(name, result[0]?.id as string);
    for (const child of CATEGORY_TREE[name] ?? []) await createCategory(child, name);
  };
  for (const root of roots) await createCategory(root);

  const collectionTitles = [
    ...new Set(PRODUCTS.map((p) => p.collection).filter((c): c is string => !!c)),
  ];
  const { result: collections } = await createCollectionsWorkflow(container).run({
    input: { collections: collectionTitles.map((title) => ({ title, handle: slug(title) })) },
  });
  const collectionIds = new Map(collections.map((c) => [c.title, c.id]));

  const tagValues = [...new Set(PRODUCTS.flatMap((p) => p.tags))];
  const { result: tags } = await createProductTagsWorkflow(container).run({
    input: { product_tags: tagValues.map((value) => ({ value })) },
  });
  const tagIds = new Map(tags.map((t) => [t.value, t.id]));

  const { result: products } = await createProductsWorkflow(container).run({
    input: {
      products: PRODUCTS.map((p) => ({
        title: p.title,
        handle: slug(p.title),
        description: p.description,
        status: p.status === "draft" ? ProductStatus.DRAFT : ProductStatus.PUBLISHED,
        metadata: { brand: p.brand },
        category_ids: [categoryIds.get(p.category) as string],
        ...(p.collection ? { collection_id: collectionIds.get(p.collection) as string } : {}),
        tag_ids: p.tags.map((t) => tagIds.get(t) as string),
        sales_channels: [{ id: channelId }],
        options: Object.entries(p.options).map(([title, values]) => ({ title, values })),
        variants: combinations(p.options).map((combo) => ({
          title: Object.values(combo).join(" / "),
          sku: `${slug(p.title)}-${Object.values(combo).map(slug).join("-")}`.toUpperCase(),
          options: combo,
          manage_inventory: true,
          prices: [
            { amount: p.price.eur, currency_code: "eur" },
            { amount: p.price.usd, currency_code: "usd" },
            { amount: p.price.gbp, currency_code: "gbp" },
          ],
        })),
      })),
    },
  });

  const { data: items } = await query.graph({ entity: "inventory_item", fields: ["id", "sku"] });
  await createInventoryLevelsWorkflow(container).run({
    input: {
      // Deterministic stock between 0 and 24 per SKU, so some variants are sold out.
      inventory_levels: items.map((item: { id: string; sku?: string | null }) => ({
        inventory_item_id: item.id,
        location_id: locationId,
        stocked_quantity: [...(item.sku ?? "")].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % 25,
      })),
    },
  });

  logger.info(
    `Seeded ${products.length} products (${items.length} SKUs), ${categoryIds.size} categories, 3 regions. Publishable key: ${publishableKey.token}`,
  );
  return { productIds: products.map((p) => p.id), publishableKey: publishableKey.token };
}

/** `pnpm --filter medusa-store seed` (medusa exec). */
export default async function seed({ container }: ExecArgs): Promise<void> {
  await seedCatalog(container);
}
