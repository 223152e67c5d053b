import { describe, expect, test } from "vitest";
import {
  conversionFromOrder,
  createWooCatalogSource,
  orderChange,
  parseClicks,
  WooCommerceError,
  type WooOrder,
} from "../src/index.js";
import { type Harness, startStore } from "./helpers.js";

const CLICKS = { "101": "log_a", "200:201": "log_b", "300": "log_parent" };

function order(overrides: Partial<WooOrder> = {}): WooOrder {
  return {
    id: 5001,
    number: "5001",
    status: "processing",
    currency: "EUR",
    total: "164.84",
    date_paid_gmt: "2026-11-20T10:00:00",
    meta_data: [{ id: 1, key: "neuroon_clicks", value: JSON.stringify(CLICKS) }],
    line_items: [
      { id: 1, product_id: 101, variation_id: 0, quantity: 2, total: "40.00", total_tax: "7.60" },
      { id: 2, product_id: 200, variation_id: 201, quantity: 1, total: "50.00", total_tax: "9.50" },
      { id: 3, product_id: 300, variation_id: 301, quantity: 1, total: "30.00", total_tax: "5.70" },
      { id: 4, product_id: 999, variation_id: 0, quantity: 1, total: "10.00", total_tax: "1.90" },
    ],
    ...overrides,
  };
}

