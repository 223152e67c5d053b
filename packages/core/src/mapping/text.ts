import { Tokenizer, type TokenizerCallbacks } from "htmlparser2";
import { describeValue, MappingError } from "./errors.js";
import { RECOMMENDED_DESCRIPTION_LENGTH_CHARS } from "./limits.js";
import { collapseWhitespace, truncateAtWord } from "./strings.js";

/** Options of {@link toPlainText} and {@link pickDescription}. */
export interface PlainTextOptions {
  /** Longest result in UTF-16 code units, ellipsis included. Default 2000 (ranking guideline). */
  maxLength?: number | undefined;
  /** Remove WordPress shortcode tags (`[gallery ids="1,2"]`, `[/caption]`). Default `true`. */
  stripShortcodes?: boolean | undefined;
  /**
   * Treat newlines in the text as line breaks (WordPress raw `edit`-context content, where
   * `wpautop` has not turned them into `<p>` yet). Default `false`: HTML semantics, a newline is
   * a space.
   */
  keepSourceLineBreaks?: boolean | undefined;
}

enum Kind {
  Dropped = 1,
  Paragraph,
  Line,
  List,
  ListItem,
  Cell,
  Break,
}

function kinds(kind: Kind, names: string): [string, Kind][] {
  return names.split(" ").map((name) => [name, kind]);
}

/** What each element means for the text; elements not listed are inline (no break). */
const ELEMENT_KINDS = new Map<string, Kind>([
  // Content never shown as text. `iframe`, `noscript` and `template` hold fallback or inert markup.
  ...kinds(
    Kind.Dropped,
    "script style noscript template iframe object svg math canvas video audio select textarea button head title",
  ),
  // A blank line before and after.
  ...kinds(
    Kind.Paragraph,
    "p h1 h2 h3 h4 h5 h6 blockquote pre table dl section article aside header footer nav main figure address details fieldset form hr",
  ),
  // A new line.
  ...kinds(Kind.Line, "div tr dt dd figcaption caption summary legend thead tbody tfoot"),
  ...kinds(Kind.List, "ul ol menu"),
  ...kinds(Kind.ListItem, "li"),
  ...kinds(Kind.Cell, "td th"),
  ...kinds(Kind.Break, "br"),
]);

/** A known element, found by {@link findElement} straight from the source text. */
interface ElementEntry {
  readonly name: string;
  readonly kind: Kind;
}

// Keyed by a hash of the lower-cased name, so a tag is looked up from its position in the source
// without slicing or lower-casing a string (an HTML description has dozens of tags).
const ELEMENTS_BY_HASH = new Map<number, ElementEntry>();
for (const [name, kind] of ELEMENT_KINDS) {
  const hash = hashName(name, 0, name.length);
  if (ELEMENTS_BY_HASH.has(hash)) throw new Error(`element name hash collision: ${name}`);
  ELEMENTS_BY_HASH.set(hash, { name, kind });
}

function hashName(text: string, start: number, end: number): number {
  let hash = end - start;
  // `| 0x20` lower-cases ASCII letters and leaves digits and `-` alone.
  for (let i = start; i < end; i += 1)
    hash = (Math.imul(hash, 31) + (text.charCodeAt(i) | 0x20)) | 0;
  return hash;
}

/** The element named by `text[start..end)`, case-insensitively; `undefined` for inline/unknown ones. */
function findElement(text: string, start: number, end: number): ElementEntry | undefined {
  const entry = ELEMENTS_BY_HASH.get(hashName(text, start, end));
  if (entry === undefined || entry.name.length !== end - start) return undefined;
  for (let i = 0; i < entry.name.length; i += 1) {
    if ((text.charCodeAt(start + i) | 0x20) !== entry.name.charCodeAt(i)) return undefined;
  }
  return entry;
}

