import type { CatalogSource } from "@neuroon/core";
import { expect, expectTypeOf, test } from "vitest";
import {
  conversionFromOrder,
  createWooCatalogSource,
  type ParsedWooWebhook,
  parseWooWebhook,
  verifyWooWebhook,
  type WooCommerceErrorKind,
  type WooStoreReader,
  type WooWebhookVerification,
} from "../src/index.js";

test("public types", () => {
  expectTypeOf(createWooCatalogSource).returns.toEqualTypeOf<CatalogSource>();
  expectTypeOf(verifyWooWebhook).returns.toEqualTypeOf<WooWebhookVerification>();
  expectTypeOf(parseWooWebhook).returns.toEqualTypeOf<ParsedWooWebhook>();
  expectTypeOf<WooStoreReader["listProducts"]>()
    .parameter(0)
    .exclude<undefined>()
    .toHaveProperty("modifiedAfter");
  expectTypeOf<"auth">().toMatchTypeOf<WooCommerceErrorKind>();
  expect(() =>
    // @ts-expect-error a parsed body is not accepted
    verifyWooWebhook({ rawBody: { id: 1 }, signature: "x", secrets: "s" }),
  ).toThrow(TypeError);
  // @ts-expect-error an order needs its id, status, currency and total
  expect(conversionFromOrder({}).ok).toBe(false);
});
