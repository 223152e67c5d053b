import { type LoaderFunctionArgs, redirect } from "react-router";

/** Shopify opens the app with `?shop=…&host=…`; the admin UI lives under /app. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return null;
}

export default function Index() {
  return (
    <main style={{ fontFamily: "system-ui", padding: "2rem" }}>
      <h1>Neuroon Search for Shopify</h1>
      <p>
        Install the app from the Shopify App Store or your Partner Dashboard to connect a store.
      </p>
    </main>
  );
}
