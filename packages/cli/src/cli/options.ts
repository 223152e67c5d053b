import { InvalidArgumentError } from "commander";

/** Parses a positive integer option (`--batch-size 100`). */
export function parseIntegerOption(min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(
        `expected an integer from ${min} to ${max}, received "${value}".`,
      );
    }
    return number;
  };
}

/** Parses a share from 0 to 1 (`--max-delete-ratio 0.25`). */
export function parseRatioOption(value: string): number {
  const ratio = Number(value);
  if (value.trim() === "" || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new InvalidArgumentError(
      `expected a share from 0 to 1 such as 0.25, received "${value}".`,
    );
  }
  return ratio;
}

/** Parses an ISO-8601 date option (`--modified-after 2026-01-31T00:00:00Z`). */
export function parseDateOption(value: string): string {
  if (Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError(
      `expected an ISO-8601 date such as 2026-01-31T00:00:00Z, received "${value}".`,
    );
  }
  return value;
}
