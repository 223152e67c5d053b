import type { InlineMarkup } from "@neuroon/core";

// WordPress shortcodes (`[gallery ids="1,2"]`, `[caption]…[/caption]`) are WordPress' own markup:
// only this adapter strips them from descriptions, so `[…]` in other platforms' text stays text.

const WHITESPACE_RE = /\s/;

/** `A`–`Z`, `a`–`z`. */
function isAsciiLetter(code: number): boolean {
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** `0`–`9`. */
function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

// Bare `[word]` is also ordinary prose ("[sic]", "Colour [Red]"); it is stripped only for these
// names. Closing tags, tags with attributes and names with `_`/`-` (vc_row, et_pb_text) always go.
const KNOWN_SHORTCODES = new Set([
  "audio",
  "caption",
  "embed",
  "gallery",
  "playlist",
  "video",
  "wp_caption",
  "products",
  "product",
  "product_page",
  "product_category",
  "product_categories",
  "add_to_cart",
  "add_to_cart_url",
  "recent_products",
  "featured_products",
  "sale_products",
  "best_selling_products",
  "top_rated_products",
  "shop_messages",
  "row",
  "column",
  "col",
  "tabs",
  "tab",
  "accordion",
  "toggle",
  "divider",
  "spacer",
  "youtube",
  "vimeo",
]);

/**
 * `text` with its WordPress shortcode tags (`[name]`, `[name attr="v"]`, `[name /]`, `[/name]`)
 * replaced by a space: what `text.replace(/\[(\/?)([A-Za-z][\w-]*)(\s[^[\]]*)?\]/g, …)` did,
 * scanned by hand because a replace callback cost about a microsecond a description. Linear: the
 * attribute part cannot contain brackets, so every attempt ends at the next bracket.
 */
export function stripShortcodeTags(text: string): string {
  let result = "";
  let copiedUpTo = 0;
  let open = text.indexOf("[");
  while (open !== -1) {
    const end = shortcodeTagEnd(text, open);
    if (end === -1) {
      open = text.indexOf("[", open + 1);
      continue;
    }
    result += `${text.slice(copiedUpTo, open)} `;
    copiedUpTo = end;
    open = text.indexOf("[", end);
  }
  return copiedUpTo === 0 ? text : result + text.slice(copiedUpTo);
}

/**
 * The index after the `]` of the shortcode tag that starts at `text[open]` (a `[`), or -1 when
 * none starts there or it is a bare `[word]` of prose.
 */
function shortcodeTagEnd(text: string, open: number): number {
  let i = open + 1;
  const isClosingTag = text.charCodeAt(i) === 0x2f; // /
  if (isClosingTag) i += 1;
  if (!isAsciiLetter(text.charCodeAt(i))) return -1;
  const nameStart = i;
  let hasSeparator = false; // `_` or `-`: vc_row, et_pb_text
  for (i += 1; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x5f || code === 0x2d) hasSeparator = true;
    else if (!isAsciiLetter(code) && !isAsciiDigit(code)) break;
  }
  const afterName = text.charCodeAt(i);
  const isBareTag = afterName === 0x5d; // ]
  if (isBareTag) {
    const isTag =
      isClosingTag || hasSeparator || KNOWN_SHORTCODES.has(text.slice(nameStart, i).toLowerCase());
    return isTag ? i + 1 : -1;
  }
  // Attributes: a whitespace, then anything but brackets up to the `]`.
  if (!WHITESPACE_RE.test(text.charAt(i))) return -1;
  for (i += 1; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x5d) return i + 1;
    if (code === 0x5b) return -1;
  }
  return -1;
}

/**
 * WordPress shortcodes as core's `toPlainText` `inlineMarkup`: tags removed, the text they
 * enclose kept (`[caption]A tee[/caption]` → `A tee`). A bare `[word]` is prose (`[sic]`) unless
 * it is a known shortcode name; closing tags, tags with attributes and names with `_` or `-`
 * (`vc_row`, `et_pb_text`) always go.
 *
 * @example
 * toPlainText(product.description, { inlineMarkup: WORDPRESS_SHORTCODES });
 */
export const WORDPRESS_SHORTCODES: InlineMarkup = { marker: "[", strip: stripShortcodeTags };
