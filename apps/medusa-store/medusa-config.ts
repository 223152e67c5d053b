import { defineConfig, loadEnv } from "@medusajs/framework/utils";

loadEnv(process.env.NODE_ENV || "development", process.cwd());

const regionId = process.env.NEUROON_REGION_ID;

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS || "http://localhost:8000",
      adminCors: process.env.ADMIN_CORS || "http://localhost:9000",
      authCors: process.env.AUTH_CORS || "http://localhost:8000,http://localhost:9000",
      jwtSecret: process.env.JWT_SECRET || "supersecret",
      cookieSecret: process.env.COOKIE_SECRET || "supersecret",
    },
  },
  admin: {
    disable: process.env.MEDUSA_DISABLE_ADMIN === "true",
  },
  plugins: [
    {
      resolve: "@neuroon/medusa",
      options: {
        shopId: process.env.NEUROON_SHOP_ID,
        apiKey: process.env.NEUROON_API_KEY,
        // apiUrl is left out on purpose: the plugin reads NEUROON_API_URL itself.
        storefrontUrl: process.env.STOREFRONT_URL || "http://localhost:8000",
        ...(regionId ? { regionId } : { currencyCode: process.env.NEUROON_CURRENCY || "eur" }),
        taxInclusive: process.env.NEUROON_TAX_INCLUSIVE
          ? process.env.NEUROON_TAX_INCLUSIVE === "true"
          : undefined,
        ...(process.env.NEUROON_TAX_COUNTRY
          ? { taxCountryCode: process.env.NEUROON_TAX_COUNTRY }
          : {}),
        brand: { source: "metadata", key: "brand" },
        disableLiveSync: process.env.NEUROON_DISABLE_LIVE_SYNC === "true",
        ...(process.env.NEUROON_MAX_RETRIES
          ? { maxRetries: Number(process.env.NEUROON_MAX_RETRIES) }
          : {}),
      },
    },
  ],
});
