import { type Command, InvalidArgumentError, Option } from "commander";
import { detectFeedFormat, type FeedSpec } from "./read-feed.js";

/** The feed options `sync`, `reconcile` and `queue retry --feed` share. */
export interface FeedOptions {
  format?: string;
  delimiter?: string;
  decimal?: "." | ",";
}

/** Parses `--delimiter`: one character, `\t` or `tab` for a tab. */
function parseDelimiterOption(value: string): string {
  const delimiter = value === "\\t" || value.toLowerCase() === "tab" ? "\t" : value;
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new InvalidArgumentError(
      `expected one character such as ";" or "," (or "tab"), received ${JSON.stringify(value)}.`,
    );
  }
  return delimiter;
}

/** Adds `--format`, `--delimiter` and `--decimal` (what names the feed file is up to the command). */
export function addFeedOptions(command: Command, subject = "the feed"): Command {
  return command
    .addOption(
      new Option("--format <format>", `format of ${subject} (default: from the extension)`).choices(
        ["jsonl", "csv"],
      ),
    )
    .addOption(
      new Option(
        "--delimiter <char>",
        'CSV field separator, e.g. ";" or tab (default: detected from the header line)',
      ).argParser(parseDelimiterOption),
    )
    .addOption(
      new Option(
        "--decimal <separator>",
        'decimal separator of CSV numbers: "." (default; 12,50 is read too) or "," (1.234,56)',
      ).choices([".", ","]),
    );
}

/** How to read the feed at `path`, from the command's options. */
export function feedSpecOf(path: string, options: FeedOptions): FeedSpec {
  return {
    format: detectFeedFormat(path, options.format),
    delimiter: options.delimiter,
    decimal: options.decimal,
  };
}
