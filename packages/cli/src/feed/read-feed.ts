import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import {
  NEUROON_PRODUCT_FIELDS,
  type NeuroonProduct,
  type NeuroonProductInput,
  normalizeProduct,
  RECOMMENDED_DESCRIPTION_LENGTH_CHARS,
  toPlainText,
  type ValidationIssue,
  validateProduct,
} from "@neuroon/core";
import { parse as parseCsv } from "csv-parse";
import { UsageError } from "../cli/errors.js";
import { type DecimalSeparator, parseCsvNumber } from "./csv-number.js";
import { createMemoryLineIndex, type FeedLineIndex } from "./line-index.js";

/** The feed formats `neuroon sync` and `neuroon reconcile` read. */
export type FeedFormat = "jsonl" | "csv";

/** How to read a feed: its format and, for CSV, the field delimiter and decimal separator. */
export interface FeedSpec {
  format: FeedFormat;
  /** The CSV field delimiter; detected from the header line when not given. */
  delimiter?: string | undefined;
  /** The decimal separator of CSV numbers (default `.`; see {@link parseCsvNumber}). */
  decimal?: DecimalSeparator | undefined;
}

/** CSV delimiters detected from the header line, most common first on a tie. */
const DELIMITER_CANDIDATES = [",", ";", "\t"] as const;
/** Bytes read from the start of a CSV feed to find its header line's delimiter. */
const DELIMITER_SNIFF_BYTES = 64 * 1024;
/** U+FFFD: what a UTF-8 decoder puts in place of bytes that are not UTF-8. */
const REPLACEMENT_CHAR = "\uFFFD";
const NOT_UTF8_MESSAGE =
  "has bytes that are not UTF-8 (or a U+FFFD replacement character left by an earlier broken conversion); save the file as UTF-8";

/**
 * One record of a feed: a valid product, or the reasons it was refused, with its line number. A
 * refused record that names a product keeps it as read (`candidate`, not valid): the product is
 * still in the store's catalog, so a reconcile must not delete it from Neuroon.
 */
export type FeedRecord =
  | { line: number; ok: true; product: NeuroonProduct }
  | {
      line: number;
      ok: false;
      externalId: string | undefined;
      issues: ValidationIssue[];
      candidate?: NeuroonProduct;
    };

/** The fields a CSV header may name (case-insensitive; `external_id` works too). */
const CSV_FIELDS = NEUROON_PRODUCT_FIELDS.filter((field) => field !== "attributes");
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
  let normalized: NeuroonProduct;
  try {
    normalized = normalizeProduct(withPlainDescription(value as Record<string, unknown>));
  } catch (error) {
    return {
      line,
      ok: false,
      externalId,
      issues: [{ field: "", message: (error as Error).message }],
    };
  }
  const result = validateProduct(normalized);
  return result.ok
    ? { line, ok: true, product: result.product }
    : rejectedRecord(line, externalId, result.issues, normalized);
}

/**
 * The description rule every adapter applies (core's `toPlainText`): feeds are often exported
 * with the store's HTML, so tags go, entities are decoded and the text is cut at a word boundary
 * at the recommended length. Line breaks in plain-text descriptions are kept; WordPress shortcodes
 * are the WooCommerce adapter's business, not a feed's.
 */
function withPlainDescription(value: Record<string, unknown>): NeuroonProductInput {
  if (typeof value.description !== "string") return value as NeuroonProductInput;
  return {
    ...value,
    description: toPlainText(value.description, {
      maxLength: RECOMMENDED_DESCRIPTION_LENGTH_CHARS,
      keepSourceLineBreaks: true,
    }),
  } as NeuroonProductInput;
}

