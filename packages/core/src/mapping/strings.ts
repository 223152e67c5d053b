import { isWhitespaceCode } from "./char-codes.js";
import { SeenValues } from "./seen-values.js";

const WHITESPACE_RUN_RE = /\s+/g;

/** Trims and collapses every whitespace run (newlines, tabs, NBSP) to one space: for single-line values. */
export function cleanLine(value: string): string {
  return collapseWhitespace(value).trim();
}

/**
 * Replaces every whitespace run (what `\s` matches) with one space, like
 * `text.replace(/\s+/g, " ")`, but returns `text` itself when nothing changes and `" "` for
 * whitespace-only text without calling into the regex engine (~100 ns a call, and an HTML
 * description has dozens of short text runs).
 */
export function collapseWhitespace(text: string): string {
  const length = text.length;
  let i = 0;
  for (; i < length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x20) {
      if (i + 1 < length && isWhitespaceCode(text.charCodeAt(i + 1))) break;
    } else if ((code < 0x21 || code >= 0xa0) && isWhitespaceCode(code)) break;
  }
  if (i === length) return text;
  // Indentation between tags ("\n    ") is the most common run of all: no regex for it.
  let j = 0;
  while (j < length && isWhitespaceCode(text.charCodeAt(j))) j += 1;
  return j === length ? " " : text.replace(WHITESPACE_RUN_RE, " ");
}

/**
 * Cleans a list of labels: each is trimmed with inner whitespace collapsed, blanks and
 * non-strings are dropped, and duplicates are removed case-insensitively, keeping the first
 * spelling and the original order.
 */
export function dedupeStrings(values: Iterable<unknown>): string[] {
  const seen = new SeenValues<string>();
  const result: string[] = [];
  for (const value of values) {
    if (typeof value !== "string") continue;
    const cleaned = cleanLine(value);
    if (cleaned === "") continue;
    const key = cleaned.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(cleaned);
  }
  return result;
}

// Punctuation that reads badly right before an ellipsis ("Cotton, …").
function isTrailingJunkCode(code: number): boolean {
  return (
    isWhitespaceCode(code) ||
    code === 0x2c || // ,
    code === 0x3b || // ;
    code === 0x3a || // :
    code === 0x2d || // -
    code === 0x2013 || // –
    code === 0x2014 || // —
    code === 0x2022 // •
  );
}

/** A cut that falls further back than this share of the budget is not worth a word boundary. */
const MIN_WORD_CUT_RATIO = 0.5;

/**
 * Shortens `text` to at most `maxLength` UTF-16 code units (what Java's `@Size` counts) including
 * the `ellipsis`: cut at the last word boundary that fits, trailing spaces and separators dropped,
 * then the ellipsis appended. A single word longer than half the budget is cut inside the word; a
 * surrogate pair is never split. Text that fits is returned unchanged.
 */
export function truncateAtWord(text: string, maxLength: number, ellipsis = "…"): string {
  if (text.length <= maxLength) return text;
  const budget = maxLength - ellipsis.length;
  if (budget <= 0) return ellipsis.slice(0, Math.max(0, maxLength));
  let cut = budget;
  if (!isWhitespaceCode(text.charCodeAt(cut))) {
    let boundary = cut - 1;
    while (boundary >= 0 && !isWhitespaceCode(text.charCodeAt(boundary))) boundary -= 1;
    if (boundary >= Math.floor(budget * MIN_WORD_CUT_RATIO)) cut = boundary;
  }
  let end = cut;
  while (end > 0 && isTrailingJunkCode(text.charCodeAt(end - 1))) end -= 1;
  if (end === 0) end = cut;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}${ellipsis}`;
}
