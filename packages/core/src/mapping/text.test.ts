import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MappingError } from "./errors.js";
import { truncateAtWord } from "./strings.js";
import { type InlineMarkup, pickDescription, toPlainText } from "./text.js";

// A stand-in for a platform's inline markup: `{{name}}` template tags.
const TEMPLATE_TAGS: InlineMarkup = {
  marker: "{",
  strip: (text) => text.replace(/\{\{[a-z]+\}\}/g, " "),
};

describe("toPlainText: markup", () => {
  test.each<[string, string, string]>([
    ["plain text passes through", "Soft cotton tee", "Soft cotton tee"],
    [
      "inline tags removed",
      "A <b>bold</b> and <em>lovely</em> <a href='/x'>tee</a>",
      "A bold and lovely tee",
    ],
    ["adjacent inline tags do not add spaces", "<span>Cot</span><span>ton</span>", "Cotton"],
    ["named entities", "Tom &amp; Jerry &lt;3 &quot;hi&quot; &copy;", 'Tom & Jerry <3 "hi" ©'],
    ["numeric entities", "&#8364;5 &#x1F600; &#233;t&#xE9;", "€5 😀 été"],
    ["&nbsp; is a space", "100&nbsp;%&nbsp;&nbsp;cotton", "100 % cotton"],
    ["unknown entity kept literally", "a &bogus; b", "a &bogus; b"],
    ["script content dropped", "a<script>alert('x<y')</script>b", "ab"],
    ["style content dropped", "<style>p{color:red}</style>Text", "Text"],
    ["noscript content dropped", "a <noscript>enable JS</noscript>b", "a b"],
    ["template content dropped", "a<template><p>hidden</p></template> b", "a b"],
    ["iframe content dropped", "a<iframe src='x'>fallback <p>text</p></iframe> b", "a b"],
    ["svg text dropped", "a<svg><title>icon</title><text>t</text></svg>b", "ab"],
    ["comments dropped", "a<!-- secret -->b", "ab"],
    ["CDATA dropped as in browsers", "a<![CDATA[ raw ]]>b", "ab"],
    ["paragraphs separated by a blank line", "<p>One</p><p>Two</p>", "One\n\nTwo"],
    ["headings are paragraphs", "<h2>Title</h2>Body", "Title\n\nBody"],
    ["div is a line", "<div>One</div><div>Two</div>", "One\nTwo"],
    ["br is a line break", "One<br>Two<br/>Three", "One\nTwo\nThree"],
    ["double br is a blank line", "One<br><br>Two", "One\n\nTwo"],
    [
      "many breaks collapse to one blank line",
      "One<br><br><br><br><p></p><p></p>Two",
      "One\n\nTwo",
    ],
    ["unordered list bullets", "<ul><li>Red</li><li>Blue</li></ul>", "• Red\n• Blue"],
    ["ordered list numbers", "<ol><li>Wash</li><li>Dry</li></ol>", "1. Wash\n2. Dry"],
    ["ordered list start attribute", "<ol start='3'><li>c</li><li>d</li></ol>", "3. c\n4. d"],
    ["nested lists", "<ul><li>A<ul><li>A1</li></ul></li><li>B</li></ul>", "• A\n• A1\n• B"],
    ["li without a list", "<li>x</li>", "• x"],
    ["empty li leaves no bullet", "<ul><li></li><li>x</li></ul>", "• x"],
    [
      "list after text gets a blank line",
      "Colours:<ul><li>Red</li></ul>After",
      "Colours:\n\n• Red\n\nAfter",
    ],
    [
      "table rows are lines, cells spaced",
      "<table><tr><th>Size</th><th>Chest</th></tr><tr><td>M</td><td>104</td></tr></table>",
      "Size Chest\nM 104",
    ],
    [
      "blockquote, section, article",
      "<section>a</section><article>b</article><blockquote>c</blockquote>",
      "a\n\nb\n\nc",
    ],
    ["whitespace collapsed", "  lots   of\n\n\t spaces  ", "lots of spaces"],
    ["source newlines are spaces in HTML", "line one\nline two", "line one line two"],
    ["whitespace around breaks removed", "<p>  a  </p>  <p>  b  </p>", "a\n\nb"],
    ["uppercase tags", "<P>A</P><BR><SCRIPT>x</SCRIPT>B", "A\n\nB"],
    ["img and input add nothing", "a<img src='x.jpg' alt='photo'>b<input value='v'>", "ab"],
  ])("%s", (_label, html, expected) => {
    expect(toPlainText(html)).toBe(expected);
  });
});

