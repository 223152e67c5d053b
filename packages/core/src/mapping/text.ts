import { Buffer } from "node:buffer";
import { DecodingMode, EntityDecoder, htmlDecodeTree } from "entities/decode";
import { Tokenizer, type TokenizerCallbacks } from "htmlparser2";
import { isAsciiDigit, isAsciiLetter, isWhitespaceCode } from "./char-codes.js";
import { describeValue, MappingError } from "./errors.js";
import { RECOMMENDED_DESCRIPTION_LENGTH_CHARS } from "./limits.js";
import { truncateAtWord } from "./strings.js";

/** Options of {@link toPlainText} and {@link pickDescription}. */
export interface PlainTextOptions {
  /** Longest result in UTF-16 code units, ellipsis included. Default 2000 (ranking guideline). */
  maxLength?: number | undefined;
  /**
   * A platform's markup written in the text rather than as HTML tags, to remove (WordPress
   * shortcodes: `@neuroon/woocommerce` passes them). Default none: `[…]` is text.
   */
  inlineMarkup?: InlineMarkup | undefined;
  /**
   * Treat newlines in the text as line breaks (WordPress raw `edit`-context content, where
   * `wpautop` has not turned them into `<p>` yet). Default `false`: HTML semantics, a newline is
   * a space.
   */
  keepSourceLineBreaks?: boolean | undefined;
}

/**
 * Markup written in the text rather than as HTML tags, such as WordPress shortcodes
 * (`[gallery ids="1,2"]`, `[caption]…[/caption]`), which only the platform knows how to read.
 *
 * @example
 * // Remove `{{…}}` template tags a CMS leaves in its descriptions.
 * const templateTags: InlineMarkup = {
 *   marker: "{",
 *   strip: (text) => text.replace(/\{\{[^{}]*\}\}/g, " "),
 * };
 * toPlainText(html, { inlineMarkup: templateTags });
 */
