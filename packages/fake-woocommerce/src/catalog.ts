import type {
  FakeCatalog,
  FakeOrder,
  FakeProduct,
  FakeSettings,
  FakeTerm,
  FakeVariation,
  WcCatalogVisibility,
  WcPostStatus,
  WcTaxRate,
} from "./types.js";

/** Options of {@link generateCatalog}. */
export interface GenerateCatalogOptions {
  /** Parent products (simple, variable, grouped, external); variations come on top. Default 200. */
  products?: number;
  /** Same seed, same catalog. Default 1. */
  seed?: number;
  /** Overrides of the store settings (tax mode, currency, …). */
  settings?: Partial<FakeSettings>;
  /** Store origin used in permalinks and image URLs. Default `https://shop.example`. */
  siteUrl?: string;
  /** The moment the catalog is generated "at" (GMT); dates spread over the year before it. */
  at?: Date;
  /** Orders to generate. Default 20. */
  orders?: number;
}

/** Settings of a German store entering net prices: the common B2C-with-VAT case. */
export const DEFAULT_SETTINGS: FakeSettings = {
  pricesIncludeTax: false,
  taxDisplayShop: "incl",
  calcTaxes: true,
  taxBasedOn: "base",
  defaultCountry: "DE",
  currency: "EUR",
  priceNumDecimals: 2,
  taxRoundAtSubtotal: false,
  priceDisplaySuffix: "",
  gmtOffsetHours: 1,
  taxClasses: ["Reduced rate", "Zero rate"],
};

/** German VAT: 19 % standard, 7 % reduced, 0 % zero rate. */
export const DEFAULT_TAX_RATES: WcTaxRate[] = [
  taxRate(1, "DE", "19.0000", "MwSt.", "standard"),
  taxRate(2, "DE", "7.0000", "MwSt. ermäßigt", "reduced-rate"),
  taxRate(3, "DE", "0.0000", "Steuerfrei", "zero-rate"),
  taxRate(4, "AT", "20.0000", "USt.", "standard"),
];

function taxRate(id: number, country: string, rate: string, name: string, cls: string): WcTaxRate {
  return {
    id,
    country,
    state: "",
    postcode: "",
    city: "",
    rate,
    name,
    priority: 1,
    compound: false,
    shipping: true,
    order: id,
    class: cls,
  };
}

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG; enough for reproducible fixtures. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `YYYY-MM-DDTHH:MM:SS`, the offset-less format WooCommerce uses for every date. */
export function wcDate(date: Date): string {
  return date.toISOString().slice(0, 19);
}

const DEPARTMENTS: Record<string, Record<string, string[]>> = {
  Clothing: {
    "T-Shirts": ["Basic Tees", "Graphic Tees"],
    Hoodies: ["Zip Hoodies"],
    Accessories: ["Scarves", "Caps & Hats"],
  },
  Electronics: {
    Audio: ["Headphones", "Speakers"],
    "Phones & Tablets": ["Cases", "Chargers"],
  },
  "Home & Garden": {
    Kitchen: ["Cookware", "Knives"],
    Garden: ["Tools"],
    Décor: [],
  },
  "Sports & Outdoors": {
    Running: ["Shoes", "Apparel"],
    Camping: ["Tents", "Sleeping Bags"],
  },
  Books: { Fiction: [], "Non-Fiction": ["Cookbooks"] },
  Uncategorized: {},
};

const BRANDS: [string, string[]][] = [
  ["Nordwind", ["Nordwind Kids"]],
  ["Bergfreunde", []],
  ["Crème de la Crème", []],
  ["Sonic/Wave", []],
  ["Küchenmeister", []],
  ["Atelier Ø", []],
  ["Trailblazer", ["Trailblazer Pro"]],
  ["Papyrus", []],
];

const ADJECTIVES = [
  "Classic",
  "Organic",
  "Ultra",
  "Vintage",
  "Smart",
  "Eco",
  "Pro",
  "Soft",
  "Crème",
  "Rugged",
];
const NOUNS = [
  "Tee",
  "Hoodie",
  "Scarf",
  "Headphones",
  "Speaker",
  "Pan",
  "Knife",
  "Tent",
  "Shoe",
  "Mug",
  "Lamp",
  "Backpack",
];
const COLORS = ["Red", "Blue", "Green", "Black", "White", "Beige"];
const SIZES = ["XS", "S", "M", "L", "XL"];

