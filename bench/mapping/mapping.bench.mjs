#!/usr/bin/env node
// Mapping throughput: one realistic product mapped end to end (display prices with tax, a 3-level
// category path, a ~1 KB HTML description, ids, normalise + validate), on one core, against the
// built packages. Run: pnpm --filter @neuroon/woocommerce... build && node bench/mapping/mapping.bench.mjs
// Bounded: 0.5 s of warm-up plus ROUNDS × ROUND_MS = 2 s of measurement per row (~30 s in all).
import { execSync } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism, cpus, totalmem } from "node:os";
import {
  buildCategoryLookup,
  categoryPaths,
  computeDisplayPrices,
  normalizeProduct,
  pickDescription,
  toExternalId,
  toPlainText,
  validateProduct,
  variantExternalId,
} from "../../packages/core/dist/index.js";
// WooCommerce descriptions carry shortcodes, which the WooCommerce adapter removes (core leaves `[…]`).
import { WORDPRESS_SHORTCODES } from "../../packages/woocommerce/dist/index.js";
import { descriptionHtml } from "./descriptions.mjs";

const WORDPRESS_TEXT = { inlineMarkup: WORDPRESS_SHORTCODES };

// htmlparser2 as @neuroon/core resolves it, for the tokenizer-only reference row.
const { Tokenizer } = createRequire(new URL("../../packages/core/package.json", import.meta.url))(
  "htmlparser2",
);

// Many short rounds: on a shared machine other processes steal whole rounds, so the best round is
// the closest to one uncontended core, and the median shows what contention costs.
const WARMUP_MS = 500;
const ROUND_MS = 50;
const ROUNDS = 40;

const NOW = new Date("2026-11-23T12:00:00Z");
const CATEGORIES = buildCategoryLookup([
  { id: 10, name: "Men", parentId: 0 },
  { id: 11, name: "Clothing", parentId: 10 },
  { id: 12, name: "T-Shirts", parentId: 11 },
  { id: 20, name: "Sale", parentId: 0 },
]);
// What a WooCommerce REST v3 product looks like to an adapter (the fields the mapping reads).
function sourceProduct(i) {
  return {
    id: 1_000 + i,
    name: `Classic Organic T-Shirt ${i}`,
    sku: `TS-${i}`,
    permalink: `https://shop.example/product/classic-organic-t-shirt-${i}/`,
    regular_price: "19.99",
    sale_price: i % 3 === 0 ? "14.99" : "",
    date_on_sale_from_gmt: "2026-11-01T00:00:00",
    date_on_sale_to_gmt: i % 3 === 0 ? "2026-12-01T23:59:59" : null,
    description: descriptionHtml(i),
    short_description: "",
    categories: [{ id: 12 }, { id: 20 }],
    images: [{ src: `https://shop.example/wp-content/uploads/ts-${i}.jpg` }],
    brands: [{ name: "Acme" }],
    stock_quantity: 12,
    average_rating: "4.50",
    rating_count: 31,
  };
}

function mapProduct(source) {
  const prices = computeDisplayPrices({
    regularAmount: source.regular_price,
    saleAmount: source.sale_price,
    saleStartsAt: source.date_on_sale_from_gmt,
    saleEndsAt: source.date_on_sale_to_gmt,
    now: NOW,
    amountsIncludeTax: false,
    displayIncludingTax: true,
    taxRatePercent: "21.0000",
    currency: "EUR",
  });
  return normalizeProduct({
    externalId: toExternalId(source.id),
    sku: source.sku,
    name: source.name,
    description: pickDescription(
      { short: source.short_description, long: source.description },
      WORDPRESS_TEXT,
    ),
    price: prices.price,
    salePrice: prices.salePrice,
    currency: "EUR",
    url: source.permalink,
    imageUrl: source.images[0]?.src,
    categories: categoryPaths(
      source.categories.map((c) => c.id),
      CATEGORIES,
    ),
    brands: source.brands.map((b) => b.name),
    inStock: source.stock_quantity > 0,
    stockQuantity: source.stock_quantity,
    rating: Number(source.average_rating),
    reviewCount: source.rating_count,
    isActive: true,
  });
}

function endToEnd(source) {
  const result = validateProduct(mapProduct(source));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.product;
}

// Through JSON, as an adapter gets products from a platform's API: flat strings, not the ropes a
// template literal builds (which every reader would have to flatten first).
const fromJson = (value) => JSON.parse(JSON.stringify(value));
const SOURCES = fromJson(Array.from({ length: 1_000 }, (_, i) => sourceProduct(i)));
// The same catalogue with plain-text descriptions (Medusa stores `description` as plain text).
const PLAIN_SOURCES = fromJson(
  SOURCES.map((s) => ({
    ...s,
    description: toPlainText(s.description, WORDPRESS_TEXT).replace(/\s+/g, " "),
  })),
);
// What the adapter hands to normalizeProduct, one per source product.
const MAPPED = SOURCES.map(mapProduct);
let sink = 0;
const noop = () => {};
const NOOP_CALLBACKS = Object.fromEntries(
  [
    "onattribdata",
    "onattribentity",
    "onattribend",
    "onattribname",
    "oncdata",
    "onclosetag",
    "oncomment",
    "ondeclaration",
    "onend",
    "onopentagend",
    "onopentagname",
    "onprocessinginstruction",
    "onselfclosingtag",
    "ontext",
    "ontextentity",
  ].map((name) => [name, noop]),
);

const REUSED_TOKENIZER = new Tokenizer({ decodeEntities: false }, NOOP_CALLBACKS);

// Products per second over one round of about `durationMs`.
function measure(work, durationMs) {
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 100; i += 1) {
      sink ^= work(SOURCES[ops % SOURCES.length], ops) ? 1 : 0;
      ops += 1;
    }
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

