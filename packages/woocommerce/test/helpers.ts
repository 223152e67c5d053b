import {
  type FakeWooCommerce,
  type FakeWooCommerceOptions,
  generateCatalog,
  startFakeWooCommerce,
} from "@neuroon/fake-woocommerce";
import {
  createWooStoreReader,
  type WooStoreReader,
  type WooStoreReaderOptions,
} from "../src/index.js";

export const CONSUMER_KEY = "ck_test_0123456789abcdef";
export const CONSUMER_SECRET = "cs_test_fedcba9876543210";

/**
 * The moment generated catalogs are built around. The fake runs on the real clock, because the
 * client library stamps OAuth requests with it and the store allows only ±15 minutes.
 */
export const AT = new Date(Math.floor(Date.now() / 1000) * 1000);

export interface Harness {
  fake: FakeWooCommerce;
  reader: WooStoreReader;
}

/** A fake store on loopback plus a reader signed for it; close with `fake.close()`. */
export async function startStore(
  fakeOptions: Partial<FakeWooCommerceOptions> = {},
  readerOptions: Partial<WooStoreReaderOptions> = {},
): Promise<Harness> {
  const fake = await startFakeWooCommerce({
    consumerKey: CONSUMER_KEY,
    consumerSecret: CONSUMER_SECRET,
    catalog: generateCatalog({ products: 120, seed: 7, at: AT }),
    ...fakeOptions,
  });
  const reader = createWooStoreReader({
    url: fake.url,
    consumerKey: CONSUMER_KEY,
    consumerSecret: CONSUMER_SECRET,
    sleep: async () => {},
    ...readerOptions,
  });
  return { fake, reader };
}
