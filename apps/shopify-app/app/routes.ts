import { index, type RouteConfig, route } from "@react-router/dev/routes";

export default [
  index("routes/_index.tsx"),
  route("auth/*", "routes/auth.$.tsx"),
  route("webhooks", "routes/webhooks.ts"),
  route("proxy/token", "routes/proxy.token.ts"),
  route("app", "routes/app.tsx", [index("routes/app._index.tsx")]),
] satisfies RouteConfig;