function rejectedRecord(
  line: number,
  externalId: string | undefined,
  issues: ValidationIssue[],
  candidate: NeuroonProduct,
): FeedRecord {
  return typeof candidate.externalId === "string" && externalId !== undefined
    ? { line, ok: false, externalId, issues, candidate }
    : { line, ok: false, externalId, issues };
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
    if (text.includes(REPLACEMENT_CHAR)) {
      yield {
        line: lineNumber,
        ok: false,
        externalId: undefined,
        issues: [{ field: "", message: NOT_UTF8_MESSAGE }],
      };
      continue;
    }
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
    // Spreadsheet headers: "External ID", "external_id", "EXTERNALID" all name externalId.
    const field = known.get(name.replace(/[\s_-]/g, "").toLowerCase());
    if (field === undefined) unknown.push(name);
    return { field: field ?? name };
  });
  if (unknown.length > 0) {
    const hint =
      header.length === 1
        ? ` The header was read as one column: pass --delimiter with the file's separator.`
        : "";
    throw new UsageError(
      `The CSV feed ${path} has unknown columns: ${unknown.map((name) => JSON.stringify(name)).join(", ")}.${hint}`,
      `Name columns after product fields (${CSV_FIELDS.join(", ")}) or attributes.<name>.`,
    );
  }
  const seen = new Map<string, string>();
  for (const [index, column] of columns.entries()) {
    const key = column.attribute === undefined ? column.field : `attributes.${column.attribute}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new UsageError(
        `The CSV feed ${path} names ${key} twice in its header (line 1): ${JSON.stringify(first)} and ${JSON.stringify(header[index]?.trim())}.`,
        "Keep one column per field; a second one would silently replace the first one's values.",
      );
    }
    seen.set(key, header[index]?.trim() ?? key);
  }
  if (!columns.some((column) => column.field === "externalId")) {
    throw new UsageError(
      `The CSV feed ${path} has no externalId column; its header is ${JSON.stringify(header.join(","))}.`,
      "The first line must be a header naming the columns, including externalId, name, price and url.",
    );
  }
  return columns;
}

/** A CSV cell as the product field's value, or why it cannot be one. */
function csvValue(
  field: string,
  text: string,
  decimal: DecimalSeparator,
): { value: unknown; issue?: string } {
  if (NUMBER_FIELDS.has(field)) {
    const number = parseCsvNumber(text, decimal);
    return number.ok ? { value: number.value } : { value: text, issue: number.reason };
  }
  if (BOOLEAN_FIELDS.has(field)) {
    const lower = text.trim().toLowerCase();
    if (["true", "1", "yes", "y"].includes(lower)) return { value: true };
    if (["false", "0", "no", "n"].includes(lower)) return { value: false };
    return { value: text };
  }
  if (LIST_FIELDS.has(field)) {
    return {
      value: text
        .split(CSV_LIST_SEPARATOR)
        .map((item) => item.trim())
        .filter((item) => item !== ""),
    };
  }
  return { value: text };
}

/**
 * The field delimiter of a CSV feed: the candidate (`,` `;` tab) found most often outside quotes
 * in the header line. Semicolons are what every European Excel writes.
 */
async function detectDelimiter(path: string): Promise<string> {
  const file = await open(path, "r");
  let head: string;
  try {
    const buffer = Buffer.alloc(DELIMITER_SNIFF_BYTES);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await file.close();
  }
  const counts = new Map<string, number>(DELIMITER_CANDIDATES.map((candidate) => [candidate, 0]));
  let isQuoted = false;
  for (const char of head) {
    if (char === '"') isQuoted = !isQuoted;
    else if (!isQuoted && (char === "\n" || char === "\r")) break;
    else if (!isQuoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: string = DELIMITER_CANDIDATES[0];
  for (const [candidate, count] of counts) {
    if (count > (counts.get(best) ?? 0)) best = candidate;
  }
  return best;
}

/** Line breaks in raw CSV text (`\r\n`, `\n` or a lone `\r` each count once). */
function countLineBreaks(raw: string): number {
  let count = 0;
  for (let index = 0; index < raw.length; index += 1) {
    const code = raw.charCodeAt(index);
    if (code === 0x0a || (code === 0x0d && raw.charCodeAt(index + 1) !== 0x0a)) count += 1;
  }
  return count;
}

/** Line breaks before the first character that is not one (blank lines the parser skipped). */
function countLeadingLineBreaks(raw: string): number {
  let end = 0;
  while (end < raw.length && (raw[end] === "\n" || raw[end] === "\r")) end += 1;
  return countLineBreaks(raw.slice(0, end));
}

async function* readCsv(
  path: string,
  spec: FeedSpec,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<FeedRecord> {
  const delimiter = spec.delimiter ?? (await detectDelimiter(path));
  const decimal = spec.decimal ?? ".";
  const skipped: FeedRecord[] = [];
  const parser = createReadStream(path).pipe(
    parseCsv({
      bom: true,
      info: true,
      raw: true,
      delimiter,
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
  // The parser's own line count is one too high after a quoted CRLF: count the raw text instead.
  let linesBefore = 0;
  for await (const entry of parser as AsyncIterable<{
    record: string[];
    raw: string;
    info: { lines: number; bytes: number };
  }>) {
    yield* skipped.splice(0);
    const { record, info, raw } = entry;
    const line = linesBefore + countLeadingLineBreaks(raw) + 1;
    linesBefore += countLineBreaks(raw);
    onBytes?.(info.bytes);
    if (columns === undefined) {
      columns = mapHeader(record, path);
      continue;
    }
    if (record.length !== columns.length) {
      yield {
        line,
        ok: false,
        externalId: undefined,
        issues: [
          { field: "", message: `has ${record.length} fields, the header has ${columns.length}` },
        ],
      };
      continue;
    }
    if (raw.includes(REPLACEMENT_CHAR)) {
      yield {
        line,
        ok: false,
        externalId: undefined,
        issues: [{ field: "", message: NOT_UTF8_MESSAGE }],
      };
      continue;
    }
    const product: Record<string, unknown> = {};
    const attributes: Record<string, string> = {};
    const cellIssues: ValidationIssue[] = [];
    columns.forEach((column, index) => {
      const text = record[index] ?? "";
      if (text === "") return;
      if (column.attribute !== undefined) {
        attributes[column.attribute] = text;
        return;
      }
      const cell = csvValue(column.field, text, decimal);
      product[column.field] = cell.value;
      if (cell.issue !== undefined) cellIssues.push({ field: column.field, message: cell.issue });
    });
    if (Object.keys(attributes).length > 0) product.attributes = attributes;
    yield withCellIssues(check(product, line), cellIssues);
  }
  yield* skipped.splice(0);
  if (columns === undefined) {
    throw new UsageError(
      `The CSV feed ${path} is empty.`,
      "The first line must be a header naming the columns.",
    );
  }
}

/** A record with the CSV cells' own issues first, in place of what validation said of them. */
function withCellIssues(record: FeedRecord, cellIssues: ValidationIssue[]): FeedRecord {
  if (cellIssues.length === 0) return record;
  const fields = new Set(cellIssues.map((issue) => issue.field));
  if (record.ok) {
    const candidate = record.product;
    return {
      line: record.line,
      ok: false,
      externalId: candidate.externalId,
      issues: cellIssues,
      candidate,
    };
  }
  return {
    ...record,
    issues: [...cellIssues, ...record.issues.filter((issue) => !fields.has(issue.field))],
  };
}

/**
 * Streams a product feed record by record, in bounded memory: JSON Lines (one product object per
 * line, blank lines ignored) or CSV with a header row. Each product is normalised and validated
 * with the core rules; a refused record carries its line number and every issue. A repeated
 * `externalId` is refused after its first occurrence (remembered in `index`: pass a file-backed one
 * for feeds of millions of lines, and read it after the pass). `onBytes` reports bytes read.
 */
export async function* readFeed(
  path: string,
  options: FeedSpec & { onBytes?: (bytes: number) => void; index?: FeedLineIndex },
): AsyncGenerator<FeedRecord> {
  const index = options.index ?? createMemoryLineIndex();
  const records =
    options.format === "csv"
      ? readCsv(path, options, options.onBytes)
      : readJsonLines(path, options.onBytes);
  try {
    for await (const record of records) {
      if (!record.ok) {
        yield record;
        continue;
      }
      const { externalId } = record.product;
      const first = index.claim(externalId, record.line);
      if (first !== undefined) {
        // No candidate: the product is present through its first line.
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
      yield record;
    }
  } finally {
    if (options.index === undefined) index.close();
  }
}
