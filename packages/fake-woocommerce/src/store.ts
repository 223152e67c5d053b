import { wcDate } from "./catalog.js";
import type {
  FakeCatalog,
  FakeOrder,
  FakeProduct,
  FakeSettings,
  FakeTerm,
  FakeVariation,
  WcTaxRate,
} from "./types.js";

/** JSON object as served. */
export type Json = Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);

/**
 * The fake's database plus WooCommerce's getters: computed prices, sale schedules, site-local
 * dates and the REST serialisation of every resource. Tests mutate it through the methods below;
 * mutations bump `date_modified` like a save in wp-admin but never fire webhooks on their own
 * (call `deliverWebhook`, as Action Scheduler would, later).
 */
export class FakeStore {
  readonly products = new Map<number, FakeProduct>();
  readonly variations = new Map<number, FakeVariation>();
  readonly categories = new Map<number, FakeTerm>();
  readonly brands = new Map<number, FakeTerm>();
  readonly tags = new Map<number, FakeTerm>();
  readonly orders = new Map<number, FakeOrder>();
  taxRates: WcTaxRate[];
  settings: FakeSettings;
  private nextId: number;

  constructor(
    catalog: FakeCatalog,
    private readonly now: () => Date,
    /** The WordPress home URL, used in permalinks. */
    public homeUrl: string,
  ) {
    for (const product of catalog.products) this.products.set(product.id, clone(product));
    for (const variation of catalog.variations) this.variations.set(variation.id, clone(variation));
    for (const term of catalog.categories) this.categories.set(term.id, storedTerm(term));
    for (const term of catalog.brands) this.brands.set(term.id, storedTerm(term));
    for (const term of catalog.tags) this.tags.set(term.id, storedTerm(term));
    for (const order of catalog.orders) this.orders.set(order.id, clone(order));
    this.taxRates = clone(catalog.taxRates);
    this.settings = clone(catalog.settings);
    const ids = [
      ...this.products.keys(),
      ...this.variations.keys(),
      ...this.categories.keys(),
      ...this.brands.keys(),
      ...this.tags.keys(),
      ...this.orders.keys(),
      ...this.taxRates.map((r) => r.id),
    ];
    this.nextId = Math.max(1000, ...ids) + 1;
  }

  /** A fresh id from the shared WordPress post/term id space. */
  allocateId(): number {
    return this.nextId++;
  }

  private stamp(): string {
    return wcDate(this.now());
  }

  /** Adds a product (defaults fill what is not given); returns it. */
  addProduct(fields: Partial<FakeProduct> & { name: string }): FakeProduct {
    const now = this.stamp();
    const id = fields.id ?? this.allocateId();
    const product: FakeProduct = {
      id,
      slug: fields.name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
      type: "simple",
      status: "publish",
      featured: false,
      catalog_visibility: "visible",
      description: "",
      short_description: "",
      sku: "",
      global_unique_id: "",
      regular_price: "",
      sale_price: "",
      date_on_sale_from_gmt: null,
      date_on_sale_to_gmt: null,
      tax_status: "taxable",
      tax_class: "",
      manage_stock: false,
      stock_quantity: null,
      stock_status: "instock",
      categories: [],
      tags: [],
      brands: [],
      images: [],
      attributes: [],
      average_rating: "0.00",
      rating_count: 0,
      total_sales: 0,
      menu_order: 0,
      post_password: "",
      external_url: "",
      meta_data: [],
      date_created_gmt: now,
      date_modified_gmt: now,
      ...fields,
    };
    this.products.set(id, product);
    return product;
  }

  /** Saves changes to a product, bumping its `date_modified`. */
  updateProduct(id: number, patch: Partial<FakeProduct>): FakeProduct {
    const product = this.products.get(id);
    if (!product) throw new Error(`Fake store has no product ${id}.`);
    Object.assign(product, patch, { date_modified_gmt: patch.date_modified_gmt ?? this.stamp() });
    return product;
  }

  /** Adds a variation to a variable product. */
  addVariation(parentId: number, fields: Partial<FakeVariation> = {}): FakeVariation {
    const parent = this.products.get(parentId);
    if (parent?.type !== "variable") {
      throw new Error(`Fake store has no variable product ${parentId}.`);
    }
    const now = this.stamp();
    const id = fields.id ?? this.allocateId();
    const variation: FakeVariation = {
      id,
      parent_id: parentId,
      status: "publish",
      description: "",
      sku: "",
      global_unique_id: "",
      regular_price: "",
      sale_price: "",
      date_on_sale_from_gmt: null,
      date_on_sale_to_gmt: null,
      tax_status: parent.tax_status,
      tax_class: "parent",
      manage_stock: false,
      stock_quantity: null,
      stock_status: "instock",
      image: null,
      attributes: [],
      menu_order: this.variationsOf(parentId).length,
      meta_data: [],
      date_created_gmt: now,
      date_modified_gmt: now,
      ...fields,
    };
    this.variations.set(id, variation);
    return variation;
  }

