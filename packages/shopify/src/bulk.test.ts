import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { assembleBulkProducts, createBulkOperationWaiter, readJsonl } from "./bulk.js";

const P = (n: number, variants: number) => ({
  id: `gid://shopify/Product/${n}`,
  title: `P${n}`,
  variantsCount: { count: variants },
});
const V = (n: number, parent: number) => ({
  id: `gid://shopify/ProductVariant/${n}`,
  price: "1.00",
  __parentId: `gid://shopify/Product/${parent}`,
});

async function* from<T>(items: T[], consumed?: { count: number }): AsyncGenerator<T> {
  for (const item of items) {
    if (consumed) consumed.count += 1;
    yield item;
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe("assembleBulkProducts", () => {
  it("joins children that come before their parents (groupObjects: false)", async () => {
    const lines = [V(11, 1), V(21, 2), P(2, 1), V(12, 1), P(1, 2), P(3, 0)];
    const products = await collect(assembleBulkProducts(from(lines as Record<string, unknown>[])));
    expect(products.map((p) => [p.product.id, p.variants.map((v) => v.id)])).toEqual([
      ["gid://shopify/Product/2", ["gid://shopify/ProductVariant/21"]],
      [
        "gid://shopify/Product/1",
        ["gid://shopify/ProductVariant/11", "gid://shopify/ProductVariant/12"],
      ],
      ["gid://shopify/Product/3", []],
    ]);
  });

  it("emits each product as soon as it is complete (bounded memory on grouped output)", async () => {
    const lines: Record<string, unknown>[] = [];
    for (let n = 1; n <= 1000; n += 1) lines.push(P(n, 2), V(n * 10 + 1, n), V(n * 10 + 2, n));
    const consumed = { count: 0 };
    const iterator = assembleBulkProducts(from(lines, consumed));
    const first = await iterator.next();
    expect(first.value?.product.id).toBe("gid://shopify/Product/1");
    expect(consumed.count).toBe(3);
    await iterator.return(undefined);
  });

  it("emits incomplete products at the end and drops orphan variants", async () => {
    const products = await collect(
      assembleBulkProducts(from([V(99, 9), P(1, 3), V(11, 1)] as Record<string, unknown>[])),
    );
    expect(products.map((p) => [p.product.id, p.variants.length])).toEqual([
      ["gid://shopify/Product/1", 1],
    ]);
  });
});

describe("readJsonl", () => {
  it("streams lines split across chunks and a last line without newline", async () => {
    const text = `${JSON.stringify({ id: "a", note: "ü€" })}\n\n${JSON.stringify({ id: "b" })}\n${JSON.stringify({ id: "c" })}`;
    const bytes = Buffer.from(text);
    const server = createServer((_request, response) => {
      response.writeHead(200);
      for (let i = 0; i < bytes.length; i += 5) response.write(bytes.subarray(i, i + 5));
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/result.jsonl`;
      expect(await collect(readJsonl(url))).toEqual([
        { id: "a", note: "ü€" },
        { id: "b" },
        { id: "c" },
      ]);
    } finally {
      server.close();
    }
  });

  it("fails clearly on a non-JSON line", async () => {
    const server = createServer((_request, response) => response.end('{"id":1}\nnot json\n'));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await expect(collect(readJsonl(url))).rejects.toThrow(/line 2 is not JSON/);
    } finally {
      server.close();
    }
  });
});

describe("createBulkOperationWaiter", () => {
  it("wakes the waiter on notify, remembers an early notify, and times out otherwise", async () => {
    const waiter = createBulkOperationWaiter();
    const waiting = waiter.waitFor("s", "op1", 5_000);
    waiter.notify("s", "op1");
    await expect(waiting).resolves.toBe(true);
    waiter.notify("s", "op2");
    await expect(waiter.waitFor("s", "op2", 5_000)).resolves.toBe(true);
    await expect(waiter.waitFor("s", "op3", 10)).resolves.toBe(false);
  });
});
