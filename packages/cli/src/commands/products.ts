import { existsSync } from "node:fs";
import {
  MAX_LIST_PAGE_SIZE,
  NotFoundError,
  openSqliteStateStore,
  type ProductPage,
  type StoredProduct,
} from "@neuroon/core";
import { type Command, InvalidArgumentError } from "commander";
import { requireShopId } from "../cli/config.js";
import { addCommonOptions, type CommandContext, runCommand, storePathOf } from "../cli/context.js";
import { CliError, describeFailure } from "../cli/errors.js";
import { ExitCode, type ExitCodeValue } from "../cli/exit-codes.js";
import { parseDateOption, parseIntegerOption } from "../cli/options.js";

/** Columns of the product table; fixed widths so `--all` can stream page after page aligned. */
const PRODUCT_COLUMNS: readonly {
  header: string;
  width: number;
  align?: "right";
  value: (product: StoredProduct) => string;
}[] = [
  { header: "EXTERNAL ID", width: 24, value: (p) => p.externalId },
  { header: "NAME", width: 40, value: (p) => p.name },
  { header: "PRICE", width: 18, align: "right", value: (p) => formatPrice(p) },
  {
    header: "STOCK",
    width: 5,
    value: (p) => (p.inStock === undefined ? "" : p.inStock ? "yes" : "no"),
  },
  { header: "UPDATED", width: 23, value: (p) => p.updatedAt },
];

function formatPrice(product: StoredProduct): string {
  const currency = product.currency ?? "";
  const price =
    product.salePrice === undefined
      ? `${product.price}`
      : `${product.salePrice} (${product.price})`;
  return `${price} ${currency}`.trim();
}

function fixedRow(cells: readonly string[]): string {
  return PRODUCT_COLUMNS.map((column, index) => {
    const text = (cells[index] ?? "").replace(/\s+/g, " ");
    const cut = text.length > column.width ? `${text.slice(0, column.width - 1)}…` : text;
    return column.align === "right" ? cut.padStart(column.width) : cut.padEnd(column.width);
  })
    .join("  ")
    .trimEnd();
}

function fixedTable(rows: readonly StoredProduct[], withHeader: boolean): string[] {
  const lines = rows.map((row) => fixedRow(PRODUCT_COLUMNS.map((column) => column.value(row))));
  return withHeader ? [fixedRow(PRODUCT_COLUMNS.map((column) => column.header)), ...lines] : lines;
}

interface ListOptions {
  page?: number;
  size?: number;
  modifiedAfter?: string;
  sort?: string;
  all?: boolean;
}