function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function money(value: number): string {
  return value.toFixed(2);
}

/**
 * A realistic, deterministic WooCommerce catalog: nested categories (3 levels), hierarchical
 * brands, simple/variable/grouped/external products, variations with their own prices and stock,
 * sale prices with past, current and future schedules, drafts, pending, private, password-protected,
 * trashed and hidden products, HTML descriptions with entities and non-ASCII text, and a few
 * orders. Same options, same catalog.
 */
export function generateCatalog(options: GenerateCatalogOptions = {}): FakeCatalog {
  const random = createRandom(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  const siteUrl = (options.siteUrl ?? "https://shop.example").replace(/\/+$/, "");
  const at = options.at ?? new Date("2026-11-01T12:00:00Z");
  const yearMs = 365 * 24 * 3600 * 1000;
  const dayMs = 24 * 3600 * 1000;
  const settings: FakeSettings = { ...DEFAULT_SETTINGS, ...options.settings };

  let termId = 10;
  const categories: FakeTerm[] = [];
  const addTerm = (list: FakeTerm[], name: string, parent: number): FakeTerm => {
    const term: FakeTerm = {
      id: termId++,
      name,
      slug: slugify(name) || `term-${termId}`,
      parent,
      description: "",
      menu_order: list.length,
    };
    list.push(term);
    return term;
  };
  for (const [root, children] of Object.entries(DEPARTMENTS)) {
    const rootTerm = addTerm(categories, root, 0);
    for (const [child, grandchildren] of Object.entries(children)) {
      const childTerm = addTerm(categories, child, rootTerm.id);
      for (const grandchild of grandchildren) addTerm(categories, grandchild, childTerm.id);
    }
  }
  const brands: FakeTerm[] = [];
  for (const [brand, subBrands] of BRANDS) {
    const parent = addTerm(brands, brand, 0);
    for (const sub of subBrands) addTerm(brands, sub, parent.id);
  }
  const tags: FakeTerm[] = ["new", "bestseller", "gift idea", "limited"].map((name) =>
    addTerm([], name, 0),
  );
  const leafCategories = categories.filter(
    (c) => c.name !== "Uncategorized" && !categories.some((other) => other.parent === c.id),
  );
  const uncategorized = categories.find((c) => c.name === "Uncategorized") as FakeTerm;

  const products: FakeProduct[] = [];
  const variations: FakeVariation[] = [];
  const count = options.products ?? 200;
  let nextId = 100;
  let imageId = 5000;
  let metaId = 1;
  const image = (name: string) => {
    const id = imageId++;
    const file = slugify(name) || "image";
    return {
      id,
      src: `${siteUrl}/wp-content/uploads/2026/05/${file}-${id}.jpg`,
      name: file,
      alt: name,
    };
  };
  const saleWindow = (): [string | null, string | null] => {
    const roll = random();
    if (roll < 0.5) return [null, null];
    if (roll < 0.7)
      return [
        wcDate(new Date(at.getTime() - 10 * dayMs)),
        wcDate(new Date(at.getTime() + 20 * dayMs)),
      ];
    if (roll < 0.85)
      return [
        wcDate(new Date(at.getTime() + 5 * dayMs)),
        wcDate(new Date(at.getTime() + 30 * dayMs)),
      ];
    return [
      wcDate(new Date(at.getTime() - 60 * dayMs)),
      wcDate(new Date(at.getTime() - 30 * dayMs)),
    ];
  };

  for (let i = 0; i < count; i++) {
    const id = nextId++;
    const roll = random();
    const type =
      roll < 0.68 ? "simple" : roll < 0.93 ? "variable" : roll < 0.97 ? "grouped" : "external";
    const statusRoll = random();
    const status: WcPostStatus =
      statusRoll < 0.9
        ? "publish"
        : statusRoll < 0.94
          ? "draft"
          : statusRoll < 0.96
            ? "pending"
            : statusRoll < 0.98
              ? "private"
              : "trash";
    const visRoll = random();
    const visibility: WcCatalogVisibility =
      visRoll < 0.9 ? "visible" : visRoll < 0.94 ? "catalog" : visRoll < 0.97 ? "search" : "hidden";
    const name = `${pick(ADJECTIVES)} ${pick(NOUNS)} ${i + 1}`;
    const created = new Date(at.getTime() - Math.floor(random() * yearMs));
    const modified = new Date(
      created.getTime() + Math.floor(random() * (at.getTime() - created.getTime())),
    );
    const category = chance(0.03) ? uncategorized : pick(leafCategories);
    const extraCategory = chance(0.2) ? [pick(leafCategories).id] : [];
    const brand = chance(0.8) ? [pick(brands).id] : [];
    const base = 5 + Math.floor(random() * 19500) / 100;
    const onSale = type !== "variable" && type !== "grouped" && chance(0.25);
    const [saleFrom, saleTo] = onSale ? saleWindow() : [null, null];
    const manageStock = chance(0.6);
    const stockQuantity = manageStock ? Math.floor(random() * 40) - 3 : null;
    const stockStatus =
      stockQuantity !== null
        ? stockQuantity > 0
          ? "instock"
          : chance(0.3)
            ? "onbackorder"
            : "outofstock"
        : chance(0.9)
          ? "instock"
          : "outofstock";
    const shortDescription = chance(0.6)
      ? `<p>${name} &amp; more: <strong>made in Europe</strong> – crafted with care/precision.</p>\n`
      : "";
    const product: FakeProduct = {
      id,
      name,
      slug: slugify(name),
      type,
      status,
      featured: chance(0.05),
      catalog_visibility: visibility,
      description: `<h2>${name}</h2>\n<p>The ${name.toLowerCase()} is a “quality” piece for everyday use.</p>\n<ul><li>Durable</li><li>Size: 10&nbsp;cm</li></ul>\n[gallery ids="1,2"]`,
      short_description: shortDescription,
      sku: chance(0.9) ? `SKU-${id}` : "",
      global_unique_id: chance(0.3) ? `40${String(1000000000 + id).padStart(11, "0")}` : "",
      regular_price: type === "variable" || type === "grouped" ? "" : money(base),
      sale_price: onSale ? money(Math.round(base * (0.6 + random() * 0.3) * 100) / 100) : "",
      date_on_sale_from_gmt: saleFrom,
      date_on_sale_to_gmt: saleTo,
      tax_status: chance(0.93) ? "taxable" : "none",
      tax_class: chance(0.15) ? "reduced-rate" : "",
      manage_stock: manageStock,
      stock_quantity: stockQuantity,
      stock_status: stockStatus,
      categories: [category.id, ...extraCategory.filter((c) => c !== category.id)],
      tags: chance(0.3) ? [pick(tags).id] : [],
      brands: brand,
      images: chance(0.95) ? [image(name), ...(chance(0.3) ? [image(`${name} back`)] : [])] : [],
      attributes: [],
      average_rating: "0.00",
      rating_count: 0,
      total_sales: Math.floor(random() * 500),
      menu_order: 0,
      post_password: status === "publish" && chance(0.01) ? "secret" : "",
      external_url: type === "external" ? `https://partner.example/p/${id}` : "",
      meta_data: [],
      date_created_gmt: wcDate(created),
      date_modified_gmt: wcDate(modified),
    };
    if (chance(0.4)) {
      product.rating_count = 1 + Math.floor(random() * 60);
      product.average_rating = (2 + random() * 3).toFixed(2);
    }
    if (chance(0.1)) {
      product.attributes.push({
        id: 3,
        name: "Brand",
        slug: "pa_brand",
        position: 0,
        visible: true,
        variation: false,
        options: [pick(BRANDS)[0]],
      });
    }
    if (type === "variable") {
      const colors = COLORS.filter(() => chance(0.5)).slice(0, 3);
      const useColors = colors.length > 0 ? colors : ["Black"];
      const sizes = SIZES.filter(() => chance(0.5)).slice(0, 2);
      product.attributes.push({
        id: 1,
        name: "Color",
        slug: "pa_color",
        position: 1,
        visible: true,
        variation: true,
        options: useColors,
      });
      if (sizes.length > 0) {
        product.attributes.push({
          id: 2,
          name: "Size",
          slug: "pa_size",
          position: 2,
          visible: true,
          variation: true,
          options: sizes,
        });
      }
      for (const color of useColors) {
        for (const size of sizes.length > 0 ? sizes : [undefined]) {
          const vid = nextId++;
          const price = base + Math.floor(random() * 2000) / 100;
          const variationOnSale = chance(0.25);
          const [vFrom, vTo] = variationOnSale ? saleWindow() : [null, null];
          const vManage = chance(0.5);
          const vQty = vManage ? Math.floor(random() * 20) - 2 : null;
          variations.push({
            id: vid,
            parent_id: id,
            status: chance(0.95) ? "publish" : "private",
            description: chance(0.2) ? `<p>${color} edition</p>` : "",
            sku: product.sku
              ? `${product.sku}-${slugify(color)}${size ? `-${size.toLowerCase()}` : ""}`
              : "",
            global_unique_id: "",
            regular_price: money(price),
            sale_price: variationOnSale ? money(Math.round(price * 0.8 * 100) / 100) : "",
            date_on_sale_from_gmt: vFrom,
            date_on_sale_to_gmt: vTo,
            tax_status: product.tax_status,
            tax_class: "parent",
            manage_stock: vManage ? true : manageStock ? "parent" : false,
            stock_quantity: vQty,
            stock_status:
              vQty !== null
                ? vQty > 0
                  ? "instock"
                  : "outofstock"
                : chance(0.85)
                  ? "instock"
                  : "outofstock",
            image: chance(0.5) ? image(`${name} ${color}`) : null,
            attributes: [
              { id: 1, name: "Color", option: color },
              ...(size ? [{ id: 2, name: "Size", option: size }] : []),
            ],
            menu_order: variations.filter((v) => v.parent_id === id).length,
            meta_data: [],
            date_created_gmt: product.date_created_gmt,
            date_modified_gmt: wcDate(new Date(modified.getTime() + Math.floor(random() * dayMs))),
          });
        }
      }
    }
    products.push(product);
  }

  const orders: FakeOrder[] = [];
  const sellable = products.filter((p) => p.type === "simple" && p.status === "publish");
  for (let i = 0; i < (options.orders ?? 20) && sellable.length > 0; i++) {
    const created = new Date(at.getTime() - Math.floor(random() * 30 * dayMs));
    const status = pick([
      "processing",
      "completed",
      "pending",
      "on-hold",
      "failed",
      "cancelled",
    ] as const);
    const paid = status === "processing" || status === "completed";
    const lines = 1 + Math.floor(random() * 3);
    const items = Array.from({ length: lines }, (_, index) => {
      const product = pick(sellable);
      const quantity = 1 + Math.floor(random() * 3);
      const price = Number(product.regular_price);
      return {
        id: 9000 + i * 10 + index,
        name: product.name,
        product_id: product.id,
        variation_id: 0,
        quantity,
        tax_class: product.tax_class,
        subtotal: money(price * quantity),
        subtotal_tax: money(price * quantity * 0.19),
        total: money(price * quantity),
        total_tax: money(price * quantity * 0.19),
        sku: product.sku,
        price,
        meta_data: [],
      };
    });
    const total = items.reduce((sum, item) => sum + Number(item.total) + Number(item.total_tax), 0);
    orders.push({
      id: 7000 + i,
      parent_id: 0,
      number: String(7000 + i),
      order_key: `wc_order_${Math.floor(random() * 1e12).toString(36)}`,
      created_via: "checkout",
      status,
      currency: settings.currency,
      prices_include_tax: settings.pricesIncludeTax,
      date_created_gmt: wcDate(created),
      date_modified_gmt: wcDate(created),
      date_paid_gmt: paid ? wcDate(new Date(created.getTime() + 60_000)) : null,
      date_completed_gmt:
        status === "completed" ? wcDate(new Date(created.getTime() + dayMs)) : null,
      discount_total: "0.00",
      shipping_total: "4.90",
      total: money(total + 4.9),
      total_tax: money(items.reduce((sum, item) => sum + Number(item.total_tax), 0)),
      customer_id: 0,
      payment_method: paid ? "stripe" : "bacs",
      payment_method_title: paid ? "Credit card" : "Direct bank transfer",
      transaction_id: paid ? `ch_${i}` : "",
      meta_data: [{ id: metaId++, key: "_wc_order_attribution_source_type", value: "organic" }],
      line_items: items,
    });
  }

  return {
    settings,
    taxRates: DEFAULT_TAX_RATES.map((rate) => ({ ...rate })),
    categories,
    brands,
    tags,
    products,
    variations,
    orders,
  };
}
