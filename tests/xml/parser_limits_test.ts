// Tests for the RFC 6120 section 11 parser limits (policy-violation) and its push behaviour: sticky errors, early failure.

import { deepEqual, equal, throws } from "node:assert/strict";
import { XmlStreamParser } from "../../src/xml/parser.ts";
import { XmlSyntaxError } from "../../src/xml/errors.ts";
import { conditionOf, streamOutcome } from "./_harness.ts";
import type { XmlParserOptions } from "../../src/xml/parser.ts";

const HEADER = "<stream:stream xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams'>";

const SHORT = "<s:s xmlns:s='u:s'>";

interface LimitCase {
  name: string;
  options: XmlParserOptions;
  /** Just within the limit. */
  ok: string;
  /** Just beyond it. */
  over: string;
}

const stanzaOf = (bytes: number, fill = "x") => {
  const frame = "<m></m>".length;
  return `<m>${
    fill.repeat((bytes - frame) / new TextEncoder().encode(fill).length)
  }</m>`;
};

const limits: LimitCase[] = [
  {
    name: "maxStanzaBytes counts the bytes of the depth-1 element",
    options: { maxStanzaBytes: 100 },
    ok: HEADER + stanzaOf(100),
    over: HEADER + stanzaOf(101),
  },
  {
    name: "maxStanzaBytes counts UTF-8 bytes, not characters",
    options: { maxStanzaBytes: 107 },
    ok: HEADER + stanzaOf(107, "é"), // 50 two-byte characters
    over: HEADER + stanzaOf(109, "é"),
  },
  {
    name: "maxStanzaBytes covers a self-closing stanza",
    options: { maxStanzaBytes: 20 },
    ok: HEADER + "<m a='12345678901'/>",
    over: HEADER + "<m a='123456789012'/>",
  },
  {
    name: "maxStanzaBytes covers a stanza's nested elements",
    options: { maxStanzaBytes: 30 },
    ok: HEADER + "<m><a/><b>1234567890</b></m>  ",
    over: HEADER + "<m><a/><b>12345678901234</b></m>",
  },
  {
    name: "maxDepth counts the stream header as depth 0",
    options: { maxDepth: 3 },
    ok: HEADER + "<a><b><c/></b></a>",
    over: HEADER + "<a><b><c><d/></c></b></a>",
  },
  {
    name: "maxAttributes counts namespace declarations",
    options: { maxAttributes: 3 },
    ok: HEADER + "<m xmlns='urn:a' a='1' b='2'/>",
    over: HEADER + "<m xmlns='urn:a' a='1' b='2' c='3'/>",
  },
  {
    name: "maxAttributeLength counts characters as written",
    options: { maxAttributeLength: 5 },
    ok: SHORT + "<m a='12345' b=\"1&lt;\"/>",
    over: SHORT + "<m a='1&lt;3'/>",
  },
  {
    name: "maxAttributeLength applies to the stream header",
    options: { maxAttributeLength: 40 },
    ok: HEADER,
    over:
      "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' id='01234567890123456789012345678901234567890'>",
  },
  {
    name: "maxTextLength counts merged text of one element",
    options: { maxTextLength: 6 },
    ok: HEADER + "<m>ab<![CDATA[cd]]>&amp;f<x/>123456</m>",
    over: HEADER + "<m>ab<![CDATA[cd]]>&amp;fg</m>",
  },
  {
    name: "maxNameLength bounds element names",
    options: { maxNameLength: 7 },
    ok: SHORT + "<abcdefg/>",
    over: SHORT + "<abcdefgh/>",
  },
  {
    name: "maxNameLength bounds attribute names",
    options: { maxNameLength: 7 },
    ok: SHORT + "<m abcdefg='1'/>",
    over: SHORT + "<m abcdefgh='1'/>",
  },
];

for (const c of limits) {
  Deno.test({
    name: `XmlStreamParser ${c.name}`,
    permissions: "none",
    fn() {
      equal(conditionOf(streamOutcome(c.ok, c.options)), "ok");
      equal(conditionOf(streamOutcome(c.over, c.options)), "policy-violation");
    },
  });
}

