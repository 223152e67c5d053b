import { describe, expect, test } from "vitest";
import { diffDrift, takeDriftSnapshot } from "./drift.js";

describe("drift", () => {
  const synced = takeDriftSnapshot({
    externalId: "p1",
    name: "Chair",
    price: 10,
    url: "https://shop.example/p1",
    description: "Oak",
    inStock: true,
    categories: ["Furniture"],
  });

  test("a snapshot keeps only the drift fields", () => {
    expect(synced).toEqual({ name: "Chair", price: 10, description: "Oak", inStock: true });
  });

  test.each([
    [{ name: "Chair", price: 10, description: "Oak", inStock: true }, []],
    [{ name: "Chair ", price: 10.0000001, description: "Oak", inStock: true, sku: null }, []],
    [{ name: "Chair", price: 8, description: "Oak", inStock: true }, ["price"]],
    [
      { name: "Stool", price: 10, description: "Oak", inStock: false, salePrice: 5 },
      ["name", "salePrice", "inStock"],
    ],
  ])("diff of %j", (remote, fields) => {
    expect(diffDrift(synced, remote as never)).toEqual(fields);
  });
});
