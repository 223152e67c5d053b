// Types for the Polaris web components this app renders (loaded by AppProvider from Shopify's CDN).
import type { DetailedHTMLProps, HTMLAttributes } from "react";

type PolarisElement<Props = Record<string, unknown>> = DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement> & Props;

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "s-app-nav": PolarisElement;
      "s-link": PolarisElement<{ href?: string }>;
      "s-page": PolarisElement<{ heading?: string }>;
      "s-section": PolarisElement<{ heading?: string }>;
      "s-banner": PolarisElement<{ tone?: "info" | "success" | "warning" | "critical" }>;
      "s-paragraph": PolarisElement;
      "s-text-field": PolarisElement<{ label?: string; name?: string; value?: string }>;
      "s-password-field": PolarisElement<{ label?: string; name?: string }>;
      "s-button": PolarisElement<{ type?: "submit" | "button"; variant?: "primary" | "secondary"; loading?: boolean | undefined }>;
    }
  }
}
