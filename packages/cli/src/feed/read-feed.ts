import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import {
  type NeuroonProduct,
  type NeuroonProductInput,
  normalizeProduct,
  type ValidationIssue,
  validateProduct,
} from "@neuroon/core";
import { parse as parseCsv } from "csv-parse";
import { UsageError } from "../cli/errors.js";

/** The feed formats `neuroon sync` and `neuroon reconcile` read. */
export type FeedFormat = "jsonl" | "csv";

/** One record of a feed: a valid product, or the reasons it was refused, with its line number. */
export type FeedRecord =
  | { line: number; ok: true; product: NeuroonProduct }
  | { line: number; ok: false; externalId: string | undefined; issues: ValidationIssue[] };

/** The fields a CSV header may name (case-insensitive; `external_id` works too). */
const CSV_FIELDS = [
  "externalId",
  "parentExternalId",
  "name",
  "price",
  "salePrice",
  "currency",
  "url",
  "imageUrl",
  "sku",
  "description",
  "categories",
  "brands",
  "tags",
  "inStock",
  "stockQuantity",
  "rating",
  "reviewCount",
  "isActive",
] as const;
const NUMBER_FIELDS = new Set(["price", "salePrice", "stockQuantity", "rating", "reviewCount"]);
const BOOLEAN_FIELDS = new Set(["inStock", "isActive"]);
const LIST_FIELDS = new Set(["categories", "brands", "tags"]);
/** CSV list cells (`categories`, `brands`, `tags`) are split on this character. */
export const CSV_LIST_SEPARATOR = "|";
/** CSV columns named `attributes.<name>` fill `attributes[<name>]`. */
const ATTRIBUTE_PREFIX = "attributes.";

/** Picks the format from `--format` or the file extension (`.csv` → CSV, anything else → JSON Lines). */
export function detectFeedFormat(path: string, explicit?: string): FeedFormat {
  if (explicit !== undefined) {
    const format = explicit.toLowerCase();
    if (format === "jsonl" || format === "ndjson") return "jsonl";
    if (format === "csv") return "csv";
    throw new UsageError(
      `Unknown feed format ${JSON.stringify(explicit)}: expected "jsonl" or "csv".`,
      "Pass --format jsonl or --format csv, or name the file *.jsonl / *.csv.",
    );
  }
  return extname(path).toLowerCase() === ".csv" ? "csv" : "jsonl";
}