  /**
   * Saves changes to a variation. Its parent is re-saved too, so the parent's `date_modified`
   * moves (measured on WooCommerce 10.0.2: the variable product's price sync saves it), but no
   * webhook is sent for the parent. Older stores left the parent alone (WooCommerce #9531), so
   * polling must not rely on it.
   */
  updateVariation(id: number, patch: Partial<FakeVariation>): FakeVariation {
    const variation = this.variations.get(id);
    if (!variation) throw new Error(`Fake store has no variation ${id}.`);
    const stamp = patch.date_modified_gmt ?? this.stamp();
    Object.assign(variation, patch, { date_modified_gmt: stamp });
    const parent = this.products.get(variation.parent_id);
    if (parent !== undefined) parent.date_modified_gmt = stamp;
    return variation;
  }

  /** Moves a product to the trash (the only deletion WooCommerce sends a webhook for). */
  trashProduct(id: number): void {
    this.updateProduct(id, { status: "trash" });
  }

  /** Deletes a product for good (force delete, batch delete): its variations go too, silently. */
  deleteProduct(id: number): void {
    this.products.delete(id);
    for (const variation of this.variationsOf(id)) this.variations.delete(variation.id);
  }

  /** Deletes a variation; WooCommerce sends no webhook for this (#31620). */
  deleteVariation(id: number): void {
    this.variations.delete(id);
  }

  /** Adds or replaces a category; renames touch no product and fire nothing. */
  putCategory(term: Partial<FakeTerm> & { name: string }): FakeTerm {
    return putTerm(this.categories, term, () => this.allocateId());
  }

  /** Adds or replaces a brand (core `product_brand` taxonomy). */
  putBrand(term: Partial<FakeTerm> & { name: string }): FakeTerm {
    return putTerm(this.brands, term, () => this.allocateId());
  }

  /** Adds an order; `date_created`/`date_modified` default to now. */
  addOrder(fields: Partial<FakeOrder> & { line_items: FakeOrder["line_items"] }): FakeOrder {
    const now = this.stamp();
    const id = fields.id ?? this.allocateId();
    const order: FakeOrder = {
      id,
      parent_id: 0,
      number: String(id),
      order_key: `wc_order_${id.toString(36)}`,
      created_via: "checkout",
      status: "pending",
      currency: this.settings.currency,
      prices_include_tax: this.settings.pricesIncludeTax,
      date_created_gmt: now,
      date_modified_gmt: now,
      date_paid_gmt: null,
      date_completed_gmt: null,
      discount_total: "0.00",
      shipping_total: "0.00",
      total: fields.line_items
        .reduce((sum, item) => sum + Number(item.total) + Number(item.total_tax), 0)
        .toFixed(2),
      total_tax: "0.00",
      customer_id: 0,
      payment_method: "bacs",
      payment_method_title: "Direct bank transfer",
      transaction_id: "",
      meta_data: [],
      ...fields,
    };
    this.orders.set(id, order);
    return order;
  }

  /** Saves changes to an order. */
  updateOrder(id: number, patch: Partial<FakeOrder>): FakeOrder {
    const order = this.orders.get(id);
    if (!order) throw new Error(`Fake store has no order ${id}.`);
    Object.assign(order, patch, { date_modified_gmt: patch.date_modified_gmt ?? this.stamp() });
    return order;
  }

  /** Changes store settings (tax mode, currency, …). */
  updateSettings(patch: Partial<FakeSettings>): void {
    Object.assign(this.settings, patch);
  }

  /** The enabled-or-not variations of a product, in menu order. */
  variationsOf(parentId: number): FakeVariation[] {
    return [...this.variations.values()]
      .filter((v) => v.parent_id === parentId)
      .sort((a, b) => a.menu_order - b.menu_order || a.id - b.id);
  }

  // ---------------------------------------------------------------- getters WooCommerce computes