const BR_ELEMENT = ELEMENTS_BY_HASH.get(hashName("br", 0, 2)) as ElementEntry;
const UNORDERED_BULLET = "• ";
/**
 * True when a tag, comment, doctype or entity could start somewhere in `text` (`<` followed by a
 * letter, `!`, `/` or `?`; `&` followed by a letter or `#`). Text without any is not tokenized.
 * `indexOf` hops between candidates, so plain text with a stray "&" costs a few probes, not a
 * regex pass over the whole string.
 */
function hasMarkup(text: string): boolean {
  for (let i = text.indexOf("<"); i !== -1; i = text.indexOf("<", i + 1)) {
    const next = text.charCodeAt(i + 1) | 0x20;
    if ((next >= 0x61 && next <= 0x7a) || next === 0x21 || next === 0x2f || next === 0x3f) {
      return true;
    }
  }
  for (let i = text.indexOf("&"); i !== -1; i = text.indexOf("&", i + 1)) {
    const next = text.charCodeAt(i + 1);
    const lower = next | 0x20;
    if ((lower >= 0x61 && lower <= 0x7a) || next === 0x23) return true;
  }
  return false;
}

/**
 * WordPress shortcode tags: `[name]`, `[name attr="v"]`, `[name /]`, `[/name]`. Linear: the
 * attribute part cannot contain brackets, so every attempt ends at the next bracket.
 */
const SHORTCODE_RE = /\[(\/?)([A-Za-z][\w-]*)(\s[^[\]]*)?\]/g;
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

function replaceShortcode(
  match: string,
  slash: string,
  name: string,
  attributes: string | undefined,
): string {
  const isShortcode =
    slash === "/" ||
    attributes !== undefined ||
    name.includes("_") ||
    name.includes("-") ||
    KNOWN_SHORTCODES.has(name.toLowerCase());
  return isShortcode ? " " : match;
}

interface ListState {
  ordered: boolean;
  next: number;
}

/**
 * Converts an HTML description to the plain text Neuroon wants (htmlparser2, one pass, linear in
 * the input; parsing stops once `maxLength` is exceeded):
 *
 * - tags removed; entities decoded (named, numeric, `&nbsp;` as a space);
 * - the content of `script`, `style`, `noscript`, `template`, `iframe`, `svg`, media, form controls
 *   and `head` dropped; comments and CDATA sections dropped, as browsers do in HTML;
 * - paragraphs, headings, tables, lists and sections separated by a blank line; `div`, `br`, list
 *   items and table rows start a new line; table cells separated by a space;
 * - list items prefixed with `"• "` (`<ul>`) or `"1. "`, `"2. "`… (`<ol>`, honouring `start`);
 * - whitespace runs collapsed to one space, at most one blank line in a row, trimmed;
 * - WordPress shortcode tags removed, their enclosed text kept (`[caption]…text[/caption]` → text);
 * - at most `maxLength` characters, cut at a word boundary with `"…"` (ellipsis included).
 *
 * Malformed HTML is read by htmlparser2's tokenizer as browsers read it: unclosed tags never
 * close (an unclosed `<script>` or comment hides the rest), stray closing tags only add breaks.
 */
export function toPlainText(
  html: string | null | undefined,
  options: PlainTextOptions = {},
): string {
  const maxLength = options.maxLength ?? RECOMMENDED_DESCRIPTION_LENGTH_CHARS;
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new MappingError(
      "invalid-option",
      `maxLength must be a positive integer; received ${describeValue(options.maxLength)}.`,
      { field: "maxLength" },
    );
  }
  if (typeof html !== "string" || html === "") return "";
  const writer = new PlainTextWriter(
    html,
    maxLength,
    options.stripShortcodes ?? true,
    options.keepSourceLineBreaks ?? false,
  );
  if (!hasMarkup(html)) {
    // No markup and no entities (Medusa's plain descriptions): nothing for the tokenizer to do.
    writer.textParts.push(html);
    writer.flushText();
  } else {
    // htmlparser2's Tokenizer rather than its Parser: the Parser keeps an element stack that it
    // grows with `unshift`, quadratic on deeply nested unclosed tags (50 000 unclosed `<div>`s
    // took 38 s); text extraction needs no tree, and the Tokenizer alone is linear and faster.
    const tokenizer = new Tokenizer({ decodeEntities: true }, writer);
    writer.tokenizer = tokenizer;
    tokenizer.write(html);
    if (!writer.isFull) {
      tokenizer.end();
      writer.flushText();
    }
  }
  return truncateAtWord(writer.out, maxLength);
}

