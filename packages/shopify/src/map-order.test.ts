import { describe, expect, it } from "vitest";
import { mapPaidOrder, parseShopifyJson, type ShopifyOrderPayload } from "./map-order.js";

describe("parseShopifyJson", () => {
  it("keeps integers beyond 2^53 exact, as strings", () => {
    const parsed = parseShopifyJson(
      '{"id":788032119674292922,"small":42,"price":"1.50","f":1.5}',
    ) as Record<string, unknown>;
    expect(parsed).toEqual({ id: "788032119674292922", small: 42, price: "1.50", f: 1.5 });
  });
});

const order = (overrides: Partial<ShopifyOrderPayload> = {}): ShopifyOrderPayload => ({
  id: "820982911946154508",
  admin_graphql_api_id: "gid://shopify/Order/820982911946154508",
  currency: "EUR",
  total_price: "64.97",
  note_attributes: [
    {
      name: "_neuroon_clicks",
      value: JSON.stringify({
        "9007199254740993": "log_a",
        "9007199254741000:48000000000002": "log_b",
      }),
    },
  ],
  line_items: [
    {
      product_id: "9007199254740993",
      variant_id: "48000000000001",
      quantity: 2,
      price: "19.99",
      discount_allocations: [{ amount: "5.00" }],
    },
    { product_id: "9007199254741000", variant_id: "48000000000002", quantity: 1, price: "24.99" },
    { product_id: "1234", variant_id: "5678", quantity: 1, price: "5.00" },
  ],
  ...overrides,
});

describe("mapPaidOrder", () => {
  it("attributes lines found in the clicks attribute, by product or variant record id", () => {
    expect(mapPaidOrder(order())).toEqual({
      orderId: "820982911946154508",
      orderValue: 64.97,
      currency: "EUR",
      conversions: [
        { productId: "9007199254740993", searchLogId: "log_a", quantity: 2, lineTotal: 34.98 },
        {
          productId: "9007199254741000:48000000000002",
          searchLogId: "log_b",
          quantity: 1,
          lineTotal: 24.99,
        },
      ],
    });
  });

  it("reads a URL-encoded clicks map and the legacy attribute name", () => {
    const value = encodeURIComponent(JSON.stringify({ "1234": "log_c" }));
    const mapped = mapPaidOrder(order({ note_attributes: [{ name: "neuroon_clicks", value }] }));
    expect(mapped?.conversions).toEqual([
      { productId: "1234", searchLogId: "log_c", quantity: 1, lineTotal: 5 },
    ]);
  });

  it("takes a line property before the clicks map", () => {
    const mapped = mapPaidOrder(
      order({
        note_attributes: [],
        line_items: [
          {
            product_id: 77,
            variant_id: 88,
            quantity: 1,
            price: "3.00",
            properties: [{ name: "_neuroon_search_log_id", value: "log_line" }],
          },
        ],
      }),
    );
    expect(mapped?.conversions).toEqual([
      { productId: "77", searchLogId: "log_line", quantity: 1, lineTotal: 3 },
    ]);
  });

  it.each([
    ["no attributes", { note_attributes: [] }],
    ["garbage attribute", { note_attributes: [{ name: "_neuroon_clicks", value: "{oops" }] }],
    ["no order id", { id: undefined, admin_graphql_api_id: undefined }],
  ])("returns undefined with %s", (_name, overrides) => {
    expect(mapPaidOrder(order(overrides as Partial<ShopifyOrderPayload>))).toBeUndefined();
  });
});