describe("toPlainText: malformed HTML", () => {
  test.each<[string, string, string]>([
    ["unclosed tags", "<p>one<p>two<div>three", "one\n\ntwo\nthree"],
    ["stray closing tags", "a</p></div></span>b", "a\n\n\nb".replace("\n\n\n", "\n\n")],
    ["unclosed comment swallows the rest", "a<!-- b", "a"],
    ["unclosed script swallows the rest", "a<script>b", "a"],
    ["a lone < is text", "1 < 2 and 3 > 2", "1 < 2 and 3 > 2"],
    ["broken attribute quotes", '<a href="x>link</a> text', ""],
    ["tag soup", "<b><i>x</b></i>y", "xy"],
    ["null characters do not throw", "a\u0000b", "a\u0000b"],
  ])("%s", (_label, html, expected) => {
    expect(toPlainText(html)).toBe(expected);
  });
});

describe("toPlainText: [brackets] are text; a platform's inlineMarkup is removed", () => {
  test("WordPress shortcodes are not core's business: kept by default", () => {
    expect(toPlainText('Before [gallery ids="1,2"] after [vc_row]x[/vc_row]')).toBe(
      'Before [gallery ids="1,2"] after [vc_row]x[/vc_row]',
    );
  });

  test.each<[string, string, string]>([
    ["between words", "a {{price}} b", "a b"],
    ["the text of a block is handed whole", "<p>{{a}}x<b>y</b>{{b}}</p><p>z</p>", "xy\n\nz"],
    ["an entity-encoded marker counts", "a &#123;{price}} b", "a b"],
    ["text without the marker is left alone", "<p>a [b] c</p>", "a [b] c"],
    ["plain text with the marker", "only {{x}} here", "only here"],
  ])("%s", (_label, html, expected) => {
    expect(toPlainText(html, { inlineMarkup: TEMPLATE_TAGS })).toBe(expected);
  });

  test("strip sees only text that holds the marker", () => {
    const seen: string[] = [];
    const markup: InlineMarkup = {
      marker: "{",
      strip: (text) => {
        seen.push(text);
        return text;
      },
    };
    toPlainText("<p>one</p><p>two {x}</p><p>three</p>", { inlineMarkup: markup });
    expect(seen).toEqual(["two {x}"]);
  });

  test("the marker is one character", () => {
    expect(() => toPlainText("x", { inlineMarkup: { marker: "{{", strip: (t) => t } })).toThrow(
      /inlineMarkup.marker must be one character/,
    );
  });
});

describe("toPlainText: keepSourceLineBreaks (raw WordPress content)", () => {
  test.each<[string, string, string]>([
    ["single newline is a line", "one\ntwo", "one\ntwo"],
    ["blank line is a paragraph", "one\n\ntwo", "one\n\ntwo"],
    ["many blank lines collapse", "one\n\n\n\n\ntwo", "one\n\ntwo"],
    ["CRLF", "one\r\ntwo\r\n\r\nthree", "one\ntwo\n\nthree"],
    ["whitespace-only lines count as blank", "one\n   \ntwo", "one\n\ntwo"],
    ["mixed with tags", "<b>one</b>\ntwo", "one\ntwo"],
  ])("%s", (_label, html, expected) => {
    expect(toPlainText(html, { keepSourceLineBreaks: true })).toBe(expected);
  });
});