  /** GMT `YYYY-MM-DDTHH:MM:SS` → site-local, by the fixed `gmt_offset`. */
  toLocal(gmt: string | null): string | null {
    if (gmt === null) return null;
    const ms = Date.parse(`${gmt}Z`) + this.settings.gmtOffsetHours * 3_600_000;
    return wcDate(new Date(ms));
  }

  /** Whether a sale price applies now (`WC_Product::is_on_sale()`). */
  isSaleActive(item: FakeProduct | FakeVariation): boolean {
    if (item.sale_price === "" || item.regular_price === "") return false;
    if (Number(item.sale_price) >= Number(item.regular_price)) return false;
    const now = this.now().getTime();
    if (item.date_on_sale_from_gmt && Date.parse(`${item.date_on_sale_from_gmt}Z`) > now) {
      return false;
    }
    if (item.date_on_sale_to_gmt && Date.parse(`${item.date_on_sale_to_gmt}Z`) < now) return false;
    return true;
  }

  /** The active price (`_price`), as the scheduled-sales cron keeps it. */
  activePrice(item: FakeProduct | FakeVariation): string {
    return this.isSaleActive(item) ? item.sale_price : item.regular_price;
  }

  private visibleVariationPrices(parentId: number): string[] {
    return this.variationsOf(parentId)
      .filter((v) => v.status === "publish" && this.activePrice(v) !== "")
      .map((v) => this.activePrice(v))
      .sort((a, b) => Number(a) - Number(b));
  }

  private effectiveTaxClass(variation: FakeVariation): string {
    if (variation.tax_class !== "parent") return variation.tax_class;
    return this.products.get(variation.parent_id)?.tax_class ?? "";
  }

  /**
   * The shop display price for a guest at the base location (`wc_get_price_to_display`): the
   * fake's own, independent implementation of the tax rules, used for `price_html` so tests can
   * cross-check the adapter's computation.
   */
  displayPrice(amount: number, taxStatus: string, taxClass: string): number {
    const s = this.settings;
    const decimals = s.priceNumDecimals;
    const round = (value: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;
    if (!s.calcTaxes || taxStatus !== "taxable") return amount;
    const inclusive = s.pricesIncludeTax;
    const showIncl = s.taxDisplayShop === "incl";
    if (inclusive === showIncl) return amount;
    const [country, state = ""] = s.defaultCountry.split(":");
    const cls = taxClass === "" ? "standard" : taxClass;
    const rates = this.taxRates
      .filter(
        (r) =>
          r.class === cls &&
          (r.country === "" || r.country === country) &&
          (r.state === "" || r.state === state),
      )
      .sort((a, b) => a.priority - b.priority || a.order - b.order);
    const byPriority = new Map<number, WcTaxRate>();
    for (const rate of rates)
      if (!byPriority.has(rate.priority)) byPriority.set(rate.priority, rate);
    const chosen = [...byPriority.values()];
    if (!inclusive) {
      let taxes = 0;
      for (const rate of chosen.filter((r) => !r.compound))
        taxes += (amount * Number(rate.rate)) / 100;
      for (const rate of chosen.filter((r) => r.compound)) {
        taxes += ((amount + taxes) * Number(rate.rate)) / 100;
      }
      return round(amount + taxes);
    }
    // Back out inclusive taxes: compound rates first, then the regular ones together.
    let gross = amount;
    for (const rate of chosen.filter((r) => r.compound).reverse()) {
      gross = gross / (1 + Number(rate.rate) / 100);
    }
    const regular = chosen.filter((r) => !r.compound).reduce((sum, r) => sum + Number(r.rate), 0);
    return round(gross / (1 + regular / 100));
  }

  private formatPrice(amount: number): string {
    const symbol =
      this.settings.currency === "EUR"
        ? "&euro;"
        : this.settings.currency === "USD"
          ? "&#36;"
          : this.settings.currency;
    const text = amount.toFixed(this.settings.priceNumDecimals);
    return `<span class="woocommerce-Price-amount amount"><bdi>${text}&nbsp;<span class="woocommerce-Price-currencySymbol">${symbol}</span></bdi></span>`;
  }

  private priceHtml(product: FakeProduct): string {
    const suffix = this.settings.priceDisplaySuffix
      ? ` <small class="woocommerce-price-suffix">${this.settings.priceDisplaySuffix}</small>`
      : "";
    if (product.type === "variable") {
      const variations = this.variationsOf(product.id).filter(
        (v) => v.status === "publish" && this.activePrice(v) !== "",
      );
      if (variations.length === 0) return "";
      const shown = variations.map((v) =>
        this.displayPrice(Number(this.activePrice(v)), v.tax_status, this.effectiveTaxClass(v)),
      );
      const min = Math.min(...shown);
      const max = Math.max(...shown);
      if (min === max) return `${this.formatPrice(min)}${suffix}`;
      return `${this.formatPrice(min)} &ndash; ${this.formatPrice(max)}${suffix}`;
    }
    const active = this.activePrice(product);
    if (active === "") return "";
    const shownActive = this.displayPrice(Number(active), product.tax_status, product.tax_class);
    if (this.isSaleActive(product)) {
      const shownRegular = this.displayPrice(
        Number(product.regular_price),
        product.tax_status,
        product.tax_class,
      );
      return `<del aria-hidden="true">${this.formatPrice(shownRegular)}</del> <ins>${this.formatPrice(shownActive)}</ins>${suffix}`;
    }
    return `${this.formatPrice(shownActive)}${suffix}`;
  }

  /** `get_permalink()`: pretty for published posts, `?post_type=product&p=ID` otherwise. */
  permalink(product: FakeProduct): string {
    const home = this.homeUrl.replace(/\/+$/, "");
    if (product.status === "publish" || product.status === "private") {
      return `${home}/product/${product.slug}/`;
    }
    return `${home}/?post_type=product&p=${product.id}`;
  }

  private termRefs(ids: number[], terms: Map<number, FakeTerm>) {
    return ids.flatMap((id) => {
      const term = terms.get(id);
      return term ? [{ id: term.id, name: term.name, slug: term.slug }] : [];
    });
  }

  private dates(prefix: string, gmt: string | null): Json {
    return { [prefix]: this.toLocal(gmt), [`${prefix}_gmt`]: gmt };
  }

  private renderHtml(html: string, context: string): string {
    // The `view` context runs wpautop() and do_shortcode(); `edit` returns the raw post content.
    if (context === "edit") return html;
    return html.replace(/\[gallery[^\]]*\]/g, '<div class="gallery"></div>');
  }

