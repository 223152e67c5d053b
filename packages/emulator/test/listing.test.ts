import { describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../src/index.js";
import { call, product, shopPath, start, sync } from "./helpers.js";

async function seed(emu: EmulatorHandle, count: number): Promise<void> {
  for (let from = 0; from < count; from += 500) {
    const batch = [];
    for (let i = from; i < Math.min(count, from + 500); i++) {
      batch.push(
        product(`p${String(i).padStart(4, "0")}`, {
          name: `Name ${(i * 37) % count}`,
          price: (i * 13) % 50,
        }),
      );
    }
    await sync(emu, batch);
  }
}

const ids = (content: Array<{ externalId: string }>) => content.map((p) => p.externalId);

describe("page/size listing", () => {
  it("returns the documented page object with default size 20 in write order", async () => {
    const emu = await start();
    await seed(emu, 45);
    const res = await call(emu, "GET", shopPath("/products"));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual([
      "content",
      "page",
      "size",
      "totalElements",
      "totalPages",
      "first",
      "last",
    ]);
    expect(res.body).toMatchObject({
      page: 0,
      size: 20,
      totalElements: 45,
      totalPages: 3,
      first: true,
      last: false,
    });
    expect(ids(res.body.content)[0]).toBe("p0000");
    const last = await call(emu, "GET", shopPath("/products?page=2"));
    expect(ids(last.body.content)).toEqual(["p0040", "p0041", "p0042", "p0043", "p0044"]);
    expect(last.body).toMatchObject({ first: false, last: true });
    const beyond = await call(emu, "GET", shopPath("/products?page=9"));
    expect(beyond.body).toMatchObject({ content: [], totalElements: 45, last: true });
  });

  it("moves an updated product to the end of the default order", async () => {
    const emu = await start();
    await seed(emu, 5);
    await sync(emu, [product("p0001", { price: 99 })]);
    const res = await call(emu, "GET", shopPath("/products"));
    expect(ids(res.body.content)).toEqual(["p0000", "p0002", "p0003", "p0004", "p0001"]);
  });

  it("validates page, size (max 100) and sort", async () => {
    const emu = await start();
    const cases: Array<[string, string]> = [
      ["size=101", "size: must be less than or equal to 100"],
      ["size=0", "size: must be an integer greater than or equal to 1"],
      ["page=-1", "page: must be an integer greater than or equal to 0"],
      ["page=abc", "page: must be an integer greater than or equal to 0"],
      [
        "sort=color,asc",
        "sort: unsupported field 'color', expected one of updatedAt, createdAt, name, price, externalId",
      ],
      [
        "sort=name,sideways",
        "sort: expected 'field,asc' or 'field,desc', received 'name,sideways'",
      ],
      [
        "modifiedAfter=yesterday",
        "modifiedAfter: must be an ISO 8601 date-time, received 'yesterday'",
      ],
    ];
    for (const [query, message] of cases) {
      const res = await call(emu, "GET", shopPath(`/products?${query}`));
      expect(res.status, query).toBe(400);
      expect(res.body.message, query).toBe(message);
    }
    expect((await call(emu, "GET", shopPath("/products?size=100"))).status).toBe(200);
  });

  it("sorts by every supported field in both directions, ties by write order", async () => {
    const emu = await start();
    await sync(emu, [
      product("b", { name: "Beta", price: 5 }),
      product("a", { name: "Alpha", price: 7 }),
      product("c", { name: "Gamma", price: 5 }),
    ]);
    const sorted = async (sort: string) =>
      ids((await call(emu, "GET", shopPath(`/products?sort=${sort}`))).body.content);
    expect(await sorted("name,asc")).toEqual(["a", "b", "c"]);
    expect(await sorted("name,desc")).toEqual(["c", "b", "a"]);
    expect(await sorted("price,asc")).toEqual(["b", "c", "a"]);
    expect(await sorted("price")).toEqual(["b", "c", "a"]);
    expect(await sorted("price,desc")).toEqual(["a", "b", "c"]);
    expect(await sorted("externalId,asc")).toEqual(["a", "b", "c"]);
    expect(await sorted("updatedAt,asc")).toEqual(["b", "a", "c"]);
    expect(await sorted("updatedAt,desc")).toEqual(["c", "a", "b"]);
    expect(await sorted("createdAt,desc")).toEqual(["b", "a", "c"]);
    const multi = await call(emu, "GET", shopPath("/products?sort=price,asc&sort=name,desc"));
    expect(ids(multi.body.content)).toEqual(["c", "b", "a"]);
    // The cached sorted view is refreshed after a write.
    await sync(emu, [product("0", { name: "Aardvark", price: 1 })]);
    expect(await sorted("name,asc")).toEqual(["0", "a", "b", "c"]);
  });

  it("filters by modifiedAfter (with or without offset) and pages through the filtered set", async () => {
    let now = Date.UTC(2026, 4, 6, 10, 0, 0);
    const emu = await start({ now: () => now });
    await sync(emu, [product("old1"), product("old2")]);
    now += 60_000;
    await sync(emu, [product("new1"), product("new2"), product("new3")]);
    const after = (value: string, extra = "") =>
      call(emu, "GET", shopPath(`/products?modifiedAfter=${encodeURIComponent(value)}${extra}`));
    const res = await after("2026-05-06T10:00:30");
    expect(ids(res.body.content)).toEqual(["new1", "new2", "new3"]);
    expect(res.body.totalElements).toBe(3);
    expect(ids((await after("2026-05-06T12:00:30+02:00")).body.content)).toEqual([
      "new1",
      "new2",
      "new3",
    ]);
    expect(ids((await after("2026-05-06T10:00:30Z", "&size=2&page=1")).body.content)).toEqual([
      "new3",
    ]);
    expect(ids((await after("2026-05-06T10:00:30Z", "&sort=name,desc")).body.content)).toEqual([
      "new3",
      "new2",
      "new1",
    ]);
    expect(
      ids((await after("2026-05-06T10:00:30Z", "&sort=updatedAt,desc&size=2")).body.content),
    ).toEqual(["new3", "new2"]);
    expect((await after("2026-05-06T10:01:00")).body.totalElements).toBe(0);
    expect((await after("2026-05-06")).body.totalElements).toBe(5);
  });
});

describe("cursor listing", () => {
  it("walks the whole catalog with the docs' reconcile loop shape", async () => {
    const emu = await start();
    await seed(emu, 250);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call(emu, "GET", shopPath(`/products?cursor=${cursor ?? ""}`));
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(["products", "nextCursor"]);
      seen.push(...ids(res.body.products));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });

  it("honours limit, never misses a product that exists throughout, and rejects bad input", async () => {
    const emu = await start();
    await seed(emu, 10);
    const first = await call(emu, "GET", shopPath("/products?cursor=&limit=4"));
    expect(ids(first.body.products)).toEqual(["p0000", "p0001", "p0002", "p0003"]);
    // Deleting and updating during the walk: remaining products are still visited.
    await call(emu, "DELETE", shopPath("/products/p0005"));
    await sync(emu, [product("p0001", { price: 1 })]);
    const rest: string[] = [];
    let cursor: string | null = first.body.nextCursor;
    while (cursor) {
      const res = await call(emu, "GET", shopPath(`/products?cursor=${cursor}&limit=4`));
      rest.push(...ids(res.body.products));
      cursor = res.body.nextCursor;
    }
    expect(rest).toEqual(["p0004", "p0006", "p0007", "p0008", "p0009", "p0001"]);
    const exact = await call(emu, "GET", shopPath("/products?cursor=&limit=9"));
    expect(exact.body.nextCursor).toBeNull();
    for (const [query, message] of [
      ["cursor=&limit=0", "limit: must be between 1 and 500"],
      ["cursor=&limit=501", "limit: must be between 1 and 500"],
      ["cursor=garbage", "cursor: invalid cursor, pass the nextCursor of the previous page"],
      ["cursor=&sort=name,asc", "sort: not supported with cursor pagination"],
    ] as const) {
      const res = await call(emu, "GET", shopPath(`/products?${query}`));
      expect(res.status, query).toBe(400);
      expect(res.body.message, query).toBe(message);
    }
  });

  it("combines a cursor with modifiedAfter", async () => {
    let now = Date.UTC(2026, 0, 1);
    const emu = await start({ now: () => now });
    await sync(emu, [product("a"), product("b")]);
    now += 1000;
    await sync(emu, [product("c"), product("d")]);
    const res = await call(
      emu,
      "GET",
      shopPath("/products?cursor=&limit=1&modifiedAfter=2026-01-01T00:00:00.500"),
    );
    expect(ids(res.body.products)).toEqual(["c"]);
    const next = await call(
      emu,
      "GET",
      shopPath(`/products?cursor=${res.body.nextCursor}&modifiedAfter=2026-01-01T00:00:00.500`),
    );
    expect(ids(next.body.products)).toEqual(["d"]);
    expect(next.body.nextCursor).toBeNull();
  });
});
