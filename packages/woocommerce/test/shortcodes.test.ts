import { pickDescription, toPlainText } from "@neuroon/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { WORDPRESS_SHORTCODES } from "../src/index.js";

// WordPress shortcodes are WordPress' markup: the adapter removes them (core leaves `[…]` alone).
const wordpress = (html: string) => toPlainText(html, { inlineMarkup: WORDPRESS_SHORTCODES });

describe("WordPress shortcodes in descriptions", () => {
  test.each<[string, string, string]>([
    ["gallery with attributes", 'Before [gallery ids="1,2"] after', "Before after"],
    ["self-closing", "a [gallery /] b", "a b"],
    [
      "enclosing shortcode keeps its text",
      '[caption id="a1" align="left"]<img src="x">A caption[/caption]',
      "A caption",
    ],
    ["page-builder rows", "[vc_row][vc_column]Text[/vc_column][/vc_row]", "Text"],
    ["known bare shortcode", "[products] More", "More"],
    [
      "bare brackets in prose are kept",
      "Colour [Red], size [M] [sic] [1]",
      "Colour [Red], size [M] [sic] [1]",
    ],
    ["entities inside attributes", "x [embed src=&quot;https://y&quot;] z", "x z"],
    ["entity brackets form a shortcode", "&#91;gallery ids=1&#93; x", "x"],
    ["entity brackets in prose are kept", "&#91;Red&#93;", "[Red]"],
    ["a bracket inside a failed tag", "[a [gallery]] x", "[a ] x"],
    ["attributes after a no-break space", "[x\u00a0y] z", "z"],
    ["attributes after a tab", "[x\ty] z", "z"],
    ["a slash must touch the name", "a [/ x] b", "a [/ x] b"],
    ["closing tag with attributes", "a [/x y] b", "a b"],
    ["names start with a letter; separators make a tag", "[1] [-a] [a_] [a-b]", "[1] [-a]"],
    ["known names in any case", "[PRODUCTS] x", "x"],
    ["unterminated attributes are prose", "a [gallery ids=1 b", "a [gallery ids=1 b"],
    ["a tag inside brackets", "[[gallery]]", "[ ]"],
    ["decoded brackets form a tag", "&#91;/x&#93; y", "y"],
  ])("%s", (_label, html, expected) => {
    expect(wordpress(html)).toBe(expected);
  });

  test("a short description that is only a shortcode falls back to the long one", () => {
    expect(
      pickDescription(
        { short: '[gallery ids="1"]', long: "Long" },
        { inlineMarkup: WORDPRESS_SHORTCODES },
      ),
    ).toBe("Long");
  });

  test("property: shortcode tags go exactly where the WordPress pattern matches", () => {
    // The pattern and the rule the scan replaced, as a reference.
    const pattern = /\[(\/?)([A-Za-z][\w-]*)(\s[^[\]]*)?\]/g;
    const known = new Set(["gallery", "caption", "products", "row", "vc_row"]);
    const reference = (text: string) =>
      text
        .replace(pattern, (match, slash: string, name: string, attributes?: string) =>
          slash === "/" ||
          attributes !== undefined ||
          /[_-]/.test(name) ||
          known.has(name.toLowerCase())
            ? " "
            : match,
        )
        .replace(/\s+/g, " ")
        .trim();
    const bracketText = fc
      .array(
        fc.constantFrom(
          "[",
          "]",
          "/",
          "gallery",
          "Caption",
          "row",
          "vc_row",
          "x",
          "a-b",
          "1",
          "_",
          " ",
          "\t",
          "\u00a0",
          "=",
          '"',
          "ids=1",
        ),
        { maxLength: 30 },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(bracketText, (text) => {
        expect(toPlainText(text, { maxLength: 10_000, inlineMarkup: WORDPRESS_SHORTCODES })).toBe(
          reference(text),
        );
      }),
    );
  });

  test("plain text with single spaces is returned as it is, trimmed", () => {
    const text = "Soft organic cotton, pre-shrunk & ready <3";
    expect(toPlainText(`  ${text} `)).toBe(text);
    expect(toPlainText("tab\there, two  spaces")).toBe("tab here, two spaces");
    expect(toPlainText("Colour [Red]")).toBe("Colour [Red]");
  });
});
