// Tests for the RFC 6120 section 11 stream parser: every case fed whole, split at every offset, and piece by piece.

import { deepEqual, equal, throws } from "node:assert/strict";
import { XmlStreamParser } from "../../src/xml/parser.ts";
import { XmlSyntaxError } from "../../src/xml/errors.ts";
import { conditionOf, streamOutcome } from "./_harness.ts";
import type { XmlParserOptions } from "../../src/xml/parser.ts";

const STREAMS = "http://etherx.jabber.org/streams";
const HEADER = `<stream:stream xmlns='jabber:component:accept' ` +
  `xmlns:stream='${STREAMS}' to='x.example' id='s1' version='1.0' xml:lang='en'>`;
const OPEN =
  `open <stream xmlns="${STREAMS}" to="x.example" id="s1" version="1.0" xml:lang="en"/>`;
const CC = "jabber:component:accept";

interface Case {
  name: string;
  input: string;
  events?: string[];
  error?: string;
  options?: XmlParserOptions;
}

const accepted: Case[] = [
  {
    name: "reports the header, one stanza and the close",
    input: HEADER +
      "<message to='a@b'><body>hi</body></message></stream:stream>",
    events: [
      OPEN,
      `<message xmlns="${CC}" to="a@b"><body>hi</body></message>`,
      "close",
    ],
  },
  {
    name: "accepts an XML declaration at the very start",
    input: "<?xml version='1.0' encoding='UTF-8'?>" + HEADER,
    events: [OPEN],
  },
  {
    name: "accepts an XML declaration with double quotes and standalone",
    input: '<?xml version="1.0" encoding="utf-8" standalone="yes" ?>\n' +
      HEADER,
    events: [OPEN],
  },
  {
    name: "skips a byte order mark",
    input: "\uFEFF" + HEADER,
    events: [OPEN],
  },
  {
    name: "skips a byte order mark before the XML declaration",
    input: "\uFEFF<?xml version='1.0'?>" + HEADER,
    events: [OPEN],
  },
  {
    name: "drops whitespace between stanzas",
    input: HEADER + " \n\t<iq type='get' id='1'/>\r\n <presence/>  ",
    events: [
      OPEN,
      `<iq xmlns="${CC}" type="get" id="1"/>`,
      `<presence xmlns="${CC}"/>`,
    ],
  },
  {
    name: "keeps whitespace inside a stanza",
    input: HEADER + "<message>\n  <body> a </body>\n</message>",
    events: [OPEN, `<message xmlns="${CC}">\n  <body> a </body>\n</message>`],
  },
  {
    name: "decodes multi-byte UTF-8 split anywhere",
    input: HEADER + "<message><body>é😀漢字 ünï</body></message>",
    events: [OPEN, `<message xmlns="${CC}"><body>é😀漢字 ünï</body></message>`],
  },
  {
    name: "decodes the five entities and character references",
    input: HEADER +
      "<m a='&lt;&gt;&amp;&quot;&apos;&#65;&#x1F600;'>&lt;&gt;&amp;&quot;&apos;&#x41;&#128512;</m>",
    events: [
      OPEN,
      `<m xmlns="${CC}" a="&lt;&gt;&amp;&quot;'A😀">&lt;&gt;&amp;"'A😀</m>`,
    ],
  },
  {
    name: "turns CDATA sections into text",
    input: HEADER + "<m><![CDATA[<b>&amp;]]]]><![CDATA[>]]>x</m>",
    events: [OPEN, `<m xmlns="${CC}">&lt;b&gt;&amp;amp;]]&gt;x</m>`],
  },
  {
    name: "normalizes line ends in text and CDATA",
    input: HEADER + "<m>a\r\nb\rc\n<![CDATA[d\r\ne]]>&#13;</m>",
    events: [OPEN, `<m xmlns="${CC}">a\nb\nc\nd\ne&#13;</m>`],
  },
  {
    name: "normalizes whitespace in attribute values but keeps references",
    input: HEADER + "<m a='x\ty\r\nz\rw&#9;&#10;&#13;'/>",
    events: [OPEN, `<m xmlns="${CC}" a="x y z w&#9;&#10;&#13;"/>`],
  },
  {
    name: "allows > and ]]> in attribute values",
    input: HEADER + "<m a=']]>' b=\"'\" c='\"'/>",
    events: [OPEN, `<m xmlns="${CC}" a="]]&gt;" b="'" c="&quot;"/>`],
  },
  {
    name: "allows whitespace around = and before >",
    input: HEADER + "<m a = ' 1 ' \n b\t=\"2\"  ></m  >",
    events: [OPEN, `<m xmlns="${CC}" a=" 1 " b="2"/>`],
  },
  {
    name: "reports a self-closing stream header as open and close",
    input: `<stream:stream xmlns:stream='${STREAMS}'/>`,
    events: [`open <stream xmlns="${STREAMS}"/>`, "close"],
  },
  {
    name: "accepts whitespace after the close",
    input: HEADER + "</stream:stream> \n",
    events: [OPEN, "close"],
  },
  {
    name: "does not fail at end() while the stream is still open",
    input: HEADER + "<a/>",
    events: [OPEN, `<a xmlns="${CC}"/>`],
  },
  {
    name: "accepts non-ASCII names",
    input: HEADER + "<ünï xmlns='urn:x' ké='v'><日本/></ünï>",
    events: [OPEN, `<ünï xmlns="urn:x" ké="v"><日本/></ünï>`],
  },
  {
    name: "renames aliased namespaces",
    input: HEADER +
      "<message xmlns:c='jabber:component:accept'><c:x/></message>",
    options: {
      namespaceAliases: { "jabber:component:accept": "jabber:client" },
    },
    events: [
      OPEN,
      `<message xmlns="jabber:client"><x/></message>`,
    ],
  },
];

for (const c of accepted) {
  Deno.test({
    name: `XmlStreamParser ${c.name}`,
    permissions: "none",
    fn() {
      const result = streamOutcome(c.input, c.options);
      deepEqual(result, { events: c.events });
    },
  });
}

Deno.test({
  name:
    "XmlStreamParser bounds the stream header to 64 KiB whatever maxStanzaBytes is",
  permissions: "none",
  fn() {
    const options = { maxStanzaBytes: 10 };
    const padded = (n: number) =>
      "<s:s xmlns:s='u:s'" + " ".repeat(n - 19) + ">";
    equal(conditionOf(streamOutcome(HEADER, options)), "ok");
    const parser = new XmlStreamParser(options);
    equal(parser.push(padded(64 * 1024)).length, 1);
    throws(
      () => new XmlStreamParser(options).push(padded(64 * 1024 + 1)),
      (e) => e instanceof XmlSyntaxError && e.condition === "policy-violation",
    );
  },
});

Deno.test({
  name:
    "XmlStreamParser rejects a prefixed name whose local part starts with a combining mark",
  permissions: "none",
  fn() {
    equal(
      conditionOf(streamOutcome(HEADER + "<x:\u0300a xmlns:x='urn:x'/>")),
      "not-well-formed",
    );
    equal(
      conditionOf(streamOutcome(HEADER + "<x:é\u0300 xmlns:x='urn:x'/>")),
      "ok",
    );
  },
});