describe("toPlainText: length", () => {
  test("default maxLength is 2000", () => {
    const text = toPlainText(`<p>${"word ".repeat(1000)}</p>`);
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text.endsWith("word…")).toBe(true);
  });

  test.each<[string, string, number, string]>([
    ["fits exactly", "one two three", 13, "one two three"],
    ["cut at a word boundary with an ellipsis", "one two three", 10, "one two…"],
    ["boundary right at the cut", "one two three", 9, "one two…"],
    ["trailing separators dropped before the ellipsis", "red, green, blue", 12, "red, green…"],
    ["one long word is cut inside", "supercalifragilistic", 8, "superca…"],
    ["maxLength 1", "hello", 1, "…"],
    ["block breaks count", "<p>aa</p><p>bb</p>", 6, "aa\n\nbb"],
  ])("%s", (_label, html, maxLength, expected) => {
    const text = toPlainText(html, { maxLength });
    expect(text).toBe(expected);
    expect(text.length).toBeLessThanOrEqual(maxLength);
  });

  test("never splits a surrogate pair", () => {
    const text = toPlainText("😀😀😀😀😀", { maxLength: 4 });
    expect(text).toBe("😀…");
  });

  test.each([0, -1, 1.5, Number.NaN])("refuses maxLength %s", (maxLength) => {
    expect(() => toPlainText("x", { maxLength })).toThrow(MappingError);
  });

  test("huge input: stops reading once the limit is passed and stays correct", () => {
    const html = `<p>${"Lorem ipsum <b>dolor</b> sit amet. ".repeat(200_000)}</p>`; // ~7 MB
    const text = toPlainText(html, { maxLength: 100 });
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text.startsWith("Lorem ipsum dolor sit amet. Lorem")).toBe(true);
  });

  test("huge input read to the end (nested, malformed, many entities)", () => {
    const unit = "<div><ul><li>a &amp; b</li><li>{{xy}}c<script>d</script>";
    const html = unit.repeat(50_000); // ~2.7 MB, nothing closed
    const text = toPlainText(html, { maxLength: 10_000_000, inlineMarkup: TEMPLATE_TAGS });
    expect(text.startsWith("• a & b\n• c\n• a & b")).toBe(true);
    expect(text.split("\n")).toHaveLength(100_000);
  });
});

describe("toPlainText: properties", () => {
  const htmlish = fc
    .array(
      fc.oneof(
        fc.string(),
        fc.constantFrom(
          "<p>",
          "</p>",
          "<br>",
          "<li>",
          "<ul>",
          "</ul>",
          "<script>",
          "</script>",
          "&amp;",
          "&nbsp;",
          "[gallery]",
          "<!--",
          "-->",
          "\n",
          "<div>",
        ),
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(""));

  test("never throws; trimmed; no tags of its own; at most maxLength; no 3 newlines in a row", () => {
    fc.assert(
      fc.property(htmlish, fc.integer({ min: 1, max: 300 }), (html, maxLength) => {
        const text = toPlainText(html, { maxLength });
        expect(text.length).toBeLessThanOrEqual(maxLength);
        expect(text).toBe(text.trim());
        expect(text).not.toMatch(/\n\n\n| {2}|[ \t]\n|\n[ \t]/);
      }),
    );
  });

  test("plain text without markup characters only has its whitespace collapsed", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[<&[]/.test(s)),
        (text) => {
          expect(toPlainText(text, { maxLength: 10_000 })).toBe(text.replace(/\s+/g, " ").trim());
        },
      ),
    );
  });

  test("the no-markup shortcut gives what the tokenizer gives", () => {
    // An empty inline element changes nothing but forces the tokenizer path.
    const texty = fc
      .array(
        fc.constantFrom(
          "a",
          "B",
          " ",
          "\n",
          "<",
          "& ",
          "&&",
          "1",
          "#",
          ";",
          "[x]",
          "<3",
          "\u00a0",
          "é",
        ),
        {
          maxLength: 40,
        },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(texty, fc.boolean(), (text, keepSourceLineBreaks) => {
        const options = { keepSourceLineBreaks, maxLength: 10_000 };
        expect(toPlainText(text, options)).toBe(toPlainText(`<span></span>${text}`, options));
      }),
    );
  });

  test("truncation is a prefix of the full text plus the ellipsis", () => {
    fc.assert(
      fc.property(htmlish, fc.integer({ min: 2, max: 80 }), (html, maxLength) => {
        const full = toPlainText(html, { maxLength: 100_000 });
        const short = toPlainText(html, { maxLength });
        if (full.length <= maxLength) expect(short).toBe(full);
        else {
          expect(short.endsWith("…")).toBe(true);
          expect(full.startsWith(short.slice(0, -1))).toBe(true);
        }
      }),
    );
  });
});

describe("truncateAtWord", () => {
  test("custom ellipsis", () => {
    expect(truncateAtWord("one two three", 10, "...")).toBe("one two...");
  });

  test("property: length bound and prefix", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 50 }), (text, maxLength) => {
        const result = truncateAtWord(text, maxLength);
        expect(result.length).toBeLessThanOrEqual(Math.max(maxLength, 0));
        if (text.length <= maxLength) expect(result).toBe(text);
        else expect(text.startsWith(result.slice(0, -1))).toBe(true);
      }),
    );
  });
});

