import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { redactSecrets } from "./redact.js";

/** A stream `neuroon` writes to: `process.stdout`/`process.stderr`, or a fake in tests. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/** Where commands write; injectable so commands can run in-process. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** The real process. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** A column of {@link Output.table}. */
export interface TableColumn<TRow> {
  header: string;
  value: (row: TRow) => string | number | boolean | null | undefined;
  align?: "left" | "right";
  /** Longest cell before it is cut with "…". */
  maxWidth?: number;
}

/**
 * Everything a command prints. Results go to stdout (human text, or one JSON document with
 * `--json`); diagnostics, warnings and progress go to stderr. Every write is redacted.
 */
export class Output {
  readonly isJson: boolean;
  readonly io: CliIo;

  constructor(io: CliIo, options: { json: boolean }) {
    this.io = io;
    this.isJson = options.json;
  }

  /** True when stderr is an interactive terminal (progress bars redraw in place). */
  get isInteractive(): boolean {
    return this.io.stderr.isTTY === true && this.io.env.CI === undefined;
  }

  /** A line of human output on stdout; skipped with `--json`. */
  line(text = ""): void {
    if (!this.isJson) this.io.stdout.write(`${redactSecrets(text)}\n`);
  }

  /** Raw text on stdout, redacted, printed in both modes (`neuroon token`'s value). */
  raw(text: string): void {
    this.io.stdout.write(redactSecrets(text));
  }

  /** The `--json` document on stdout. */
  json(value: unknown): void {
    this.io.stdout.write(`${redactSecrets(JSON.stringify(value, jsonReplacer, 2))}\n`);
  }

  /**
   * A result: with `--json` one document that starts with `ok` and `exitCode` (what a script
   * checks first; `value` may set them itself), else the human lines `human()` returns.
   */
  result(
    value: object,
    human: () => string | readonly string[],
    exitCode: ExitCodeValue = ExitCode.OK,
  ): void {
    if (this.isJson) {
      this.json({ ok: exitCode === ExitCode.OK, exitCode, ...value });
      return;
    }
    const text = human();
    for (const line of typeof text === "string" ? [text] : text) this.line(line);
  }

  /** A diagnostic on stderr, in both modes. */
  note(text: string): void {
    this.io.stderr.write(`${redactSecrets(text)}\n`);
  }

  /** A warning on stderr. */
  warn(text: string): void {
    this.note(`warning: ${text}`);
  }

  /** An aligned text table on stdout (human mode only). */
  table<TRow>(rows: readonly TRow[], columns: readonly TableColumn<TRow>[]): void {
    if (this.isJson) return;
    for (const line of formatTable(rows, columns)) this.line(line);
  }
}

/** Dates as ISO strings, bigints as strings, errors as their message. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  return String(value).replace(/\s+/g, " ");
}

function cut(text: string, maxWidth: number | undefined): string {
  if (maxWidth === undefined || text.length <= maxWidth) return text;
  return `${text.slice(0, Math.max(0, maxWidth - 1))}…`;
}

/** Formats rows as a header line and padded columns separated by two spaces. */
export function formatTable<TRow>(
  rows: readonly TRow[],
  columns: readonly TableColumn<TRow>[],
): string[] {
  const cells = rows.map((row) =>
    columns.map((column) => cut(cell(column.value(row)), column.maxWidth)),
  );
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const render = (values: readonly string[]) =>
    values
      .map((value, index) => {
        const width = widths[index] ?? 0;
        return columns[index]?.align === "right" ? value.padStart(width) : value.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [render(columns.map((column) => column.header)), ...cells.map(render)];
}

/** `1,234` */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

/** `1 product`, `2 products`, `1,234 products`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}
