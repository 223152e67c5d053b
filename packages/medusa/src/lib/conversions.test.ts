import { describe, expect, it } from "vitest";
import { buildConversion, parseClicks } from "./conversions";

describe("parseClicks", () => {
  const json = '{"prod_1":"log_a","prod_2":"log_b"}';
  it.each([
    ["an object", { prod_1: "log_a", prod_2: "log_b" }],
    ["raw cookie JSON", json],
    ["URL-encoded cookie JSON", encodeURIComponent(json)],
  ])("reads %s", (_label, value) => {
    expect(Object.fromEntries(parseClicks(value))).toEqual({ prod_1: "log_a", prod_2: "log_b" });
  });

  it.each([undefined, null, "", "not json", "[1]", 42])("yields nothing for %o", (value) => {
    expect(parseClicks(value).size).toBe(0);
  });

  it("drops blank search log ids", () => {
    expect(Object.fromEntries(parseClicks({ prod_1: " ", prod_2: 5, prod_3: "log_c" }))).toEqual({
      prod_3: "log_c",
    });
  });
});

describe("buildConversion", () => {
  const order = {
    id: "order_1",
    currency_code: "eur",
    total: 199.95,
    metadata: { neuroon_clicks: '{"prod_1":"log_a"}' },
    items: [
      { product_id: "prod_1", quantity: 2, total: 79.98 },
      { product_id: "prod_1", quantity: 1, total: 39.99 },
      { product_id: "prod_2", quantity: 1, total: 79.98 },
    ],
  };

  it("attributes only lines whose product was clicked in a search, merged per product", () => {
    expect(buildConversion(order)).toEqual({
      orderId: "order_1",
      orderValue: 199.95,
      currency: "EUR",
      conversions: [{ productId: "prod_1", searchLogId: "log_a", quantity: 3, lineTotal: 119.97 }],
    });
  });

  it("returns null when nothing is attributable", () => {
    expect(buildConversion({ ...order, metadata: {} })).toBeNull();
    expect(
      buildConversion({ ...order, metadata: { neuroon_clicks: { prod_9: "log_z" } } }),
    ).toBeNull();
  });
});