/**
 * The tokenizer callbacks: turns tokens into collapsed text with breaks, bullets and an early stop.
 * A class (one shape, shared methods) rather than per-call closures keeps the tokenizer's calls
 * monomorphic; it roughly halves the cost per description.
 */
class PlainTextWriter implements TokenizerCallbacks {
  out = "";
  isFull = false;
  tokenizer: Tokenizer | undefined;
  // Text between two tags, joined once at the next tag: `+=` would build a rope (ConsString),
  // and scanning a rope char by char is several times slower than a flat string.
  readonly textParts: string[] = [];
  private hasContent = false;
  private pendingSpace = false;
  private pendingBreak = 0;
  private pendingPrefix = "";
  private droppedDepth = 0;
  private readonly lists: ListState[] = [];
  private element: ElementEntry | undefined;
  private isReadingListStart = false;
  private listStart = "";

  constructor(
    private readonly html: string,
    private readonly maxLength: number,
    private readonly stripShortcodes: boolean,
    private readonly keepSourceLineBreaks: boolean,
  ) {}

  ontext(start: number, endIndex: number): void {
    if (this.droppedDepth === 0) this.textParts.push(this.html.slice(start, endIndex));
  }

  ontextentity(codePoint: number): void {
    if (this.droppedDepth === 0) this.textParts.push(String.fromCodePoint(codePoint));
  }

  onopentagname(start: number, endIndex: number): void {
    this.element = findElement(this.html, start, endIndex);
    this.listStart = "";
  }

  onattribname(start: number, endIndex: number): void {
    this.isReadingListStart =
      this.element?.name === "ol" &&
      endIndex - start === 5 &&
      this.html.slice(start, endIndex).toLowerCase() === "start";
  }

  onattribdata(start: number, endIndex: number): void {
    if (this.isReadingListStart) this.listStart += this.html.slice(start, endIndex);
  }

  onattribend(): void {
    this.isReadingListStart = false;
  }

  onopentagend(): void {
    if (this.element !== undefined) this.openTag(this.element, this.listStart);
  }

  onselfclosingtag(): void {
    const element = this.element;
    if (element === undefined) return;
    this.openTag(element, this.listStart);
    // `<svg/>`, `<iframe/>`: a self-closed dropped element must not swallow the rest.
    if (element.kind === Kind.Dropped) this.closeTag(element);
  }

  onclosetag(start: number, endIndex: number): void {
    const element = findElement(this.html, start, endIndex);
    if (element !== undefined) this.closeTag(element);
  }

  onattribentity(): void {}
  oncomment(): void {}
  oncdata(): void {}
  ondeclaration(): void {}
  onprocessinginstruction(): void {}
  onend(): void {}

  flushText(): void {
    const parts = this.textParts;
    if (parts.length === 0) return;
    let text = parts.length === 1 ? (parts[0] as string) : parts.join("");
    parts.length = 0;
    if (this.stripShortcodes && text.includes("[")) {
      text = text.replace(SHORTCODE_RE, replaceShortcode);
    }
    if (!this.keepSourceLineBreaks) {
      this.writeWords(text);
      return;
    }
    const lines = text.split(/\r\n?|\n/);
    let newlines = 0;
    for (let i = 0; i < lines.length && !this.isFull; i += 1) {
      const line = lines[i] as string;
      if (i > 0) newlines += 1;
      if (line.trim() === "") continue;
      if (newlines > 0) this.lineBreak(newlines > 1 ? 2 : 1);
      newlines = 0;
      this.writeWords(line);
    }
    if (newlines > 0) this.lineBreak(newlines > 1 ? 2 : 1);
  }