  /** `GET /products/{id}` for a product (view or edit context). */
  serializeProduct(product: FakeProduct, context = "view"): Json {
    const isVariable = product.type === "variable";
    const prices = isVariable ? this.visibleVariationPrices(product.id) : [];
    const price = isVariable ? (prices[0] ?? "") : this.activePrice(product);
    const onSale = isVariable
      ? this.variationsOf(product.id).some((v) => v.status === "publish" && this.isSaleActive(v))
      : this.isSaleActive(product);
    const json: Json = {
      id: product.id,
      name: product.name,
      slug: product.slug,
      permalink: this.permalink(product),
      ...this.dates("date_created", product.date_created_gmt),
      ...this.dates("date_modified", product.date_modified_gmt),
      type: product.type,
      status: product.status,
      featured: product.featured,
      catalog_visibility: product.catalog_visibility,
      description: this.renderHtml(product.description, context),
      short_description: this.renderHtml(product.short_description, context),
      sku: product.sku,
      global_unique_id: product.global_unique_id,
      price,
      regular_price: isVariable || product.type === "grouped" ? "" : product.regular_price,
      sale_price: isVariable || product.type === "grouped" ? "" : product.sale_price,
      date_on_sale_from: this.toLocal(product.date_on_sale_from_gmt),
      date_on_sale_from_gmt: product.date_on_sale_from_gmt,
      date_on_sale_to: this.toLocal(product.date_on_sale_to_gmt),
      date_on_sale_to_gmt: product.date_on_sale_to_gmt,
      on_sale: onSale,
      purchasable: price !== "" && product.status === "publish",
      total_sales: product.total_sales,
      virtual: false,
      downloadable: false,
      downloads: [],
      download_limit: -1,
      download_expiry: -1,
      external_url: product.external_url,
      button_text: product.type === "external" ? "Buy product" : "",
      tax_status: product.tax_status,
      tax_class: product.tax_class,
      manage_stock: product.manage_stock,
      stock_quantity: product.stock_quantity,
      stock_status: isVariable ? this.parentStockStatus(product) : product.stock_status,
      backorders: "no",
      backorders_allowed: false,
      backordered: false,
      low_stock_amount: null,
      sold_individually: false,
      weight: "",
      dimensions: { length: "", width: "", height: "" },
      shipping_required: true,
      shipping_taxable: product.tax_status === "taxable",
      shipping_class: "",
      shipping_class_id: 0,
      reviews_allowed: true,
      average_rating: product.average_rating,
      rating_count: product.rating_count,
      upsell_ids: [],
      cross_sell_ids: [],
      parent_id: 0,
      purchase_note: "",
      categories: this.termRefs(product.categories, this.categories),
      brands: this.termRefs(product.brands, this.brands),
      tags: this.termRefs(product.tags, this.tags),
      images: product.images.map((image) => ({
        ...image,
        ...this.dates("date_created", product.date_created_gmt),
        ...this.dates("date_modified", product.date_created_gmt),
      })),
      attributes: product.attributes.map(({ slug: _slug, ...attribute }) => attribute),
      default_attributes: [],
      variations: isVariable ? this.variationsOf(product.id).map((v) => v.id) : [],
      grouped_products: [],
      menu_order: product.menu_order,
      price_html: this.priceHtml(product),
      related_ids: [],
      meta_data: product.meta_data,
      has_options: isVariable,
      _links: {
        self: [{ href: `${this.restBase()}/products/${product.id}` }],
        collection: [{ href: `${this.restBase()}/products` }],
      },
    };
    if (context === "edit") json.post_password = product.post_password;
    return json;
  }

