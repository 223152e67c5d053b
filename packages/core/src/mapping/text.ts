import { Buffer } from "node:buffer";
import { Tokenizer, type TokenizerCallbacks } from "htmlparser2";
import { describeValue, MappingError } from "./errors.js";
import { RECOMMENDED_DESCRIPTION_LENGTH_CHARS } from "./limits.js";
import { truncateAtWord } from "./strings.js";

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
  /** Raw text to the tokenizer (`<xmp>`…): shown as is, entities not decoded; otherwise inline. */
  RawText,
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
  ...kinds(Kind.RawText, "xmp noembed noframes plaintext"),
]);

/** A known element, found by {@link findElement} straight from the source text. */
interface ElementEntry {
  readonly name: string;
  readonly kind: Kind;
  readonly hash: number;
}

// An open-addressing table keyed by a hash of the lower-cased name, so a tag is looked up from its
// position in the source without slicing or lower-casing a string (a description has dozens of
// tags). 256 slots for ~70 names: most lookups, known or not, probe one or two slots.
const ELEMENT_SLOT_MASK = 0xff;
const ELEMENT_SLOTS = new Int16Array(ELEMENT_SLOT_MASK + 1).fill(-1);
const ELEMENTS: ElementEntry[] = [];
for (const [name, kind] of ELEMENT_KINDS) {
  const hash = hashName(name, 0, name.length);
  let slot = hash & ELEMENT_SLOT_MASK;
  while ((ELEMENT_SLOTS[slot] as number) !== -1) slot = (slot + 1) & ELEMENT_SLOT_MASK;
  ELEMENT_SLOTS[slot] = ELEMENTS.length;
  ELEMENTS.push({ name, kind, hash });
}

function hashName(text: string, start: number, end: number): number {
  let hash = end - start;
  // `| 0x20` lower-cases ASCII letters and leaves digits and `-` alone.
  for (let i = start; i < end; i += 1)
    hash = (Math.imul(hash, 31) + (text.charCodeAt(i) | 0x20)) | 0;
  return (hash ^ (hash >>> 13)) | 0;
}

/** The element named by `text[start..end)`, case-insensitively; `undefined` for inline/unknown ones. */
function findElement(text: string, start: number, end: number): ElementEntry | undefined {
  const hash = hashName(text, start, end);
  const length = end - start;
  for (let slot = hash & ELEMENT_SLOT_MASK; ; slot = (slot + 1) & ELEMENT_SLOT_MASK) {
    const index = ELEMENT_SLOTS[slot] as number;
    if (index === -1) return undefined;
    const entry = ELEMENTS[index] as ElementEntry;
    if (entry.hash === hash && entry.name.length === length && sameName(text, start, entry.name)) {
      return entry;
    }
  }
}

function sameName(text: string, start: number, name: string): boolean {
  for (let i = 0; i < name.length; i += 1) {
    if ((text.charCodeAt(start + i) | 0x20) !== name.charCodeAt(i)) return false;
  }
  return true;
}

const BR_ELEMENT = findElement("br", 0, 2) as ElementEntry;
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

