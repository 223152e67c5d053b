import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

// The Shopify CLI passes the tunnel URL as SHOPIFY_APP_URL; HMR must go through it when embedded.
const appUrl = new URL(process.env.SHOPIFY_APP_URL ?? "http://localhost");
const isLocal = appUrl.hostname === "localhost";

export default defineConfig({
  server: {
    allowedHosts: [appUrl.hostname],
    port: Number(process.env.PORT ?? 3000),
    hmr: isLocal
      ? { protocol: "ws", host: "localhost", port: 64999, clientPort: 64999 }
      : { protocol: "wss", host: appUrl.hostname, port: 8002, clientPort: 443 },
  },
  plugins: [reactRouter()],
  build: { assetsInlineLimit: 0 },
  // Vite inlines linked workspace packages into the server build by default; @neuroon/* read their
  // VERSION from their own package.json at import, which does not exist next to the bundle (the
  // built server failed to start). Load them from node_modules like every other dependency.
  ssr: { external: ["@neuroon/core", "@neuroon/shopify"] },
  optimizeDeps: { include: ["@shopify/shopify-app-react-router/react"] },
});
