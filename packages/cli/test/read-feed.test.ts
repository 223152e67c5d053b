import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsvNumber } from "../src/feed/csv-number.js";
import { type FeedRecord, type FeedSpec, readFeed } from "../src/feed/read-feed.js";

let dir: string;
let fileIndex = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "neuroon-read-feed-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(
  content: string | Buffer,
  spec: FeedSpec = { format: "csv" },
): Promise<FeedRecord[]> {
  fileIndex += 1;
  const path = join(dir, `feed-${fileIndex}.${spec.format}`);
  await writeFile(path, content);
  const records: FeedRecord[] = [];
  for await (const record of readFeed(path, spec)) records.push(record);
  return records;
}

const HEADER = "externalId,name,price,currency,url";
const row = (id: string, price: string) =>
  `${id},Product ${id},${price},EUR,https://s.example/${id}`;
const reasons = (record: FeedRecord | undefined) =>
  record === undefined || record.ok ? [] : record.issues.map((issue) => issue.message);

describe("feed descriptions", () => {
  it("get the description rule: plain text, entities decoded, at most 2000 characters", async () => {
    const long = `<p>${"word ".repeat(600)}</p>`;
    const records = await read(
      [
        JSON.stringify({
          externalId: "d1",
          name: "D1",
          price: 1,
          url: "https://s.example/d1",
          description: "<p>The <strong>best</strong> mug&mdash;ever &amp; always.</p>",
        }),
        JSON.stringify({
          externalId: "d2",
          name: "D2",
          price: 1,
          url: "https://s.example/d2",
          description: long,
        }),
      ].join("\n"),
      { format: "jsonl" },
    );
    const [first, second] = records;
    expect(first?.ok && first.product.description).toBe("The best mug—ever & always.");
    const text = second?.ok ? (second.product.description ?? "") : "";
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text.endsWith("word…")).toBe(true);
  });

  it("keep the line breaks of a plain-text CSV description", async () => {
    const [record] = await read(
      `${HEADER},description\nd3,D3,1,EUR,https://s.example/d3,"Line one\nLine two"\n`,
    );
    expect(record?.ok && record.product.description).toBe("Line one\nLine two");
  });
});

describe("CSV values", () => {
  it.each([
    ["0x10", /"0x10" is not a number/],
    ["0b101", /"0b101" is not a number/],
    ["+7", /"\+7" is not a number/],
    ["1e3", /"1e3" is not a number/],
    ["1,234", /ambiguous.*--decimal/],
    ["1.234,56", /ambiguous.*--decimal/],
  ])("refuses the price %s with its line and the rule", async (price, reason) => {
    const [record] = await read(`${HEADER}\n${row("a", `"${price}"`)}\n`);
    expect(record).toMatchObject({ ok: false, line: 2, externalId: "a" });
    expect(reasons(record).join(" ")).toMatch(reason);
  });

  it.each([
    ["12.50", 12.5],
    ["12,50", 12.5],
    ["12,5", 12.5],
    ["1,234.56", 1234.56],
  ])("reads the price %s as %d", async (price, expected) => {
    const [record] = await read(`${HEADER}\n${row("a", `"${price}"`)}\n`);
    expect(record?.ok && record.product.price).toBe(expected);
  });

  it("reads 1.234,56 with a declared decimal comma, and refuses 12.50 then", () => {
    expect(parseCsvNumber("1.234,56", ",")).toEqual({ ok: true, value: 1234.56 });
    expect(parseCsvNumber("12,50", ",")).toEqual({ ok: true, value: 12.5 });
    expect(parseCsvNumber("12.50", ",")).toMatchObject({ ok: false });
  });

  it("refuses a header that names a column twice, case-insensitively", async () => {
    await expect(
      read("externalId,name,price,Price,url\na,A,1,2,https://s.example/a\n"),
    ).rejects.toThrow(/names price twice in its header \(line 1\): "price" and "Price"/);
  });

  it("refuses a line with bytes that are not UTF-8, by its line number", async () => {
    const bad = Buffer.concat([
      Buffer.from(`${HEADER}\n${row("a", "1")}\nb,Caf`),
      Buffer.from([0xe9]),
      Buffer.from(`,2,EUR,https://s.example/b\n${row("c", "3")}\n`),
    ]);
    const records = await read(bad);
    expect(records.map((record) => [record.line, record.ok])).toEqual([
      [2, true],
      [3, false],
      [4, true],
    ]);
    expect(reasons(records[1]).join(" ")).toMatch(/not UTF-8/);
  });

  it("counts a quoted CRLF as one line break", async () => {
    const records = await read(
      `${HEADER},description\r\na,A,1,EUR,https://s.example/a,"two\r\nlines"\r\nb,B,x,EUR,https://s.example/b,\r\n`,
    );
    expect(records.map((record) => record.line)).toEqual([2, 4]);
    expect(records[1]?.ok).toBe(false);
  });
});

describe("spreadsheet CSV", () => {
  it("detects a semicolon delimiter and matches headers case-insensitively", async () => {
    const [record] = await read(
      "External ID;NAME;Price;currency;URL\nx1;Tasse;12,50;EUR;https://s.example/x1\n",
    );
    expect(record).toMatchObject({ ok: true, product: { externalId: "x1", price: 12.5 } });
  });

  it("takes the delimiter it is given", async () => {
    const [record] = await read("externalId|name|price|url\nx2|Mug|3|https://s.example/x2\n", {
      format: "csv",
      delimiter: "|",
    });
    expect(record).toMatchObject({ ok: true, product: { externalId: "x2", price: 3 } });
  });

  it("says a one-column header may need --delimiter", async () => {
    await expect(read("externalId|name|price|url\nx|M|3|https://s.example/x\n")).rejects.toThrow(
      /--delimiter/,
    );
  });
});
