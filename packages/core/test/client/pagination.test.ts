import type { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProductPage, StoredProduct } from "../../src/index.js";
import { createMockAgent, createTestClient, ORIGIN, SHOP_PATH } from "./helpers.js";

const PRODUCTS_PATH = `${SHOP_PATH}/products`;
const JSON_HEADERS = { headers: { "content-type": "application/json" } };

function product(id: string): StoredProduct {
  return {
    externalId: id,
    name: id,
    price: 1,
    url: `https://s.example/${id}`,
    createdAt: "2026-05-06T10:15:00",
    updatedAt: "2026-05-06T10:15:00",
  };
}

function page(index: number, ids: string[], extra: Partial<ProductPage> = {}): ProductPage {
  return {
    content: ids.map(product),
    page: index,
    size: 2,
    totalElements: 5,
    totalPages: 3,
    first: index === 0,
    last: index === 2,
    ...extra,
  };
}

let agent: MockAgent;

beforeEach(() => {
  agent = createMockAgent();
});

afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

function requestedPaths(): string[] {
  return (agent.getCallHistory()?.calls() ?? []).map((call) => `${call.path}`);
}

function replyPages(...pages: ProductPage[]) {
  const pool = agent.get(ORIGIN);
  for (const p of pages) {
    pool
      .intercept({ path: `${PRODUCTS_PATH}?page=${p.page}&size=2`, method: "GET" })
      .reply(200, p, JSON_HEADERS);
  }
}

describe("products.list", () => {
  it("is lazy, and awaiting it gives the first page", async () => {
    replyPages(page(0, ["a", "b"]));
    const list = createTestClient(agent).products.list({ size: 2 });
    expect(requestedPaths()).toEqual([]);
    await expect(list).resolves.toEqual(page(0, ["a", "b"]));
  });

  it("iterates every product across pages and stops at the page marked last", async () => {
    replyPages(page(0, ["a", "b"]), page(1, ["c", "d"]), page(2, ["e"]));
    const ids: string[] = [];
    for await (const item of createTestClient(agent).products.list({ size: 2 }))
      ids.push(item.externalId);
    expect(ids).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("stops at totalPages when `last` is absent, and reuses an awaited first page", async () => {
    const noLast = (i: number, ids: string[]) => {
      const { last: _last, ...rest } = page(i, ids, { totalPages: 2 });
      return rest as ProductPage;
    };
    replyPages(noLast(0, ["a", "b"]), noLast(1, ["c", "d"]));
    const list = createTestClient(agent).products.list({ size: 2 });
    await list;
    const pages: number[] = [];
    for await (const p of list.pages()) pages.push(p.page);
    expect(pages).toEqual([0, 1]);
    expect(requestedPaths()).toHaveLength(2);
  });

  it("stops on an empty page even if the server claims more", async () => {
    replyPages(
      page(0, ["a", "b"], { totalPages: 9, last: false }),
      page(1, [], { totalPages: 9, last: false }),
    );
    const items = await createTestClient(agent).products.list({ size: 2 }).toArray({ limit: 100 });
    expect(items.map((item) => item.externalId)).toEqual(["a", "b"]);
  });

  it("sends page, size, sort and modifiedAfter as query parameters", async () => {
    const since = new Date("2026-05-06T10:15:00Z");
    agent
      .get(ORIGIN)
      .intercept({
        path: `${PRODUCTS_PATH}?page=3&size=100&sort=externalId&modifiedAfter=2026-05-06T10%3A15%3A00.000Z`,
        method: "GET",
      })
      .reply(200, page(3, [], { last: true }), JSON_HEADERS);
    await createTestClient(agent).products.list({
      page: 3,
      size: 100,
      sort: "externalId",
      modifiedAfter: since,
    });
  });

  it.each([0, 101, 1.5])("refuses size %s synchronously", (size) => {
    expect(() => createTestClient(agent).products.list({ size })).toThrow(
      /size must be an integer from 1 to 100/,
    );
  });

  it("refuses a negative page and an invalid modifiedAfter", () => {
    const client = createTestClient(agent);
    expect(() => client.products.list({ page: -1 })).toThrow(RangeError);
    expect(() => client.products.list({ modifiedAfter: "yesterday" })).toThrow(/modifiedAfter/);
  });

  it("concurrent next() calls share one in-flight page fetch", async () => {
    replyPages(page(0, ["a", "b"]), page(1, ["c", "d"]), page(2, ["e"]));
    const iterator = createTestClient(agent).products.list({ size: 2 })[Symbol.asyncIterator]();
    const results = await Promise.all([
      iterator.next(),
      iterator.next(),
      iterator.next(),
      iterator.next(),
      iterator.next(),
      iterator.next(),
    ]);
    expect(results.map((r) => (r.done ? "done" : r.value.externalId))).toEqual([
      "a",
      "b",
      "c",
      "d",
      "e",
      "done",
    ]);
    expect(requestedPaths()).toHaveLength(3);
  });

  it("a failed page fetch rejects, and next() tries that page again", async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: `${PRODUCTS_PATH}?page=0&size=2`, method: "GET" })
      .reply(404, { status: 404, error: "Not Found", message: "Shop not found" }, JSON_HEADERS);
    replyPages(page(0, ["a", "b"], { last: true }));
    const iterator = createTestClient(agent).products.list({ size: 2 })[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow(/404 Shop not found/);
    await expect(iterator.next()).resolves.toMatchObject({
      done: false,
      value: { externalId: "a" },
    });
  });

  it("breaking out of the loop fetches no further pages", async () => {
    replyPages(page(0, ["a", "b"]));
    for await (const item of createTestClient(agent).products.list({ size: 2 })) {
      expect(item.externalId).toBe("a");
      break;
    }
    expect(requestedPaths()).toHaveLength(1);
  });
});

describe("products.listByCursor", () => {
  it("follows nextCursor until null", async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: `${PRODUCTS_PATH}?cursor=&limit=2`, method: "GET" })
      .reply(200, { products: [product("a"), product("b")], nextCursor: "c1" }, JSON_HEADERS);
    pool
      .intercept({ path: `${PRODUCTS_PATH}?cursor=c1&limit=2`, method: "GET" })
      .reply(200, { products: [product("c")], nextCursor: "c 2/" }, JSON_HEADERS);
    pool
      .intercept({ path: `${PRODUCTS_PATH}?cursor=c+2%2F&limit=2`, method: "GET" })
      .reply(200, { products: [product("d")], nextCursor: null }, JSON_HEADERS);
    const ids: string[] = [];
    for await (const item of createTestClient(agent).products.listByCursor({ limit: 2 }))
      ids.push(item.externalId);
    expect(ids).toEqual(["a", "b", "c", "d"]);
  });

  it("starts from a given cursor, exposes pages, and stops on a cursor that does not move", async () => {
    const pool = agent.get(ORIGIN);
    pool
      .intercept({ path: `${PRODUCTS_PATH}?cursor=x`, method: "GET" })
      .reply(200, { products: [product("a")], nextCursor: "y" }, JSON_HEADERS);
    pool
      .intercept({ path: `${PRODUCTS_PATH}?cursor=y`, method: "GET" })
      .reply(200, { products: [product("b")], nextCursor: "y" }, JSON_HEADERS);
    const cursors: Array<string | null> = [];
    for await (const p of createTestClient(agent).products.listByCursor({ cursor: "x" }).pages())
      cursors.push(p.nextCursor);
    expect(cursors).toEqual(["y", "y"]);
  });

  it("refuses a non-positive limit", () => {
    expect(() => createTestClient(agent).products.listByCursor({ limit: 0 })).toThrow(RangeError);
  });
});
