import { phpJsonEncode } from "@neuroon/fake-woocommerce";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { signWooWebhookForTest, verifyWooWebhook } from "../src/index.js";
import { type Harness, startStore } from "./helpers.js";

test("any body signed with a secret verifies; any changed byte or other secret does not", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "grapheme", minLength: 1 }),
      fc.string({ minLength: 1 }),
      fc.nat(),
      (body, secret, at) => {
        const signature = signWooWebhookForTest(body, secret);
        expect(verifyWooWebhook({ rawBody: body, signature, secrets: secret }).ok).toBe(true);
        const bytes = Buffer.from(body);
        bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ 0x01;
        expect(verifyWooWebhook({ rawBody: bytes, signature, secrets: secret }).ok).toBe(false);
        expect(verifyWooWebhook({ rawBody: body, signature, secrets: `${secret}x` }).ok).toBe(
          false,
        );
      },
    ),
  );
});

test("PHP-encoded JSON parses back to the same value", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      expect(JSON.parse(phpJsonEncode(value))).toEqual(JSON.parse(JSON.stringify(value)));
    }),
  );
});

let harness: Harness;
beforeAll(async () => {
  harness = await startStore();
});
afterAll(async () => {
  await harness.fake.close();
});

test("OAuth 1.0a: the client library's signature verifies on the store for any parameter text", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit: "grapheme", maxLength: 30 }),
      fc.string({ unit: "binary-ascii", maxLength: 30 }),
      fc.array(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 40 }),
      async (search, sku, ids) => {
        const { status } = await harness.reader.request("get", "products", {
          search,
          sku,
          include: ids,
          _fields: "id",
        });
        expect(status).toBe(200);
      },
    ),
    { numRuns: 60 },
  );
});
