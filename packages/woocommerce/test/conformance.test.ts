import { type ExpectedProduct, runCatalogSourceConformance } from "@neuroon/core/testing";
import { type FakeStore, generateCatalog } from "@neuroon/fake-woocommerce";
import { createWooCatalogSource } from "../src/index.js";
import { AT, startStore } from "./helpers.js";

/**
 * What the store must map to, read from the fake's own state: published, searchable, priced
 * products without a password (a variable one through its enabled, priced variations), each
 * variation as `parent:variation`.
 */
function expectedCatalog(store: FakeStore): ExpectedProduct[] {
  const expected: ExpectedProduct[] = [];
  for (const product of store.products.values()) {
    if (product.status !== "publish" || product.type === "grouped") continue;
    if (product.post_password !== "") continue;
    if (product.catalog_visibility !== "visible" && product.catalog_visibility !== "search") {
      continue;
    }
    const parentId = String(product.id);
    if (product.type !== "variable") {
      if (product.regular_price !== "") expected.push({ externalId: parentId, name: product.name });
      continue;
    }
    const variations = store
      .variationsOf(product.id)
      .filter((v) => v.status === "publish" && v.regular_price !== "");
    if (variations.length === 0) continue;
    expected.push({ externalId: parentId, name: product.name });
    for (const v of variations) {
      expected.push({ externalId: `${parentId}:${v.id}`, parentExternalId: parentId });
    }
  }
  return expected;
}

runCatalogSourceConformance("WooCommerce", async () => {
  const { fake, reader } = await startStore({
    catalog: generateCatalog({ products: 60, seed: 23, at: AT }),
  });
  const store = fake.store;
  const categories = [...store.categories.keys()].slice(0, 1);
  let created = 0;
  const parentOf = (key: string) => {
    const product = store.products.get(Number(key));
    if (!product) throw new Error(`No product ${key} in the fake store.`);
    return product;
  };

  return {
    // Small pages, so that families spread over several pages.
    source: createWooCatalogSource(reader, { pageSize: 20 }),
    async createProduct() {
      created += 1;
      const product = store.addProduct({
        name: `Conformance Mug ${created}`,
        type: "variable",
        categories,
        sku: `CONF-${created}`,
        attributes: [
          {
            id: 0,
            name: "Color",
            position: 0,
            visible: true,
            variation: true,
            options: ["Red", "Blue"],
          },
        ],
      });
      for (const [index, color] of ["Red", "Blue"].entries()) {
        store.addVariation(product.id, {
          regular_price: `${12 + index}.50`,
          sku: `CONF-${created}-${color}`,
          attributes: [{ id: 0, name: "Color", option: color }],
        });
      }
      return String(product.id);
    },
    async updateProduct(key) {
      const name = `${parentOf(key).name} (renamed)`;
      store.updateProduct(Number(key), { name });
      return { name };
    },
    async deleteProduct(key) {
      store.deleteProduct(Number(key));
    },
    async unpublishProduct(key) {
      store.updateProduct(Number(key), { status: "draft" });
    },
    async addVariant(key) {
      store.addVariation(Number(key), {
        regular_price: "14.50",
        attributes: [{ id: 0, name: "Color", option: `Green ${store.variations.size}` }],
      });
    },
    async removeVariant(key) {
      const [first] = store.variationsOf(Number(key));
      if (first) store.deleteVariation(first.id);
    },
    async expectedCatalog() {
      return expectedCatalog(store);
    },
    close: () => fake.close(),
  };
});