describe("pickDescription", () => {
  test.each<[string, { short?: string | null; long?: string | null }, string | undefined]>([
    ["prefers the short description", { short: "<p>Short</p>", long: "<p>Long</p>" }, "Short"],
    [
      "falls back when the short one has no text",
      { short: "<p> </p><script>x</script>", long: "Long" },
      "Long",
    ],
    ["null short", { short: null, long: "Long" }, "Long"],
    ["neither has text", { short: "", long: "<br>" }, undefined],
    ["nothing given", {}, undefined],
  ])("%s", (_label, input, expected) => {
    expect(pickDescription(input)).toBe(expected);
  });

  test("passes the options on", () => {
    expect(pickDescription({ long: "one two three" }, { maxLength: 10 })).toBe("one two…");
  });
});

describe("toPlainText: entities decoded one at a time, raw text, reused state", () => {
  test.each<[string, string, string]>([
    ["entities between words", "caf&eacute; &amp;amp; &#0; &#xD800;", "café &amp; � �"],
    ["escaped markup stays text", "&lt;p&gt;not a tag&lt;/p&gt;", "<p>not a tag</p>"],
    ["legacy entity without a semicolon", "A &copy 2026 B", "A © 2026 B"],
    ["legacy entity right before a tag", "x&amp<b>y</b>", "x&y"],
    ["astral entity", "😀 &#128512;", "😀 😀"],
    ["entity brackets in prose are kept", "&#91;Red&#93;", "[Red]"],
    [
      "xmp is raw text: entities and tags kept",
      "<xmp>a &amp; <b>b</b></xmp> &amp; c",
      "a &amp; <b>b</b> & c",
    ],
    ["plaintext is raw text to the end", "<plaintext>x &lt; <p>y", "x &lt; <p>y"],
    ["noembed is raw text", "<noembed>&copy;</noembed>&copy;", "&copy;©"],
    ["lone surrogate kept", "a\uD800b", "a\uD800b"],
    ["text after an unfinished closing tag", "a</b c", "ac"],
  ])("%s", (_label, html, expected) => {
    expect(toPlainText(html)).toBe(expected);
  });

  test("a call stopped early leaves nothing behind for the next one", () => {
    const long = `<ol start="7"><li>${"word ".repeat(500)}<script>x`;
    expect(toPlainText(long, { maxLength: 10 })).toBe("7. word…");
    expect(toPlainText("<ol><li>a</li></ol>")).toBe("1. a");
    expect(toPlainText("&amp;".repeat(10_000), { maxLength: 3 })).toBe("&&…");
    expect(toPlainText("<p>One</p>Two")).toBe("One\n\nTwo");
  });

  test("huge entity-only input read to the end", () => {
    const text = toPlainText("&amp;&#233;&bogus; ".repeat(50_000), { maxLength: 10_000_000 });
    expect(text.startsWith("&é&bogus; &é&bogus;")).toBe(true);
    expect(text.length).toBe(50_000 * 10 - 1);
  });

  test("property: the result does not depend on the calls made before", () => {
    const htmlish = fc
      .array(
        fc.oneof(
          fc.string(),
          fc.constantFrom("<p>", "<li>", "<ol start='3'>", "<script>", "&amp;", "{{x}}", "<xmp>"),
        ),
        { maxLength: 20 },
      )
      .map((parts) => parts.join(""));
    const options = fc.record({
      maxLength: fc.integer({ min: 1, max: 200 }),
      inlineMarkup: fc.constantFrom(undefined, TEMPLATE_TAGS),
      keepSourceLineBreaks: fc.boolean(),
    });
    fc.assert(
      fc.property(htmlish, options, htmlish, options, (first, firstOptions, html, htmlOptions) => {
        const alone = toPlainText(html, htmlOptions);
        toPlainText(first, firstOptions);
        expect(toPlainText(html, htmlOptions)).toBe(alone);
      }),
    );
  });
});

describe("toPlainText: direct entity decoding", () => {
  test.each<[string, string, string]>([
    ["unfinished numeric entities are text", "x &# &#x &#; &#x; &#xg", "x &# &#x &#; &#x; &#xg"],
    ["legacy entity cut by a tag", "&noti<b>x</b>", "¬ix"],
    ["legacy entity at the end of the input", "x &amp", "x &"],
    ["one semicolon belongs to the entity", "&amp;; &ampfoo", "&; &foo"],
    ["entity of two code points", "&NotEqualTilde;", "\u2242\u0338"],
    ["out-of-range code points", "&#x110000; &#99999999999;", "\ufffd \ufffd"],
    ["lone ampersands", "a & b &&c", "a & b &&c"],
  ])("%s", (_label, html, expected) => {
    expect(toPlainText(html)).toBe(expected);
  });
});
