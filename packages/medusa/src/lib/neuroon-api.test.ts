import { ApiError, ConnectionError } from "@neuroon/core";
import { expect, test } from "vitest";
import { isRetryableError } from "./neuroon-api";

test.each([
  [408, true],
  [429, true],
  [500, true],
  [503, true],
  [400, false],
  [401, false],
  [404, false],
  [409, false],
  [422, false],
])("an API error with status %d is retryable: %s", (status, expected) => {
  expect(
    isRetryableError(
      ApiError.from({ status, body: { message: "x" }, headers: {}, method: "POST", path: "/p" }),
    ),
  ).toBe(expected);
});

test("network failures and unknown errors are retryable", () => {
  expect(
    isRetryableError(
      new ConnectionError({ method: "POST", path: "/p" }, { cause: new Error("socket hang up") }),
    ),
  ).toBe(true);
  expect(isRetryableError(new Error("boom"))).toBe(true);
});
