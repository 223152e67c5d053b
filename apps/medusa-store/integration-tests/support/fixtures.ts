import type { MedusaContainer } from "@medusajs/framework/types";
import {
  createApiKeysWorkflow,
  createProductCategoriesWorkflow,
  createProductsWorkflow,
} from "@medusajs/medusa/core-flows";

export interface ProductInput {
  title: string;
  handle?: string;
  status?: "published" | "draft";
  prices?: Array<{ amount: number; currency_code: string }>;
  category_ids?: string[];
  metadata?: Record<string, unknown>;
  sales_channels?: Array<{ id: string }>;
}

/** Creates one product through Medusa's own workflow, so every event fires as in production. */
export async function createProduct(
  container: MedusaContainer,
  input: ProductInput,
): Promise<string> {
  const { result } = await createProductsWorkflow(container).run({
    input: {
      products: [
        {
          title: input.title,
          handle: input.handle ?? input.title.toLowerCase().replace(/\W+/g, "-"),
          status: input.status ?? "published",
          ...(input.category_ids ? { category_ids: input.category_ids } : {}),
          ...(input.metadata ? { metadata: input.metadata } : {}),
          ...(input.sales_channels ? { sales_channels: input.sales_channels } : {}),
          options: [{ title: "Size", values: ["M"] }],
          variants: [
            {
              title: "M",
              sku: `${input.title.toUpperCase().replace(/\W+/g, "-")}-M`,
              options: { Size: "M" },
              manage_inventory: false,
              prices: input.prices ?? [{ amount: 50, currency_code: "eur" }],
            },
          ],
        },
      ],
    },
  });
  return result[0]?.id as string;
}

/** Apparel > Shoes > Trail, returning the ids root first. */
export async function createCategoryTree(
  container: MedusaContainer,
): Promise<{ apparel: string; shoes: string; trail: string }> {
  const create = async (name: string, parent?: string) => {
    const { result } = await createProductCategoriesWorkflow(container).run({
      input: {
        product_categories: [
          {
            name,
            handle: name.toLowerCase(),
            is_active: true,
            ...(parent ? { parent_category_id: parent } : {}),
          },
        ],
      },
    });
    return result[0]?.id as string;
  };
  const apparel = await create("Apparel");
  const shoes = await create("Shoes", apparel);
  const trail = await create("Trail", shoes);
  return { apparel, shoes, trail };
}

/** An admin secret API key's Basic auth header, for calling the plugin's admin routes. */
export async function adminHeaders(container: MedusaContainer): Promise<Record<string, string>> {
  const { result } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "integration tests", type: "secret", created_by: "test" }] },
  });
  const token = result[0]?.token as string;
  return { Authorization: `Basic ${Buffer.from(`${token}:`).toString("base64")}` };
}

/** A publishable key header, which Medusa requires on every /store route. */
export async function storeHeaders(container: MedusaContainer): Promise<Record<string, string>> {
  const { result } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "storefront", type: "publishable", created_by: "test" }] },
  });
  return { "x-publishable-api-key": result[0]?.token as string };
}