/** Checks the feed file exists and is a file; returns its size in bytes (for progress). */
export async function assertFeedReadable(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new UsageError(
        `The feed ${path} is not a file.`,
        "Pass the path of a .jsonl or .csv product feed.",
      );
    }
    return info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `Cannot read the feed ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      "Check the path; it is resolved against the current directory.",
    );
  }
}

function check(value: unknown, line: number): FeedRecord {
  const rawId = (value as { externalId?: unknown } | null)?.externalId;
  const externalId = typeof rawId === "string" && rawId.trim() !== "" ? rawId.trim() : undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      line,
      ok: false,
      externalId: undefined,
      issues: [
        {
          field: "",
          message: `expected a JSON object per line, received ${Array.isArray(value) ? "an array" : typeof value}`,
        },
      ],
    };
  }
  let result: ReturnType<typeof validateProduct>;
  try {
    result = validateProduct(normalizeProduct(value as NeuroonProductInput));
  } catch (error) {
    return {
      line,
      ok: false,
      externalId,
      issues: [{ field: "", message: (error as Error).message }],
    };
  }
  return result.ok
    ? { line, ok: true, product: result.product }
    : { line, ok: false, externalId, issues: result.issues };
}

async function* readJsonLines(
  path: string,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<FeedRecord> {
  const stream = createReadStream(path, { encoding: "utf8" });
  let bytes = 0;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const rawLine of lines) {
    lineNumber += 1;
    bytes += Buffer.byteLength(rawLine) + 1;
    onBytes?.(bytes);
    const text = (lineNumber === 1 ? rawLine.replace(/^\uFEFF/, "") : rawLine).trim();
    if (text === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield {
        line: lineNumber,
        ok: false,
        externalId: undefined,
        issues: [{ field: "", message: `not valid JSON (${(error as Error).message})` }],
      };
      continue;
    }
    yield check(value, lineNumber);
  }
}

interface CsvColumn {
  field: string;
  attribute?: string;
}

function mapHeader(header: readonly string[], path: string): CsvColumn[] {
  const known = new Map(CSV_FIELDS.map((field) => [field.toLowerCase(), field]));
  const unknown: string[] = [];
  const columns = header.map((raw): CsvColumn => {
    const name = raw.trim();
    if (name.toLowerCase().startsWith(ATTRIBUTE_PREFIX) && name.length > ATTRIBUTE_PREFIX.length) {
      return { field: "attributes", attribute: name.slice(ATTRIBUTE_PREFIX.length) };
    }
    const field = known.get(name.replace(/_/g, "").toLowerCase());
    if (field === undefined) unknown.push(name);
    return { field: field ?? name };
  });
  if (unknown.length > 0) {
    throw new UsageError(
      `The CSV feed ${path} has unknown columns: ${unknown.map((name) => JSON.stringify(name)).join(", ")}.`,
      `Name columns after product fields (${CSV_FIELDS.join(", ")}) or attributes.<name>.`,
    );
  }
  if (!columns.some((column) => column.field === "externalId")) {
    throw new UsageError(
      `The CSV feed ${path} has no externalId column; its header is ${JSON.stringify(header.join(","))}.`,
      "The first line must be a header naming the columns, including externalId, name, price and url.",
    );
  }
  return columns;
}

function csvValue(field: string, text: string): unknown {
  if (NUMBER_FIELDS.has(field)) {
    const number = Number(text);
    return text.trim() !== "" && Number.isFinite(number) ? number : text;
  }
  if (BOOLEAN_FIELDS.has(field)) {
    const lower = text.trim().toLowerCase();
    if (["true", "1", "yes", "y"].includes(lower)) return true;
    if (["false", "0", "no", "n"].includes(lower)) return false;
    return text;
  }
  if (LIST_FIELDS.has(field)) {
    return text
      .split(CSV_LIST_SEPARATOR)
      .map((item) => item.trim())
      .filter((item) => item !== "");
  }
  return text;
}

async function* readCsv(
  path: string,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<FeedRecord> {
  const skipped: FeedRecord[] = [];
  const parser = createReadStream(path).pipe(
    parseCsv({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        skipped.push({
          line: (error as { lines?: number } | undefined)?.lines ?? 0,
          ok: false,
          externalId: undefined,
          issues: [
            { field: "", message: `malformed CSV (${error?.message ?? "unreadable record"})` },
          ],
        });
        return undefined;
      },
    }),
  );
  let columns: CsvColumn[] | undefined;
  for await (const entry of parser as AsyncIterable<{
    record: string[];
    info: { lines: number; bytes: number };
  }>) {
    yield* skipped.splice(0);
    const { record, info } = entry;
    onBytes?.(info.bytes);
    if (columns === undefined) {
      columns = mapHeader(record, path);
      continue;
    }
    if (record.length !== columns.length) {
      yield {
        line: info.lines,
        ok: false,
        externalId: undefined,
        issues: [
          { field: "", message: `has ${record.length} fields, the header has ${columns.length}` },
        ],
      };
      continue;
    }
    const product: Record<string, unknown> = {};
    const attributes: Record<string, string> = {};
    columns.forEach((column, index) => {
      const text = record[index] ?? "";
      if (text === "") return;
      if (column.attribute !== undefined) attributes[column.attribute] = text;
      else product[column.field] = csvValue(column.field, text);
    });
    if (Object.keys(attributes).length > 0) product.attributes = attributes;
    yield check(product, info.lines);
  }
  yield* skipped.splice(0);
  if (columns === undefined) {
    throw new UsageError(
      `The CSV feed ${path} is empty.`,
      "The first line must be a header naming the columns.",
    );
  }
}

/**
 * Streams a product feed record by record, in bounded memory: JSON Lines (one product object per
 * line, blank lines ignored) or CSV with a header row. Each product is normalised and validated
 * with the core rules; a refused record carries its line number and every issue. A repeated
 * `externalId` is refused after its first occurrence. `onBytes` reports bytes read, for progress.
 */
export async function* readFeed(
  path: string,
  options: { format: FeedFormat; onBytes?: (bytes: number) => void },
): AsyncGenerator<FeedRecord> {
  const firstLineById = new Map<string, number>();
  const records =
    options.format === "csv"
      ? readCsv(path, options.onBytes)
      : readJsonLines(path, options.onBytes);
  for await (const record of records) {
    if (!record.ok) {
      yield record;
      continue;
    }
    const { externalId } = record.product;
    const first = firstLineById.get(externalId);
    if (first !== undefined) {
      yield {
        line: record.line,
        ok: false,
        externalId,
        issues: [
          {
            field: "externalId",
            message: `duplicate of line ${first}; each product may appear once per feed`,
          },
        ],
      };
      continue;
    }
    firstLineById.set(externalId, record.line);
    yield record;
  }
}