describe("conversionFromOrder", () => {
  test("a paid order: only lines with a search log id, variant key then parent key", () => {
    expect(conversionFromOrder(order())).toEqual({
      ok: true,
      conversion: {
        orderId: "5001",
        orderValue: 164.84,
        currency: "EUR",
        conversions: [
          { productId: "101", searchLogId: "log_a", quantity: 2, lineTotal: 47.6 },
          { productId: "200:201", searchLogId: "log_b", quantity: 1, lineTotal: 59.5 },
          { productId: "300", searchLogId: "log_parent", quantity: 1, lineTotal: 35.7 },
        ],
      },
    });
  });

  test.each([
    { case: "raw JSON", value: JSON.stringify(CLICKS) },
    {
      case: "URL-encoded JSON (cookie as sent)",
      value: encodeURIComponent(JSON.stringify(CLICKS)),
    },
    { case: "an object (meta stored as an array)", value: CLICKS },
  ])("clicks as $case", ({ value }) => {
    const result = conversionFromOrder(order({ meta_data: [{ key: "_neuroon_clicks", value }] }));
    expect(result.ok && result.conversion.conversions).toHaveLength(3);
  });

  test("line-item meta wins over the order's clicks", () => {
    const result = conversionFromOrder(
      order({
        meta_data: [],
        line_items: [
          {
            id: 1,
            product_id: 101,
            variation_id: 0,
            quantity: 1,
            total: "10.00",
            meta_data: [{ key: "neuroon_search_log_id", value: "log_line" }],
          },
        ],
      }),
      { lineTotalIncludesTax: false },
    );
    expect(result).toMatchObject({
      ok: true,
      conversion: { conversions: [{ productId: "101", searchLogId: "log_line", lineTotal: 10 }] },
    });
  });

  test("custom meta keys", () => {
    const result = conversionFromOrder(
      order({ meta_data: [{ key: "search_clicks", value: JSON.stringify({ "101": "x" }) }] }),
      {
        metaKeys: ["search_clicks"],
      },
    );
    expect(result.ok && result.conversion.conversions.map((c) => c.searchLogId)).toEqual(["x"]);
  });

  test.each([
    { status: "pending", paid: null },
    { status: "on-hold", paid: null },
    { status: "failed", paid: null },
    { status: "checkout-draft", paid: null },
    { status: "refunded", paid: "2026-11-20T10:00:00" },
    { status: "cancelled", paid: "2026-11-20T10:00:00" },
    { status: "processing", paid: null },
  ])("not reported: $status (date_paid $paid)", ({ status, paid }) => {
    expect(conversionFromOrder(order({ status, date_paid_gmt: paid }))).toMatchObject({
      ok: false,
      reason: "not-paid",
    });
  });

  test("completed orders are reported", () => {
    expect(conversionFromOrder(order({ status: "completed" })).ok).toBe(true);
  });

  test("no clicks at all vs clicks for other products", () => {
    expect(conversionFromOrder(order({ meta_data: [] }))).toMatchObject({
      ok: false,
      reason: "no-search-clicks",
    });
    expect(
      conversionFromOrder(
        order({ meta_data: [{ key: "neuroon_clicks", value: '{"777":"log_z"}' }] }),
      ),
    ).toMatchObject({ ok: false, reason: "no-attributed-lines" });
  });

  test("zero-decimal currencies round line totals to whole units", () => {
    const result = conversionFromOrder(
      order({
        currency: "jpy",
        total: "1200",
        line_items: [
          {
            id: 1,
            product_id: 101,
            variation_id: 0,
            quantity: 1,
            total: "1000.4",
            total_tax: "100.3",
          },
        ],
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      conversion: { currency: "JPY", conversions: [{ lineTotal: 1101 }] },
    });
  });
});

describe("parseClicks", () => {
  test.each([
    { input: "not json", size: 0 },
    { input: "%7B%22broken", size: 0 },
    { input: '["a","b"]', size: 0 },
    { input: '{"1":"","2":"  ","3":4,"4":"ok"}', size: 1 },
    { input: undefined, size: 0 },
  ])("$input → $size entries", ({ input, size }) => {
    expect(parseClicks(input).size).toBe(size);
  });
});

describe("from an order webhook", () => {
  test("the order.updated payload carries the meta and lines", async () => {
    const { createServer } = await import("node:http");
    const { parseWooWebhook } = await import("../src/index.js");
    const bodies: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const harness = await startStore();
    try {
      const { fake, reader } = harness;
      const port = (server.address() as { port: number }).port;
      await reader.request(
        "post",
        "webhooks",
        {},
        { topic: "order.updated", delivery_url: `http://127.0.0.1:${port}/`, secret: "s" },
      );
      const created = fake.store.addOrder({
        status: "pending",
        meta_data: [{ id: 1, key: "neuroon_clicks", value: '{"150":"log_1"}' }],
        line_items: [
          {
            id: 1,
            name: "Tee",
            product_id: 150,
            variation_id: 0,
            quantity: 1,
            tax_class: "",
            subtotal: "10.00",
            subtotal_tax: "1.90",
            total: "10.00",
            total_tax: "1.90",
            sku: "",
            price: 10,
            meta_data: [],
          },
        ],
      });
      await fake.deliverWebhook("order.updated", created.id);
      fake.store.updateOrder(created.id, {
        status: "processing",
        date_paid_gmt: "2026-11-20T10:00:00",
      });
      await fake.deliverWebhook("order.updated", created.id);
      const events = bodies
        .map((b) => parseWooWebhook(b.headers, b.body))
        .flatMap((p) => (p.ok && p.webhook.kind === "event" ? [p.webhook] : []));
      expect(events).toHaveLength(2);
      const results = events.map((e) => conversionFromOrder(e.payload as WooOrder));
      expect(results[0]).toMatchObject({ ok: false, reason: "not-paid" });
      expect(results[1]).toMatchObject({
        ok: true,
        conversion: {
          orderId: String(created.id),
          conversions: [{ productId: "150", searchLogId: "log_1", lineTotal: 11.9 }],
        },
      });
    } finally {
      await harness.fake.close();
      server.close();
    }
  });
});

describe("from an order read over HTTP", () => {
  let harness: Harness | undefined;
  test("meta written by the store snippet survives the REST round trip", async () => {
    harness = await startStore();
    try {
      const { fake, reader } = harness;
      const created = fake.store.addOrder({
        status: "processing",
        date_paid_gmt: "2026-11-20T10:00:00",
        meta_data: [
          { id: 1, key: "_neuroon_clicks", value: encodeURIComponent('{"150":"log_ü/1"}') },
        ],
        line_items: [
          {
            id: 1,
            name: "Tee",
            product_id: 150,
            variation_id: 0,
            quantity: 3,
            tax_class: "",
            subtotal: "30.00",
            subtotal_tax: "5.70",
            total: "30.00",
            total_tax: "5.70",
            sku: "",
            price: 10,
            meta_data: [],
          },
        ],
      });
      const fetched = await reader.getOrder(created.id);
      expect(conversionFromOrder(fetched as WooOrder)).toMatchObject({
        ok: true,
        conversion: {
          orderId: String(created.id),
          conversions: [{ productId: "150", searchLogId: "log_ü/1", quantity: 3, lineTotal: 35.7 }],
        },
      });
    } finally {
      await harness.fake.close();
    }
  });
});

describe("the catalog source's resolveConversion (read when the engine processes the change)", () => {
  test("reports a paid order as the store has it now, skips the rest, throws the store's 429", async () => {
    const harness = await startStore({}, { maxRetries: 0 });
    try {
      const { fake, reader } = harness;
      const line = {
        id: 1,
        name: "Tee",
        product_id: 150,
        variation_id: 0,
        quantity: 1,
        tax_class: "",
        subtotal: "10.00",
        subtotal_tax: "0.00",
        total: "10.00",
        total_tax: "0.00",
        sku: "",
        price: 10,
        meta_data: [],
      };
      const clicks = [{ id: 1, key: "neuroon_clicks", value: '{"150":"log_1"}' }];
      const paid = fake.store.addOrder({
        status: "processing",
        date_paid_gmt: "2026-11-20T10:00:00",
        meta_data: clicks,
        line_items: [line],
      });
      const unpaid = fake.store.addOrder({
        status: "pending",
        meta_data: clicks,
        line_items: [line],
      });
      const { resolveConversion } = createWooCatalogSource(reader, {
        conversions: { paidStatuses: ["processing"] },
      });
      if (resolveConversion === undefined) throw new Error("the source resolves no conversions");
      const change = (id: number) => orderChange(id, "test");
      const ask = (id: number) => {
        const { key, payload } = change(id);
        return resolveConversion({ key, payload, attempts: 0 });
      };

      expect(await ask(paid.id)).toEqual({
        status: "report",
        request: {
          orderId: String(paid.id),
          orderValue: expect.any(Number),
          currency: expect.any(String),
          conversions: [{ productId: "150", searchLogId: "log_1", quantity: 1, lineTotal: 10 }],
        },
      });
      expect(await ask(unpaid.id)).toEqual({ status: "skip", reason: "not-paid" });
      expect(await ask(987_654)).toEqual({ status: "skip", reason: "not-found" });
      // The key alone names the order too (a change enqueued without a payload).
      expect(
        await resolveConversion({ key: String(paid.id), payload: undefined, attempts: 0 }),
      ).toMatchObject({ status: "report" });
      await expect(
        resolveConversion({ key: "not-an-order", payload: undefined, attempts: 0 }),
      ).rejects.toThrow(TypeError);

      fake.faults.add({ path: /^\/orders\/\d+$/, status: 429, retryAfter: "30", times: 1 });
      const refused = await ask(paid.id).catch((error: unknown) => error);
      expect(WooCommerceError.isWooCommerceError(refused)).toBe(true);
      expect(refused).toMatchObject({ status: 429, retryAfterMs: 30_000, isRetryable: true });
    } finally {
      await harness.fake.close();
    }
  });
});