/** `--sort field,asc|desc`: the shape is checked here, the field by Neuroon. */
function parseSortOption(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_.]*(?:,(?:asc|desc))?$/i.test(value)) {
    throw new InvalidArgumentError(
      `expected a field and a direction such as updatedAt,desc or name,asc, received ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

async function listProducts(context: CommandContext, options: ListOptions): Promise<ExitCodeValue> {
  const { output } = context;
  const client = context.createClient();
  const filters = {
    ...(options.modifiedAfter === undefined ? {} : { modifiedAfter: options.modifiedAfter }),
    ...(options.sort === undefined ? {} : { sort: options.sort }),
  };
  if (options.all === true) {
    if (options.page !== undefined) {
      throw new CliError("--all lists every page; it cannot be combined with --page.", {
        exitCode: ExitCode.USAGE,
        hint: "Drop --page, or drop --all to see one page.",
      });
    }
    let count = 0;
    const progress = context.progress("Listing", { unit: "products" });
    // One JSON document, streamed: a catalog of any size never sits in memory.
    if (output.isJson) output.raw(`{"ok":true,"exitCode":${ExitCode.OK},"products":[`);
    for await (const page of client.products
      .list({ ...filters, size: options.size ?? MAX_LIST_PAGE_SIZE })
      .pages()) {
      if (output.isJson) {
        for (const product of page.content) {
          output.raw(`${count === 0 ? "\n" : ",\n"}${JSON.stringify(product)}`);
          count += 1;
        }
      } else {
        for (const line of fixedTable(page.content, count === 0)) output.line(line);
        count += page.content.length;
      }
      progress.update(count, page.totalElements);
    }
    progress.finish();
    if (output.isJson) output.raw(`${count === 0 ? "" : "\n"}],"count":${count}}\n`);
    else output.note(`${count} products.`);
    return ExitCode.OK;
  }
  const page: ProductPage = await client.products.list({
    ...filters,
    page: options.page ?? 0,
    size: options.size ?? 20,
  });
  output.result(page, () => {
    if (page.content.length === 0) {
      return page.totalElements === 0
        ? "No products."
        : `Page ${page.page} is empty: there are ${page.totalElements} products on ${page.totalPages} pages (pages are numbered from 0).`;
    }
    const from = page.page * page.size + 1;
    const to = from + page.content.length - 1;
    const next = page.last ? "" : `; next: --page ${page.page + 1}`;
    return [
      ...fixedTable(page.content, true),
      `Products ${from}–${to} of ${page.totalElements} (page ${page.page} of 0–${Math.max(page.totalPages - 1, 0)}${next}).`,
    ];
  });
  return ExitCode.OK;
}

async function getProduct(context: CommandContext, externalId: string): Promise<ExitCodeValue> {
  const client = context.createClient();
  let product: StoredProduct;
  try {
    product = await client.products.get(externalId);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new CliError(
        `Shop ${client.shopId} has no product with externalId ${JSON.stringify(externalId)} in Neuroon.`,
        {
          hint: "Check the id (`neuroon products list`); a product synced seconds ago may still be indexing.",
        },
      );
    }
    throw error;
  }
  context.output.result(product, () =>
    Object.entries(product).map(
      ([key, value]) =>
        `${`${key}:`.padEnd(18)} ${typeof value === "string" ? value : JSON.stringify(value)}`,
    ),
  );
  return ExitCode.OK;
}

async function deleteProducts(
  context: CommandContext,
  externalIds: readonly string[],
): Promise<ExitCodeValue> {
  const { output, config } = context;
  const client = context.createClient();
  const results: { externalId: string; status: "deleted" | "failed"; error?: string }[] = [];
  for (const externalId of externalIds) {
    try {
      await client.products.delete(externalId);
      results.push({ externalId, status: "deleted" });
    } catch (error) {
      // A 404 is success for a delete: the product is gone either way.
      if (error instanceof NotFoundError) {
        results.push({ externalId, status: "deleted" });
        continue;
      }
      const failure = describeFailure(error, { apiUrl: config.apiUrl });
      if (failure.exitCode === ExitCode.USAGE) throw error;
      results.push({ externalId, status: "failed", error: failure.message });
    }
  }
  // Forget what the local sync state remembers of the deleted products, so the next
  // `neuroon sync` sends them again if the feed still has them.
  const deleted = results
    .filter((result) => result.status === "deleted")
    .map((result) => result.externalId);
  const statePath = storePathOf(config, requireShopId(config));
  if (deleted.length > 0 && existsSync(statePath)) {
    const state = openSqliteStateStore({ path: statePath, shopId: requireShopId(config) });
    try {
      await state.delete(deleted);
    } finally {
      await state.close();
    }
  }
  const failed = results.filter((result) => result.status === "failed");
  const exitCode: ExitCodeValue =
    failed.length === 0
      ? ExitCode.OK
      : failed.length === results.length
        ? ExitCode.FAILED
        : ExitCode.PARTIAL;
  output.result({ ok: exitCode === ExitCode.OK, exitCode, results }, () =>
    results.map((result) =>
      result.status === "deleted"
        ? `deleted ${result.externalId}`
        : `failed  ${result.externalId}: ${result.error}`,
    ),
  );
  return exitCode;
}

/** Registers `neuroon products list|get|delete`: what Neuroon holds for the shop. */
export function registerProductsCommand(program: Command): Command {
  const products = program
    .command("products")
    .summary("List, get and delete the products Neuroon holds.")
    .description("List, show and delete the products Neuroon holds for the shop.");

  const list = products
    .command("list")
    .description("List products, one page (table or --json) or --all of them.")
    .option(
      "--page <n>",
      "page number, from 0 (default 0)",
      parseIntegerOption(0, Number.MAX_SAFE_INTEGER),
    )
    .option(
      "--size <n>",
      `products per page, 1-${MAX_LIST_PAGE_SIZE} (default 20; 100 with --all)`,
      parseIntegerOption(1, MAX_LIST_PAGE_SIZE),
    )
    .option(
      "--modified-after <date>",
      "only products changed after this ISO-8601 date",
      parseDateOption,
    )
    .option("--sort <field,dir>", "order, e.g. updatedAt,desc or name,asc", parseSortOption)
    .option("--all", "every page (JSON: one array, streamed)");
  addCommonOptions(list).addHelpText(
    "after",
    `
Examples:
  $ neuroon products list --size 50 --page 2
  $ neuroon products list --all --modified-after 2026-01-01T00:00:00Z --json > changed.json`,
  );
  list.action(async (_options: ListOptions, self: Command) => {
    await runCommand(self, (context) => listProducts(context, self.opts<ListOptions>()));
  });

  const get = products
    .command("get")
    .description("Show one product as Neuroon stores it.")
    .argument("<externalId>", "the product's id in the store");
  addCommonOptions(get).addHelpText("after", "\nExample:\n  $ neuroon products get sku-123 --json");
  get.action(async (externalId: string, _options: unknown, self: Command) => {
    await runCommand(self, (context) => getProduct(context, externalId));
  });

  const remove = products
    .command("delete")
    .description(
      "Delete products from Neuroon (and forget them in the local sync state). A product already gone counts as deleted.",
    )
    .argument("<externalId...>", "ids of the products to delete");
  addCommonOptions(remove, { dataDir: true }).addHelpText(
    "after",
    "\nExample:\n  $ neuroon products delete sku-123 sku-124",
  );
  remove.action(async (externalIds: string[], _options: unknown, self: Command) => {
    await runCommand(self, (context) => deleteProducts(context, externalIds));
  });
  return products;
}