export interface InlineMarkup {
  /**
   * The one character every tag starts with (`"["` for shortcodes). Only text holding it is
   * handed to `strip`, so text without it costs nothing extra.
   */
  marker: string;
  /**
   * The text of one block (between block-level tags, entities decoded) with the markup removed;
   * replace a tag with a space where words would otherwise run together.
   */
  strip(text: string): string;
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

/** A known element, found by {@link findElement} straight from the source code units. */
interface ElementEntry {
  readonly name: string;
  readonly kind: Kind;
  /** `name`'s code units, to compare with the source without reading a string. */
  readonly units: Uint16Array;
}

// An open-addressing table keyed by the length and the first and last letters of a name, so a
// tag is looked up from its position in the source without slicing or lower-casing a string (a
// description has dozens of tags). 256 slots for ~70 names: lookups, known or not, probe about
// one slot on average.
const ELEMENT_SLOT_MASK = 0xff;
const ELEMENT_SLOTS = new Int16Array(ELEMENT_SLOT_MASK + 1).fill(-1);
const ELEMENTS: ElementEntry[] = [];
for (const [name, kind] of ELEMENT_KINDS) {
  const units = Uint16Array.from(name, (char) => char.charCodeAt(0));
  let slot = elementSlot(units, 0, units.length);
  while ((ELEMENT_SLOTS[slot] as number) !== -1) slot = (slot + 1) & ELEMENT_SLOT_MASK;
  ELEMENT_SLOTS[slot] = ELEMENTS.length;
  ELEMENTS.push({ name, kind, units });
}

/** The first slot to probe for the name `units[start..end)`; `| 0x20` lower-cases ASCII letters. */
function elementSlot(units: Uint16Array, start: number, end: number): number {
  const first = (units[start] as number) | 0x20;
  const last = (units[end - 1] as number) | 0x20;
  return (first * 7 + last * 31 + (end - start) * 131) & ELEMENT_SLOT_MASK;
}

/** The element named by `units[start..end)`, case-insensitively; `undefined` for inline/unknown ones. */
function findElement(units: Uint16Array, start: number, end: number): ElementEntry | undefined {
  const length = end - start;
  for (let slot = elementSlot(units, start, end); ; slot = (slot + 1) & ELEMENT_SLOT_MASK) {
    const index = ELEMENT_SLOTS[slot] as number;
    if (index === -1) return undefined;
    const entry = ELEMENTS[index] as ElementEntry;
    const name = entry.units;
    if (name.length !== length) continue;
    let i = 0;
    while (i < length && ((units[start + i] as number) | 0x20) === name[i]) i += 1;
    if (i === length) return entry;
  }
}

const BR_ELEMENT = ELEMENTS.find((entry) => entry.name === "br") as ElementEntry;
const UNORDERED_BULLET = "• ";
/** Whitespace other than single spaces: text without any has nothing to collapse. */
const UNCOLLAPSED_WHITESPACE_RE = / \s|[^\S ]/;

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

interface ListState {
  ordered: boolean;
  next: number;
}

/** ASCII letters, digits and `#`: what may follow `&` in an entity. */
function isEntityNameCode(code: number): boolean {
  return isAsciiLetter(code) || isAsciiDigit(code) || code === 0x23;
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
 * - a platform's `inlineMarkup` removed (WordPress shortcodes from `@neuroon/woocommerce`); `[…]`
 *   is otherwise text;
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
  const markup = options.inlineMarkup;
  if (markup !== undefined && markup.marker.length !== 1) {
    throw new MappingError(
      "invalid-option",
      `inlineMarkup.marker must be one character; received ${describeValue(markup.marker)}.`,
      { field: "inlineMarkup" },
    );
  }
  const isPlain = !hasMarkup(html);
  if (
    isPlain &&
    !UNCOLLAPSED_WHITESPACE_RE.test(html) &&
    !(markup !== undefined && html.includes(markup.marker))
  ) {
    // Plain text with single spaces only (Medusa's descriptions) is already what Neuroon wants:
    // the writer would copy it character by character only to trim it.
    return truncateAtWord(html.trim(), maxLength);
  }
  // One writer and one tokenizer for the whole process, reset per call: toPlainText is
  // synchronous and its callbacks never call out, so a call cannot start inside another one.
  // A call that threw half-way leaves nothing behind: `reset` overwrites all the state.
  const writer = WRITER;
  writer.reset(html, maxLength, markup, options.keepSourceLineBreaks ?? false);
  if (isPlain) {
    // No markup and no entities: nothing for the tokenizer to do.
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
 * Growable UTF-16 code units with a `Buffer` over the same memory, so strings go in and out with
 * one copy each (lone surrogates kept, which `TextDecoder` would replace). Reading code
 * units from a typed array costs well under half of `String#charCodeAt`, which checks the string's
 * representation on every call.
 */
class CodeUnits {
  units: Uint16Array = new Uint16Array(INITIAL_CAPACITY_UNITS);
  private bytes: Buffer = Buffer.from(this.units.buffer);

  /** Makes room for `capacity` units, keeping the first `keep` ones. */
  reserve(capacity: number, keep: number): void {
    if (capacity <= this.units.length) return;
    const grown = new Uint16Array(Math.max(capacity, this.units.length * 2));
    grown.set(this.units.subarray(0, keep));
    this.setUnits(grown);
  }

  /** Copies `text` to the start and returns the units. */
  load(text: string): Uint16Array {
    this.reserve(text.length, 0);
    // A native copy costs a call through `Buffer#write`; short strings are cheaper in a loop.
    if (text.length > MAX_LOOP_COPY_UNITS) this.bytes.write(text, 0, "utf16le");
    else for (let i = 0; i < text.length; i += 1) this.units[i] = text.charCodeAt(i);
    return this.units;
  }

  /** The first `length` units as one flat string. */
  read(length: number): string {
    return this.bytes.toString("utf16le", 0, length * 2);
  }

  /** Does not hold on to the memory of a huge description. */
  shrink(): void {
    if (this.units.length > MAX_KEPT_CAPACITY_UNITS) {
      this.setUnits(new Uint16Array(INITIAL_CAPACITY_UNITS));
    }
  }

  private setUnits(units: Uint16Array): void {
    this.units = units;
    this.bytes = Buffer.from(units.buffer);
  }
}

const INITIAL_CAPACITY_UNITS = 4096;
const MAX_KEPT_CAPACITY_UNITS = 1 << 16;
const MAX_LOOP_COPY_UNITS = 64;

/**
 * The tokenizer callbacks: turns tokens into collapsed text with breaks, bullets and an early stop.
 * A class (one shape, shared methods) keeps the tokenizer's calls monomorphic.
 *
 * The input is copied once into code units, and text is written as it comes, straight from them:
 * the characters of each text token are copied into one reusable output buffer with whitespace
 * collapsed on the way (no slices, no per-token strings), and the output becomes one flat string
 * once, at the end (a rope built with `+=` is several times slower to scan for whoever reads it
 * next). The tokenizer does not decode entities; each entity goes to the `entities` package's
 * decoder, the one htmlparser2 uses (see `decodeEntityAt`). Text that may hold inline markup (its
 * marker since the last block tag) or must keep its source line breaks is gathered into a string
 * first, as the markup's `strip` and the line split need it whole.
 */
class PlainTextWriter implements TokenizerCallbacks {
  isFull = false;
  tokenizer: Tokenizer | undefined;
  private html = "";
  /** `html` as code units (in `input.units[0..html.length)`), for every per-character loop. */
  private readonly input = new CodeUnits();
  private maxLength = 0;
  private markup: InlineMarkup | undefined;
  /** `markup.marker` as a code unit; -1 without markup. */
  private markerCode = -1;
  private keepSourceLineBreaks = false;
  /** The output so far: `output.units[0..outLength)`, made a string by `finish`. */
  private readonly output = new CodeUnits();
  private outLength = 0;
  /** Gathered text on its way to the output (see `writeString`). */
  private readonly scratch = new CodeUnits();
  /** Text held back since the last block tag (see the class comment); empty when streaming. */
  private readonly textParts: string[] = [];
  private isGathering = false;
  /** Index of the next `[` in `html` at or after the last text start (`html.length` if none). */
  private nextMarker = 0;
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

  reset(
    html: string,
    maxLength: number,
    markup: InlineMarkup | undefined,
    keepSourceLineBreaks: boolean,
  ) {
    this.html = html;
    this.input.load(html);
    this.maxLength = maxLength;
    this.markup = markup;
    this.markerCode = markup === undefined ? -1 : markup.marker.charCodeAt(0);
    this.keepSourceLineBreaks = keepSourceLineBreaks;
    this.isFull = false;
    this.outLength = 0;
    this.textParts.length = 0;
    // Line breaks are applied to the whole text between tags: always gather.
    this.isGathering = keepSourceLineBreaks;
    this.nextMarker = markup === undefined ? html.length : -1;
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
    const text = this.output.read(this.outLength);
    this.html = "";
    this.input.shrink();
    this.output.shrink();
    this.scratch.shrink();
    return text;
  }

  ontext(sectionStart: number, endIndex: number): void {
    if (this.droppedDepth > 0 || this.isFull) return;
    const html = this.html;
    // The tokenizer reports text cut short by the end of the input after an unfinished closing
    // tag (`a</b c`) as starting at -1; `slice` read that as "from the end", so keep doing so.
    const start = sectionStart < 0 ? Math.max(0, html.length + sectionStart) : sectionStart;
    // Both cursors only move forward, so finding every marker and `&` costs one pass over the input.
    if (!this.isGathering && this.markup !== undefined) {
      if (this.nextMarker < start) {
        const found = html.indexOf(this.markup.marker, start);
        this.nextMarker = found === -1 ? html.length : found;
      }
      // Possible inline markup: gather the text up to the next block tag.
      if (this.nextMarker < endIndex) this.isGathering = true;
    }
    if (this.isRawText) {
      this.writeSource(start, endIndex);
      return;
    }
    // Entities: the text between them is written straight from the source, and each entity is
    // decoded where it stands. An `&` not followed by a letter, digit or `#` is text.
    const units = this.input.units;
    let textStart = start;
    let searchFrom = start;
    for (;;) {
      if (this.nextAmpersand < searchFrom) {
        const found = html.indexOf("&", searchFrom);
        this.nextAmpersand = found === -1 ? html.length : found;
      }
      const ampersand = this.nextAmpersand;
      if (ampersand >= endIndex) break;
      searchFrom = ampersand + 1;
      if (searchFrom === endIndex || !isEntityNameCode(units[searchFrom] as number)) continue;
      this.writeSource(textStart, ampersand);
      const length = decodeEntityAt(html, ampersand);
      if (this.isFull) return;
      // Not an entity (`&bogus;`, length 0): the `&` stays in the text.
      textStart = ampersand + length;
      if (length > 0) searchFrom = textStart;
    }
    this.writeSource(textStart, endIndex);
  }

  /** The whole input as text without entities (see `hasMarkup`); inline markup still applies. */
  writePlainText(): void {
    this.nextAmpersand = this.html.length;
    this.ontext(0, this.html.length);
  }

  /** Writes `html[start..end)`, or gathers it when it may hold inline markup. */
  private writeSource(start: number, end: number): void {
    if (this.isFull || start >= end) return;
    if (this.isGathering) this.textParts.push(this.html.slice(start, end));
    else this.writeRange(this.input.units, start, end);
  }

  ontextentity(codePoint: number): void {
    if (this.droppedDepth > 0 || this.isFull) return;
    if (!this.isGathering) {
      if (isWhitespaceCode(codePoint)) {
        this.pendingSpace = true;
        return;
      }
      if (codePoint !== this.markerCode) {
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
    this.element = findElement(this.input.units, start, endIndex);
    this.listStart = "";
  }

  onattribname(start: number, endIndex: number): void {
    const units = this.input.units;
    this.isReadingListStart =
      this.element?.name === "ol" &&
      endIndex - start === 5 &&
      ((units[start] as number) | 0x20) === 0x73 && // s
      ((units[start + 1] as number) | 0x20) === 0x74 && // t
      ((units[start + 2] as number) | 0x20) === 0x61 && // a
      ((units[start + 3] as number) | 0x20) === 0x72 && // r
      ((units[start + 4] as number) | 0x20) === 0x74; // t
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
    const element = findElement(this.input.units, start, endIndex);
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
    if (this.markup !== undefined) text = this.markup.strip(text);
    if (!this.keepSourceLineBreaks) {
      this.writeString(text);
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
      this.writeString(line);
    }
    if (newlines > 0) this.lineBreak(newlines > 1 ? 2 : 1);
  }

  /** Writes `text` like text from the source (through the scratch code units). */
  private writeString(text: string): void {
    this.writeRange(this.scratch.load(text), 0, text.length);
  }

  private lineBreak(count: number): void {
    if (count > this.pendingBreak) this.pendingBreak = count;
    this.pendingSpace = false;
  }

  /** Makes room for `count` more code units in the output. */
  private reserve(count: number): void {
    this.output.reserve(this.outLength + count, this.outLength);
  }

  private append(code: number): void {
    this.reserve(1);
    this.output.units[this.outLength] = code;
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
   * Writes `units[start..end)` with whitespace collapsed, in one pass that copies the characters
   * to the output. Stops once the output is longer than `maxLength` and pauses the tokenizer.
   */
  private writeRange(units: Uint16Array, start: number, end: number): void {
    let i = start;
    while (i < end && isWhitespaceCode(units[i] as number)) i += 1;
    if (i > start) this.pendingSpace = true;
    if (i === end) return;
    // Room for the text, a blank line before it and a list prefix: no bounds checks in the loop.
    this.reserve(end - i + 2 + this.pendingPrefix.length);
    this.startWord();
    // After the first word only single spaces can come between words: no more pending state.
    const out = this.output.units;
    const maxLength = this.maxLength;
    let length = this.outLength;
    let isAfterSpace = false;
    for (; i < end; i += 1) {
      const code = units[i] as number;
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

const WRITER = new PlainTextWriter();
const TOKENIZER = new Tokenizer({ decodeEntities: false }, WRITER);
WRITER.tokenizer = TOKENIZER;
// The decoder htmlparser2's tokenizer uses for text, driven the same way (legacy mode: `&copy`
// without a semicolon counts in text), so decoding stays htmlparser2's without a second tokenizer.
const ENTITY_DECODER = new EntityDecoder(htmlDecodeTree, (codePoint) =>
  WRITER.ontextentity(codePoint),
);

/**
 * Decodes the entity at `html[ampersand]` (an `&`) to {@link PlainTextWriter.ontextentity} and
 * returns its length, `&` included; 0 when it is not an entity. The decoder reads only letters,
 * digits, `#` and one `;`, and a text token ends at a `<` or at the end of the input, so it never
 * reads into the next token.
 */
function decodeEntityAt(html: string, ampersand: number): number {
  ENTITY_DECODER.startEntity(DecodingMode.Legacy);
  const length = ENTITY_DECODER.write(html, ampersand + 1);
  // -1: the input ended inside the entity; `end` settles it, as the tokenizer does at its end.
  return length >= 0 ? length : ENTITY_DECODER.end();
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