/** `\s` as JavaScript regexes define it (what `collapseWhitespace` collapses). */
function isWhitespaceCode(code: number): boolean {
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return true;
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** ASCII letters, digits and `#`: what may follow `&` in an entity, up to its `;`. */
function isEntityNameCode(code: number): boolean {
  const lower = code | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x23;
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
  // One writer and one tokenizer for the whole process, reset per call: toPlainText is
  // synchronous and its callbacks never call out, so a call cannot start inside another one.
  // A call that threw half-way leaves nothing behind: `reset` overwrites all the state.
  const writer = WRITER;
  writer.reset(
    html,
    maxLength,
    options.stripShortcodes ?? true,
    options.keepSourceLineBreaks ?? false,
  );
  if (!hasMarkup(html)) {
    // No markup and no entities (Medusa's plain descriptions): nothing for the tokenizer to do.
    writer.writePlainText();
    writer.flushText();
  } else {
    // htmlparser2's Tokenizer rather than its Parser: the Parser keeps an element stack that it
    // grows with `unshift`, quadratic on deeply nested unclosed tags (50 000 unclosed `<div>`s
    // took 38 s); text extraction needs no tree, and the Tokenizer alone is linear and faster.
    const tokenizer = TOKENIZER;
    tokenizer.reset();
    tokenizer.write(html);
    if (!writer.isFull) {
      tokenizer.end();
      writer.flushText();
    }
  }
  const text = writer.finish();
  return truncateAtWord(text, maxLength);
}

/**
 * The tokenizer callbacks: turns tokens into collapsed text with breaks, bullets and an early stop.
 * A class (one shape, shared methods) keeps the tokenizer's calls monomorphic.
 *
 * Text is written as it comes, straight from the source: the characters of each text token are
 * copied into one reusable UTF-16 buffer with whitespace collapsed on the way (no slices, no
 * per-token strings), and the buffer becomes one flat string once, at the end (a rope built with
 * `+=` is several times slower to scan for whoever reads it next). The main tokenizer does not
 * decode entities; only the entities themselves go through htmlparser2's decoder (see
 * `decodeEntities`). Text that may hold a shortcode (a `[` since the last block tag) or must keep
 * its source line breaks is gathered into a string first, as the shortcode pattern and the line
 * split need it whole.
 */
class PlainTextWriter implements TokenizerCallbacks {
  isFull = false;
  tokenizer: Tokenizer | undefined;
  private html = "";
  private maxLength = 0;
  private stripShortcodes = true;
  private keepSourceLineBreaks = false;
  /** The output so far: UTF-16 code units in `out[0..outLength)`, made a string by `finish`. */
  private out: Uint16Array = new Uint16Array(INITIAL_OUT_CAPACITY);
  /** The same memory as `out`, for `Buffer#toString("utf16le")`. */
  private outBytes: Buffer = Buffer.from(this.out.buffer);
  private outLength = 0;
  /** Text held back since the last block tag (see the class comment); empty when streaming. */
  private readonly textParts: string[] = [];
  private isGathering = false;
  /** Index of the next `[` in `html` at or after the last text start (`html.length` if none). */
  private nextBracket = 0;
  /** Index of the next `&` in `html` at or after the last text start (`html.length` if none). */
  private nextAmpersand = 0;
  /** Inside `<xmp>`, `<noembed>`, `<noframes>` or `<plaintext>`: entities are not decoded. */
  private isRawText = false;
  private hasContent = false;
  private pendingSpace = false;
  private pendingBreak = 0;
  private pendingPrefix = "";
  private droppedDepth = 0;
  private readonly lists: ListState[] = [];
  private element: ElementEntry | undefined;
  private isReadingListStart = false;
  private listStart = "";

  reset(html: string, maxLength: number, stripShortcodes: boolean, keepSourceLineBreaks: boolean) {
    this.html = html;
    this.maxLength = maxLength;
    this.stripShortcodes = stripShortcodes;
    this.keepSourceLineBreaks = keepSourceLineBreaks;
    this.isFull = false;
    this.outLength = 0;
    this.textParts.length = 0;
    // Line breaks are applied to the whole text between tags: always gather.
    this.isGathering = keepSourceLineBreaks;
    this.nextBracket = stripShortcodes ? -1 : html.length;
    this.nextAmpersand = -1;
    this.isRawText = false;
    this.hasContent = false;
    this.pendingSpace = false;
    this.pendingBreak = 0;
    this.pendingPrefix = "";
    this.droppedDepth = 0;
    this.lists.length = 0;
    this.element = undefined;
    this.isReadingListStart = false;
    this.listStart = "";
  }

  /** The text written so far, as one flat string; drops the reference to the input. */
  finish(): string {
    // One copy of the code units, lone surrogates kept (a `TextDecoder` would replace them).
    const text = this.outBytes.toString("utf16le", 0, this.outLength * 2);
    this.html = "";
    // Do not hold on to the buffer of a huge description.
    if (this.out.length > MAX_KEPT_OUT_CAPACITY) this.setOut(new Uint16Array(INITIAL_OUT_CAPACITY));
    return text;
  }

  private setOut(out: Uint16Array): void {
    this.out = out;
    this.outBytes = Buffer.from(out.buffer);
  }

  ontext(sectionStart: number, endIndex: number): void {
    if (this.droppedDepth > 0 || this.isFull) return;
    const html = this.html;
    // The tokenizer reports text cut short by the end of the input after an unfinished closing
    // tag (`a</b c`) as starting at -1; `slice` read that as "from the end", so keep doing so.
    const start = sectionStart < 0 ? Math.max(0, html.length + sectionStart) : sectionStart;
    // Both cursors only move forward, so finding every `[` and `&` costs one pass over the input.
    if (!this.isGathering) {
      if (this.nextBracket < start) {
        const found = html.indexOf("[", start);
        this.nextBracket = found === -1 ? html.length : found;
      }
      // A possible shortcode: gather the text up to the next block tag.
      if (this.nextBracket < endIndex) this.isGathering = true;
    }
    if (this.isRawText) {
      this.writeText(html, start, endIndex);
      return;
    }
    // Entities: the text between them is written straight from the source; each entity alone
    // (`&`, letters, digits and `#`, then an optional `;`: everything the decoder can read) goes
    // to htmlparser2's decoder. An `&` not followed by any of those is text.
    let textStart = start;
    let searchFrom = start;
    for (;;) {
      if (this.nextAmpersand < searchFrom) {
        const found = html.indexOf("&", searchFrom);
        this.nextAmpersand = found === -1 ? html.length : found;
      }
      const ampersand = this.nextAmpersand;
      if (ampersand >= endIndex) break;
      let end = ampersand + 1;
      while (end < endIndex && isEntityNameCode(html.charCodeAt(end))) end += 1;
      if (end === ampersand + 1) {
        searchFrom = end;
        continue;
      }
      if (end < endIndex && html.charCodeAt(end) === 0x3b) end += 1; // ;
      this.writeText(html, textStart, ampersand);
      decodeEntities(html.slice(ampersand, end));
      if (this.isFull) return;
      textStart = end;
      searchFrom = end;
    }
    this.writeText(html, textStart, endIndex);
  }

  /** The whole input as text without entities (see `hasMarkup`); shortcodes still apply. */
  writePlainText(): void {
    this.nextAmpersand = this.html.length;
    this.ontext(0, this.html.length);
  }

  /** Writes `text[start..end)`, or gathers it when it may hold a shortcode. */
  writeText(text: string, start: number, end: number): void {
    if (this.isFull || start >= end) return;
    if (this.isGathering) this.textParts.push(text.slice(start, end));
    else this.writeRange(text, start, end);
  }

  ontextentity(codePoint: number): void {
    if (this.droppedDepth > 0 || this.isFull) return;
    if (!this.isGathering) {
      if (isWhitespaceCode(codePoint)) {
        this.pendingSpace = true;
        return;
      }
      if (codePoint !== 0x5b || !this.stripShortcodes) {
        this.startWord();
        if (codePoint < 0x10000) this.append(codePoint);
        else {
          this.append(0xd800 + ((codePoint - 0x10000) >> 10));
          this.append(0xdc00 + ((codePoint - 0x10000) & 0x3ff));
        }
        this.checkFull();
        return;
      }
      this.isGathering = true;
    }
    this.textParts.push(String.fromCodePoint(codePoint));
  }

  onopentagname(start: number, endIndex: number): void {
    this.element = findElement(this.html, start, endIndex);
    this.listStart = "";
  }

  onattribname(start: number, endIndex: number): void {
    const html = this.html;
    this.isReadingListStart =
      this.element?.name === "ol" &&
      endIndex - start === 5 &&
      (html.charCodeAt(start) | 0x20) === 0x73 && // s
      (html.charCodeAt(start + 1) | 0x20) === 0x74 && // t
      (html.charCodeAt(start + 2) | 0x20) === 0x61 && // a
      (html.charCodeAt(start + 3) | 0x20) === 0x72 && // r
      (html.charCodeAt(start + 4) | 0x20) === 0x74; // t
  }

  onattribdata(start: number, endIndex: number): void {
    if (this.isReadingListStart) this.listStart += this.html.slice(start, endIndex);
  }

  onattribend(): void {
    this.isReadingListStart = false;
  }

  onopentagend(): void {
    const element = this.element;
    if (element === undefined) return;
    // The tokenizer reads everything up to the matching end tag as raw text (even after `/>`).
    if (element.kind === Kind.RawText) this.isRawText = true;
    else this.openTag(element, this.listStart);
  }

  onselfclosingtag(): void {
    const element = this.element;
    if (element === undefined) return;
    if (element.kind === Kind.RawText) {
      this.isRawText = true;
      return;
    }
    this.openTag(element, this.listStart);
    // `<svg/>`, `<iframe/>`: a self-closed dropped element must not swallow the rest.
    if (element.kind === Kind.Dropped) this.closeTag(element);
  }

  onclosetag(start: number, endIndex: number): void {
    const element = findElement(this.html, start, endIndex);
    if (element === undefined) return;
    if (element.kind === Kind.RawText) this.isRawText = false;
    else this.closeTag(element);
  }

  onattribentity(): void {}
  oncomment(): void {}
  oncdata(): void {}
  ondeclaration(): void {}
  onprocessinginstruction(): void {}
  onend(): void {}

  /** Writes the gathered text, if any, and goes back to streaming. */
  flushText(): void {
    if (!this.isGathering) return;
    this.isGathering = this.keepSourceLineBreaks;
    const parts = this.textParts;
    if (parts.length === 0 || this.isFull) {
      parts.length = 0;
      return;
    }
    let text = parts.length === 1 ? (parts[0] as string) : parts.join("");
    parts.length = 0;
    if (this.stripShortcodes && text.includes("[")) {
      text = text.replace(SHORTCODE_RE, replaceShortcode);
    }
    if (!this.keepSourceLineBreaks) {
      this.writeRange(text, 0, text.length);
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
      this.writeRange(line, 0, line.length);
    }
    if (newlines > 0) this.lineBreak(newlines > 1 ? 2 : 1);
  }

  private lineBreak(count: number): void {
    if (count > this.pendingBreak) this.pendingBreak = count;
    this.pendingSpace = false;
  }

  /** Makes room for `count` more code units in `out`. */
  private reserve(count: number): void {
    const needed = this.outLength + count;
    if (needed <= this.out.length) return;
    const grown = new Uint16Array(Math.max(needed, this.out.length * 2));
    grown.set(this.out.subarray(0, this.outLength));
    this.setOut(grown);
  }

  private append(code: number): void {
    this.reserve(1);
    this.out[this.outLength] = code;
    this.outLength += 1;
  }

  private appendString(piece: string): void {
    for (let i = 0; i < piece.length; i += 1) this.append(piece.charCodeAt(i));
  }

  /** Once the output is longer than `maxLength`, the rest would be cut anyway: stop reading. */
  private checkFull(): void {
    if (this.outLength > this.maxLength) {
      this.isFull = true;
      this.tokenizer?.pause();
    }
  }

  /** Before the first character of a word: the pending separator, then the pending list prefix. */
  private startWord(): void {
    if (this.hasContent) {
      if (this.pendingBreak > 0) {
        this.append(0x0a);
        if (this.pendingBreak > 1) this.append(0x0a);
      } else if (this.pendingSpace) this.append(0x20);
    }
    if (this.pendingPrefix !== "") {
      this.appendString(this.pendingPrefix);
      this.pendingPrefix = "";
    }
    this.hasContent = true;
    this.pendingBreak = 0;
    this.pendingSpace = false;
  }

  /**
   * Writes `text[start..end)` with whitespace collapsed, in one pass that copies the characters
   * into `out`. Stops once the output is longer than `maxLength` and pauses the tokenizer.
   */
  private writeRange(text: string, start: number, end: number): void {
    let i = start;
    while (i < end && isWhitespaceCode(text.charCodeAt(i))) i += 1;
    if (i > start) this.pendingSpace = true;
    if (i === end) return;
    // Room for the text, a blank line before it and a list prefix: no bounds checks in the loop.
    this.reserve(end - i + 2 + this.pendingPrefix.length);
    this.startWord();
    // After the first word only single spaces can come between words: no more pending state.
    const out = this.out;
    const maxLength = this.maxLength;
    let length = this.outLength;
    let isAfterSpace = false;
    for (; i < end; i += 1) {
      const code = text.charCodeAt(i);
      if ((code <= 0x20 || code >= 0xa0) && isWhitespaceCode(code)) {
        isAfterSpace = true;
        continue;
      }
      if (isAfterSpace) {
        isAfterSpace = false;
        out[length] = 0x20;
        length += 1;
      }
      out[length] = code;
      length += 1;
      if (length > maxLength) break;
    }
    this.outLength = length;
    this.pendingSpace = isAfterSpace;
    this.checkFull();
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

const INITIAL_OUT_CAPACITY = 4096;
const MAX_KEPT_OUT_CAPACITY = 1 << 16;

/**
 * Decodes one entity (`&amp;`, `&#233;`, `&bogus;`…) for {@link PlainTextWriter} with
 * htmlparser2's decoder: a second tokenizer over just the entity, which has no `<`, so that
 * tokenizer sees only text and entities. The main tokenizer does not decode: decoding there sends
 * every character of the text through its state machine, and only the entities need it.
 */
class EntityDecoder implements TokenizerCallbacks {
  text = "";

  constructor(private readonly writer: PlainTextWriter) {}

  ontext(start: number, endIndex: number): void {
    this.writer.writeText(this.text, start, endIndex);
  }

  ontextentity(codePoint: number): void {
    this.writer.ontextentity(codePoint);
  }

  onattribdata(): void {}
  onattribentity(): void {}
  onattribend(): void {}
  onattribname(): void {}
  oncdata(): void {}
  onclosetag(): void {}
  oncomment(): void {}
  ondeclaration(): void {}
  onend(): void {}
  onopentagend(): void {}
  onopentagname(): void {}
  onprocessinginstruction(): void {}
  onselfclosingtag(): void {}
}

const WRITER = new PlainTextWriter();
const TOKENIZER = new Tokenizer({ decodeEntities: false }, WRITER);
WRITER.tokenizer = TOKENIZER;
const ENTITY_DECODER = new EntityDecoder(WRITER);
const ENTITY_TOKENIZER = new Tokenizer({ decodeEntities: true }, ENTITY_DECODER);

function decodeEntities(text: string): void {
  ENTITY_DECODER.text = text;
  ENTITY_TOKENIZER.reset();
  ENTITY_TOKENIZER.write(text);
  ENTITY_TOKENIZER.end();
  ENTITY_DECODER.text = "";
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