  private parentStockStatus(product: FakeProduct): string {
    const variations = this.variationsOf(product.id).filter((v) => v.status === "publish");
    if (variations.length === 0) return product.stock_status;
    if (variations.some((v) => v.stock_status === "instock")) return "instock";
    if (variations.some((v) => v.stock_status === "onbackorder")) return "onbackorder";
    return "outofstock";
  }

  private restBase(): string {
    return `${this.homeUrl.replace(/\/+$/, "")}/wp-json/wc/v3`;
  }

  /**
   * A variation as `/products/{parent}/variations` returns it; `asProduct` gives the
   * `/products/{variationId}` shape webhooks carry (`type: "variation"`, `parent_id`).
   */
  serializeVariation(variation: FakeVariation, asProduct = false): Json {
    const parent = this.products.get(variation.parent_id);
    const parentLink = parent ? this.permalink(parent) : this.homeUrl;
    const query = variation.attributes
      .map(
        (a) => `attribute_pa_${a.name.toLowerCase()}=${encodeURIComponent(a.option.toLowerCase())}`,
      )
      .join("&");
    const name = `${parent?.name ?? ""} - ${variation.attributes.map((a) => a.option).join(", ")}`;
    const active = this.activePrice(variation);
    const json: Json = {
      id: variation.id,
      type: "variation",
      name,
      parent_id: variation.parent_id,
      ...this.dates("date_created", variation.date_created_gmt),
      ...this.dates("date_modified", variation.date_modified_gmt),
      description: variation.description,
      permalink: query
        ? `${parentLink}${parentLink.includes("?") ? "&" : "?"}${query}`
        : parentLink,
      sku: variation.sku || (parent?.sku ?? ""),
      global_unique_id: variation.global_unique_id,
      price: active,
      regular_price: variation.regular_price,
      sale_price: variation.sale_price,
      date_on_sale_from: this.toLocal(variation.date_on_sale_from_gmt),
      date_on_sale_from_gmt: variation.date_on_sale_from_gmt,
      date_on_sale_to: this.toLocal(variation.date_on_sale_to_gmt),
      date_on_sale_to_gmt: variation.date_on_sale_to_gmt,
      on_sale: this.isSaleActive(variation),
      status: variation.status,
      purchasable: active !== "" && variation.status === "publish",
      virtual: false,
      downloadable: false,
      tax_status: variation.tax_status,
      tax_class: this.effectiveTaxClass(variation),
      manage_stock: variation.manage_stock,
      stock_quantity:
        variation.manage_stock === "parent"
          ? (parent?.stock_quantity ?? null)
          : variation.stock_quantity,
      stock_status: variation.stock_status,
      backorders: "no",
      backorders_allowed: false,
      backordered: false,
      low_stock_amount: null,
      weight: "",
      dimensions: { length: "", width: "", height: "" },
      shipping_class: "",
      image: variation.image,
      attributes: variation.attributes,
      menu_order: variation.menu_order,
      meta_data: variation.meta_data,
      _links: {
        self: [
          { href: `${this.restBase()}/products/${variation.parent_id}/variations/${variation.id}` },
        ],
        up: [{ href: `${this.restBase()}/products/${variation.parent_id}` }],
      },
    };
    if (asProduct) {
      json.slug = `${parent?.slug ?? "product"}-${variation.id}`;
      json.catalog_visibility = "visible";
      json.categories = [];
      json.images = variation.image ? [variation.image] : [];
      json.variations = [];
    }
    return json;
  }