const MB = 1 << 20;

Deno.test({
  name:
    "XmlStreamParser fails on a huge stanza as soon as the limit is passed, before it ends",
  permissions: "none",
  fn() {
    const cases: [string, string][] = [
      ["text", "<message><body>"],
      ["an attribute value (limit raised)", "<message a='"],
      ["whitespace inside a start tag", "<message "],
      ["whitespace inside the stream header", ""],
      ["nested elements", "<message>"],
    ];
    for (const [name, start] of cases) {
      const parser = new XmlStreamParser({
        maxStanzaBytes: 64 * 1024,
        maxAttributeLength: 10 * MB,
      });
      parser.push(start === "" ? "<stream:stream " : HEADER + start);
      const filler = name.startsWith("whitespace")
        ? " ".repeat(16 * 1024)
        : name === "nested elements"
        ? "<a/>".repeat(4 * 1024)
        : "x".repeat(16 * 1024);
      let pushed = 0;
      const error = (() => {
        try {
          for (; pushed < 100; pushed++) parser.push(filler);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      equal(
        error instanceof XmlSyntaxError && error.condition,
        "policy-violation",
        name,
      );
      equal(
        pushed,
        3,
        `${name}: fails in the push that crosses 64 KiB`,
      );
    }
  },
});

Deno.test({
  name:
    "XmlStreamParser errors are sticky: later push() and end() throw the same error",
  permissions: "none",
  fn() {
    const parser = new XmlStreamParser();
    parser.push(HEADER);
    let first: unknown;
    try {
      parser.push("<a><!-- -->");
    } catch (e) {
      first = e;
    }
    equal((first as XmlSyntaxError).condition, "restricted-xml");
    throws(() => parser.push("<b/>"), (e) => e === first);
    throws(() => parser.push(""), (e) => e === first);
    throws(() => parser.end(), (e) => e === first);
  },
});

Deno.test({
  name:
    "XmlStreamParser push() returns exactly the events completed by that chunk",
  permissions: "none",
  fn() {
    const parser = new XmlStreamParser();
    const kinds = (chunk: string) => parser.push(chunk).map((e) => e.type);
    deepEqual(
      kinds("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'"),
      [],
    );
    deepEqual(kinds(">"), ["open"]);
    deepEqual(kinds("<a><b/>"), []);
    deepEqual(kinds("</a><c/><d"), ["element", "element"]);
    deepEqual(kinds("/></stream:stream>"), ["element", "close"]);
    deepEqual(parser.end(), []);
    throws(() => parser.push("<x/>"), TypeError);
  },
});

Deno.test({
  name:
    "XmlStreamParser reports the stream header without children and with resolved attributes",
  permissions: "none",
  fn() {
    const parser = new XmlStreamParser({
      namespaceAliases: { "jabber:component:accept": "jabber:client" },
    });
    const [open] = parser.push(
      "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' " +
        "xmlns:stream='http://etherx.jabber.org/streams' from='c.example' " +
        "id='42' version='1.0' xml:lang='en'><iq/>",
    );
    if (open.type !== "open") throw new Error("expected open");
    deepEqual(
      [
        open.header.name,
        open.header.ns,
        open.header.attrs,
        open.header.children,
      ],
      ["stream", "http://etherx.jabber.org/streams", {
        from: "c.example",
        id: "42",
        version: "1.0",
        "xml:lang": "en",
      }, []],
    );
  },
});

Deno.test({
  name:
    "XmlStreamParser with default limits accepts a 1 MiB stanza and rejects a bigger one",
  permissions: "none",
  fn() {
    const body = (n: number) => "<m>" + "y".repeat(n - 7) + "</m>";
    const ok = new XmlStreamParser();
    ok.push(HEADER);
    equal(ok.push(body(MB)).length, 1);
    const over = new XmlStreamParser({ maxTextLength: 2 * MB });
    over.push(HEADER);
    throws(
      () => over.push(body(MB + 1)),
      (e) => e instanceof XmlSyntaxError && e.condition === "policy-violation",
    );
  },
});
