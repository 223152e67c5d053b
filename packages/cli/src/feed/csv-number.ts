/** The decimal separator of a CSV feed's numbers: `.` (default) or `,` (European spreadsheets). */
export type DecimalSeparator = "." | ",";

/** A CSV cell read as a number, or why it is not one. */
export type CsvNumber = { ok: true; value: number } | { ok: false; reason: string };

// Plain decimals only: no sign other than "-", no exponent, no hex/binary/octal prefixes, so
// `0x10`, `0b101`, `+7` and `1e3` are refused rather than read as 16, 5, 7 and 1000.
const POINT_DECIMAL_RE = /^-?\d+(?:\.\d+)?$/;
const COMMA_DECIMAL_RE = /^-?\d+(?:,\d+)?$/;
// Thousands grouped by the other separator: 1,234.56 with `.`, 1.234,56 with `,`.
const POINT_GROUPED_RE = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const COMMA_GROUPED_RE = /^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$/;
// A single comma that cannot be a thousands separator: not followed by exactly three digits.
const UNAMBIGUOUS_COMMA_RE = /^-?\d+,(?:\d{1,2}|\d{4,})$/;

const RULE_POINT =
  "write digits with an optional decimal point (12.50), thousands grouped by commas only with a point (1,234.56)";
const RULE_COMMA =
  "with --decimal , write digits with an optional decimal comma (12,50), thousands grouped by points (1.234,56)";

/**
 * Reads a CSV cell as a number by the feed's decimal separator. Without `--decimal ,` a single
 * comma followed by one, two or four and more digits is a decimal comma (`12,50`); a comma
 * followed by exactly three digits (`1,234`) could be either, so it is refused with the rule.
 */
export function parseCsvNumber(text: string, decimal: DecimalSeparator): CsvNumber {
  const cell = text.trim();
  if (decimal === ",") {
    if (COMMA_DECIMAL_RE.test(cell) || COMMA_GROUPED_RE.test(cell)) {
      return { ok: true, value: Number(cell.replaceAll(".", "").replace(",", ".")) };
    }
    return { ok: false, reason: `${JSON.stringify(text)} is not a number: ${RULE_COMMA}` };
  }
  if (POINT_DECIMAL_RE.test(cell)) return { ok: true, value: Number(cell) };
  if (UNAMBIGUOUS_COMMA_RE.test(cell)) return { ok: true, value: Number(cell.replace(",", ".")) };
  if (POINT_GROUPED_RE.test(cell) && !/^-?\d+,\d{3}$/.test(cell)) {
    return { ok: true, value: Number(cell.replaceAll(",", "")) };
  }
  if (/^-?\d+,\d{3}$/.test(cell) || COMMA_GROUPED_RE.test(cell)) {
    return {
      ok: false,
      reason: `${JSON.stringify(text)} is ambiguous: a comma or point before exactly three digits may separate thousands or decimals. Pass --decimal , (1.234,56) or --decimal . (1,234.56) to say which`,
    };
  }
  return { ok: false, reason: `${JSON.stringify(text)} is not a number: ${RULE_POINT}` };
}