  private lineBreak(count: number): void {
    if (count > this.pendingBreak) this.pendingBreak = count;
    this.pendingSpace = false;
  }

  private writeWords(text: string): void {
    const collapsed = collapseWhitespace(text);
    if (collapsed === "") return;
    if (collapsed === " ") {
      this.pendingSpace = true;
      return;
    }
    const start = collapsed.charCodeAt(0) === 0x20 ? 1 : 0;
    const hasTrailingSpace = collapsed.charCodeAt(collapsed.length - 1) === 0x20;
    if (start === 1) this.pendingSpace = true;
    if (this.hasContent) {
      if (this.pendingBreak > 0) this.out += this.pendingBreak > 1 ? "\n\n" : "\n";
      else if (this.pendingSpace) this.out += " ";
    }
    if (this.pendingPrefix !== "") {
      this.out += this.pendingPrefix;
      this.pendingPrefix = "";
    }
    this.out +=
      start === 0 && !hasTrailingSpace
        ? collapsed
        : collapsed.slice(start, hasTrailingSpace ? -1 : undefined);
    this.hasContent = true;
    this.pendingBreak = 0;
    this.pendingSpace = hasTrailingSpace;
    if (this.out.length > this.maxLength) {
      // Everything after this point would be cut anyway: stop reading (huge inputs stay cheap).
      this.isFull = true;
      this.tokenizer?.pause();
    }
  }

  // Inline elements (`b`, `a`, `span`…) never get here: their text joins the surrounding run.
  private openTag({ name, kind }: ElementEntry, listStart: string): void {
    this.flushText();
    if (kind === Kind.Dropped) this.droppedDepth += 1;
    else if (this.droppedDepth > 0) return;
    else if (kind === Kind.Paragraph) this.lineBreak(2);
    else if (kind === Kind.Line) this.lineBreak(1);
    else if (kind === Kind.Break) this.lineBreak(this.hasContent && this.pendingBreak > 0 ? 2 : 1);
    else if (kind === Kind.Cell) {
      if (this.pendingBreak === 0) this.pendingSpace = true;
    } else if (kind === Kind.List) {
      this.lineBreak(this.lists.length > 0 ? 1 : 2);
      const start = Number.parseInt(listStart, 10);
      this.lists.push({ ordered: name === "ol", next: Number.isFinite(start) ? start : 1 });
    } else {
      this.lineBreak(1);
      const list = this.lists[this.lists.length - 1];
      if (list?.ordered) {
        this.pendingPrefix = `${list.next}. `;
        list.next += 1;
      } else this.pendingPrefix = UNORDERED_BULLET;
    }
  }

  private closeTag(element: ElementEntry): void {
    const kind = element.kind;
    if (kind === Kind.Cell) return;
    this.flushText();
    if (kind === Kind.Dropped) {
      if (this.droppedDepth > 0) this.droppedDepth -= 1;
    } else if (this.droppedDepth > 0) return;
    else if (kind === Kind.Paragraph) this.lineBreak(2);
    else if (kind === Kind.Line) this.lineBreak(1);
    else if (kind === Kind.Break)
      this.openTag(BR_ELEMENT, ""); // `</br>` is a `<br>` in browsers
    else if (kind === Kind.List) {
      this.lists.pop();
      this.lineBreak(this.lists.length > 0 ? 1 : 2);
    } else {
      this.pendingPrefix = "";
      this.lineBreak(1);
    }
  }
}

/**
 * The description to send: the short description when it has any text once converted by
 * {@link toPlainText}, else the long one; `undefined` when neither has text. Short descriptions
 * rank better (server-to-server "Payload semantics": prefer the short description, plain text).
 */
export function pickDescription(
  descriptions: { short?: string | null | undefined; long?: string | null | undefined },
  options: PlainTextOptions = {},
): string | undefined {
  const short = toPlainText(descriptions.short, options);
  if (short !== "") return short;
  const long = toPlainText(descriptions.long, options);
  return long === "" ? undefined : long;
}