// BENCH_ONLY=<text> runs only the rows whose label contains it (for profiling one row).
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a manual profiling knob, not a turbo task input.
const ONLY = process.env.BENCH_ONLY;

function run(label, work) {
  if (ONLY !== undefined && !label.includes(ONLY)) return undefined;
  measure(work, WARMUP_MS);
  const rounds = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    if (r % 10 === 0) globalThis.gc?.();
    rounds.push(measure(work, ROUND_MS));
  }
  rounds.sort((x, y) => x - y);
  return { label, best: rounds.at(-1), median: rounds[Math.floor(ROUNDS / 2)] };
}

const LOAD_AT_START = sh("cut -d' ' -f1-3 /proc/loadavg");
const descriptionLengths = SOURCES.map((s) => s.description.length);
const distinctDescriptions = new Set(SOURCES.map((s) => s.description)).size;
const textLengths = SOURCES.map((s) => endToEnd(s).description?.length ?? 0);
const rows = [
  run("end to end (prices + categories + description + ids + normalise + validate)", endToEnd),
  run("end to end, plain-text description (no HTML to parse)", (_, i) =>
    endToEnd(PLAIN_SOURCES[i % PLAIN_SOURCES.length]),
  ),
  run(
    "computeDisplayPrices (net → incl. 21 %, scheduled sale)",
    (s) =>
      computeDisplayPrices({
        regularAmount: s.regular_price,
        saleAmount: s.sale_price,
        saleStartsAt: s.date_on_sale_from_gmt,
        saleEndsAt: s.date_on_sale_to_gmt,
        now: NOW,
        amountsIncludeTax: false,
        displayIncludingTax: true,
        taxRatePercent: "21.0000",
        currency: "EUR",
      }).price,
  ),
  run(
    "categoryPaths (3 levels + 1 root category)",
    (s) =>
      categoryPaths(
        s.categories.map((c) => c.id),
        CATEGORIES,
      ).length,
  ),
  run("toPlainText (0.9 KB HTML)", (s) => toPlainText(s.description, WORDPRESS_TEXT).length),
  run(
    "toPlainText, plain-text description",
    (_, i) => toPlainText(PLAIN_SOURCES[i % PLAIN_SOURCES.length].description).length,
  ),
  run("reference: htmlparser2 Tokenizer alone, no-op callbacks, same HTML", (s) => {
    const tokenizer = new Tokenizer({ decodeEntities: true }, NOOP_CALLBACKS);
    tokenizer.write(s.description);
    tokenizer.end();
    return true;
  }),
  // The floor under toPlainText: it drives one reused Tokenizer that does not decode entities
  // (only the entities themselves go through the decoder).
  run(
    "reference: htmlparser2 Tokenizer alone, no entity decoding, reused, no-op callbacks",
    (s) => {
      REUSED_TOKENIZER.reset();
      REUSED_TOKENIZER.write(s.description);
      REUSED_TOKENIZER.end();
      return true;
    },
  ),
  run(
    "normalizeProduct + validateProduct",
    (_, i) => validateProduct(normalizeProduct(MAPPED[i % MAPPED.length])).ok,
  ),
  run(
    "toExternalId + variantExternalId",
    (s) => variantExternalId(s.id, toExternalId(s.sku)).length,
  ),
];

// Linearity of toPlainText on large inputs (maxLength above the output, so everything is read).
const unit = `<div><p>Line with <b>bold</b> &amp; [shortcode a="1"] text</p><script>x()</script></div>`;
const scaling = [256 * 1024, 1024 * 1024, 4 * 1024 * 1024].map((bytes) => {
  const html = unit.repeat(Math.ceil(bytes / unit.length));
  const start = process.hrtime.bigint();
  const text = toPlainText(html, { maxLength: html.length });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  sink ^= text.length;
  return { bytes: html.length, ms };
});

function sh(command) {
  try {
    return execSync(command, { encoding: "utf8" }).trim();
  } catch {
    return "n/a";
  }
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
console.log(
  `Machine: ${cpus()[0]?.model ?? "unknown CPU"}, nproc ${availableParallelism()}, ` +
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (free -h: ${sh('free -h | awk \'/^Mem:/ {print $2" total, "$7" available"}\'')}), ` +
    `Node ${process.version}, ${new Date().toISOString()}`,
);
console.log(
  `Descriptions: ${Math.min(...descriptionLengths)}–${Math.max(...descriptionLengths)} characters of HTML → ` +
    `${Math.min(...textLengths)}–${Math.max(...textLengths)} of text; ` +
    `${distinctDescriptions} distinct descriptions in ${SOURCES.length} products.\n`,
);
console.log(
  `Load average at start: ${LOAD_AT_START}; at end: ${sh("cut -d' ' -f1-3 /proc/loadavg")}.\n`,
);
console.log(
  "| Work (one core) | products/s, best round | µs/product, best round | products/s, median round |",
);
console.log("|---|---:|---:|---:|");
for (const row of rows.filter(Boolean)) {
  console.log(
    `| ${row.label} | ${fmt(row.best)} | ${(1e6 / row.best).toFixed(2)} | ${fmt(row.median)} |`,
  );
}
console.log("\n| toPlainText input | time (ms) | MB/s |");
console.log("|---:|---:|---:|");
for (const { bytes, ms } of scaling) {
  console.log(
    `| ${(bytes / 1024 / 1024).toFixed(2)} MB | ${ms.toFixed(1)} | ${(bytes / 1024 / 1024 / (ms / 1000)).toFixed(1)} |`,
  );
}
if (sink === 0.5) console.log(sink);