  /** A category or brand term with its published-product count. */
  serializeTerm(term: FakeTerm, taxonomy: "categories" | "brands" | "tags"): Json {
    const field = taxonomy;
    const count = [...this.products.values()].filter(
      (p) => p.status === "publish" && p[field].includes(term.id),
    ).length;
    const json: Json = {
      id: term.id,
      name: term.name,
      slug: term.slug,
      description: term.description,
      count,
      _links: {
        self: [{ href: `${this.restBase()}/products/${taxonomy}/${term.id}` }],
        collection: [{ href: `${this.restBase()}/products/${taxonomy}` }],
      },
    };
    if (taxonomy !== "tags") {
      json.parent = term.parent;
      json.display = "default";
      json.image = null;
      json.menu_order = term.menu_order;
      if (term.parent !== 0) {
        (json._links as Json).up = [
          { href: `${this.restBase()}/products/${taxonomy}/${term.parent}` },
        ];
      }
    }
    return json;
  }

  /** `GET /orders/{id}`. */
  serializeOrder(order: FakeOrder): Json {
    return {
      id: order.id,
      parent_id: order.parent_id,
      status: order.status,
      currency: order.currency,
      version: "10.3.0",
      prices_include_tax: order.prices_include_tax,
      ...this.dates("date_created", order.date_created_gmt),
      ...this.dates("date_modified", order.date_modified_gmt),
      discount_total: order.discount_total,
      discount_tax: "0.00",
      shipping_total: order.shipping_total,
      shipping_tax: "0.00",
      cart_tax: order.total_tax,
      total: order.total,
      total_tax: order.total_tax,
      customer_id: order.customer_id,
      order_key: order.order_key,
      billing: {
        first_name: "Erika",
        last_name: "Mustermann",
        country: "DE",
        email: "erika@example.com",
      },
      shipping: { first_name: "Erika", last_name: "Mustermann", country: "DE" },
      payment_method: order.payment_method,
      payment_method_title: order.payment_method_title,
      transaction_id: order.transaction_id,
      customer_ip_address: "203.0.113.7",
      customer_user_agent: "Mozilla/5.0",
      created_via: order.created_via,
      customer_note: "",
      ...this.dates("date_completed", order.date_completed_gmt),
      ...this.dates("date_paid", order.date_paid_gmt),
      cart_hash: "",
      number: order.number,
      meta_data: order.meta_data,
      line_items: order.line_items.map((item) => ({
        ...item,
        taxes: [],
        meta_data: item.meta_data.map((meta) => ({
          display_key: meta.key,
          display_value: meta.value,
          ...meta,
        })),
        image: { id: "", src: "" },
        parent_name: null,
      })),
      tax_lines: [],
      shipping_lines: [],
      fee_lines: [],
      coupon_lines: [],
      refunds: [],
      payment_url: `${this.homeUrl.replace(/\/+$/, "")}/checkout/order-pay/${order.id}/?pay_for_order=true&key=${order.order_key}`,
      is_editable: order.status === "pending",
      needs_payment: order.status === "pending",
      needs_processing: true,
      currency_symbol: order.currency === "EUR" ? "€" : order.currency,
      _links: { self: [{ href: `${this.restBase()}/orders/${order.id}` }] },
    };
  }
}

/**
 * A term name as WordPress stores it: the `pre_term_name` filters end with `_wp_specialchars`, so
 * `&`, `<` and `>` are kept as entities (existing entities are not encoded twice) and the REST API
 * returns `T-Shirts &amp; Tops` for a category saved as `T-Shirts & Tops`.
 */
export function escapeTermName(name: string): string {
  return name
    .replace(/&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#\d+|#x[0-9a-fA-F]+);)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

function storedTerm(term: FakeTerm): FakeTerm {
  return { ...clone(term), name: escapeTermName(term.name) };
}

function putTerm(
  terms: Map<number, FakeTerm>,
  fields: Partial<FakeTerm> & { name: string },
  allocate: () => number,
): FakeTerm {
  const id = fields.id ?? allocate();
  const existing = terms.get(id);
  const term: FakeTerm = {
    id,
    slug: fields.name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    parent: 0,
    description: "",
    menu_order: 0,
    ...existing,
    ...fields,
    name: escapeTermName(fields.name),
  };
  terms.set(id, term);
  return term;
}
