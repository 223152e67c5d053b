/**
 * Stand-ins for the two scripts the embedded admin loads from cdn.shopify.com, which a test
 * machine cannot reach. They do the part of the real scripts the app depends on, nothing more:
 *
 * - App Bridge (`app-bridge.js`) gives `shopify.idToken()` and adds `Authorization: Bearer
 *   <session token>` to same-origin fetches, which is how React Router's data requests reach
 *   `authenticate.admin` inside the Shopify admin.
 * - Polaris web components (`polaris.js`): `s-text-field`/`s-password-field` are form-associated
 *   custom elements (their value is in the `<form>`'s FormData, as with Polaris), `s-button
 *   type="submit"` submits its form, and the layout elements render their heading and content in
 *   shadow DOM, leaving React's light DOM untouched.
 */
export function appBridgeStandIn(sessionToken: string): string {
  return `(() => {
  const token = ${JSON.stringify(sessionToken)};
  const nativeFetch = window.fetch.bind(window);
  window.shopify = { idToken: async () => token, config: { apiKey: document.currentScript?.dataset.apiKey } };
  window.fetch = (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url ?? String(input), location.href);
    if (url.origin !== location.origin) return nativeFetch(input, init);
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set("Authorization", "Bearer " + token);
    return nativeFetch(input, { ...init, headers });
  };
})();`;
}

/** See {@link appBridgeStandIn}. */
export const POLARIS_STAND_IN = `(() => {
  const css = "h1{font:600 20px system-ui;margin:0 0 12px}h2{font:600 16px system-ui;margin:0 0 8px}" +
    "label{display:block;font:13px system-ui;margin:8px 0 4px}input{font:14px system-ui;padding:6px;width:320px}" +
    "button{font:600 14px system-ui;padding:6px 12px;margin-top:10px;border-radius:6px;border:1px solid #555;background:#fff}" +
    "button.primary{background:#303030;color:#fff}";
  const shadow = (element, html) => {
    const root = element.shadowRoot ?? element.attachShadow({ mode: "open" });
    root.innerHTML = "<style>" + css + ":host{display:block}</style>" + html;
    return root;
  };
  const escape = (text) => String(text ?? "").replace(/[&<>"]/g, (c) => "&#" + c.charCodeAt(0) + ";");
  class Titled extends HTMLElement {
    static observedAttributes = ["heading"];
    connectedCallback() { this.render(); }
    attributeChangedCallback() { this.render(); }
  }
  customElements.define("s-page", class extends Titled {
    render() { shadow(this, "<div style='padding:20px;background:#f1f1f1;min-height:100%'><h1>" + escape(this.getAttribute("heading")) + "</h1><slot></slot></div>"); }
  });
  customElements.define("s-section", class extends Titled {
    render() { shadow(this, "<div style='background:#fff;border-radius:12px;padding:16px;margin-bottom:16px'><h2>" + escape(this.getAttribute("heading")) + "</h2><slot></slot></div>"); }
  });
  const tones = { critical: "#fee9e8", success: "#e3f1df", warning: "#fff1d6", info: "#eaf4ff" };
  customElements.define("s-banner", class extends Titled {
    static observedAttributes = ["tone"];
    render() { shadow(this, "<div role='status' style='padding:10px;border-radius:8px;margin-bottom:10px;font:14px system-ui;background:" + (tones[this.getAttribute("tone")] ?? tones.info) + "'><slot></slot></div>"); }
  });
  customElements.define("s-paragraph", class extends HTMLElement {
    connectedCallback() { shadow(this, "<p style='font:14px system-ui'><slot></slot></p>"); }
  });
  customElements.define("s-app-nav", class extends HTMLElement {
    connectedCallback() { this.style.display = "none"; }
  });
  customElements.define("s-link", class extends HTMLElement {});
  class Field extends HTMLElement {
    static formAssociated = true;
    constructor() { super(); this.internals = this.attachInternals(); }
    get value() { return this.input?.value ?? this.getAttribute("value") ?? ""; }
    connectedCallback() {
      const root = shadow(this, "<label><span>" + escape(this.getAttribute("label")) + "</span><input type='" + this.inputType + "'></label>");
      this.input = root.querySelector("input");
      this.input.value = this.getAttribute("value") ?? "";
      this.internals.setFormValue(this.input.value);
      this.input.addEventListener("input", () => this.internals.setFormValue(this.input.value));
    }
  }
  customElements.define("s-text-field", class extends Field { get inputType() { return "text"; } });
  customElements.define("s-password-field", class extends Field { get inputType() { return "password"; } });
  customElements.define("s-button", class extends HTMLElement {
    connectedCallback() {
      const root = shadow(this, "<button class='" + (this.getAttribute("variant") === "primary" ? "primary" : "") + "'><slot></slot></button>");
      root.querySelector("button").addEventListener("click", () => {
        if (this.getAttribute("type") === "submit") this.closest("form")?.requestSubmit();
      });
    }
  });
})();`;
