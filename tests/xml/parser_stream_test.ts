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
  /** Only as strings (lone surrogates cannot be encoded as UTF-8). */
  stringsOnly?: boolean;
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

const rejected: Case[] = [
  { name: "a comment", input: HEADER + "<!-- hi -->", error: "restricted-xml" },
  {
    name: "a comment inside a stanza",
    input: HEADER + "<m><!----></m>",
    error: "restricted-xml",
  },
  {
    name: "a processing instruction",
    input: HEADER + "<?php x?>",
    error: "restricted-xml",
  },
  {
    name: "a processing instruction before the header",
    input: "<?foo?>" + HEADER,
    error: "restricted-xml",
  },
  {
    name: "an XML declaration after whitespace",
    input: " <?xml version='1.0'?>" + HEADER,
    error: "restricted-xml",
  },
  {
    name: "an XML declaration after the header",
    input: HEADER + "<?xml version='1.0'?>",
    error: "restricted-xml",
  },
  {
    name: "an XML declaration in another encoding",
    input: "<?xml version='1.0' encoding='ISO-8859-1'?>" + HEADER,
    error: "unsupported-encoding",
  },
  {
    name: "a malformed XML declaration",
    input: "<?xml encoding='UTF-8'?>" + HEADER,
    error: "not-well-formed",
  },
  {
    name: "an XML declaration without the end",
    input: "<?xml version='1.0'" + HEADER,
    error: "not-well-formed",
  },
  {
    name: "a DOCTYPE",
    input: "<!DOCTYPE stream>" + HEADER,
    error: "restricted-xml",
  },
  {
    name: "an internal subset",
    input: "<!DOCTYPE s [<!ENTITY x 'y'>]>" + HEADER,
    error: "restricted-xml",
  },
  {
    name: "an ENTITY declaration",
    input: HEADER + "<!ENTITY x 'y'>",
    error: "restricted-xml",
  },
  {
    name: "an undeclared entity",
    input: HEADER + "<m>&nbsp;</m>",
    error: "restricted-xml",
  },
  {
    name: "an undeclared entity in an attribute",
    input: HEADER + "<m a='&copy;'/>",
    error: "restricted-xml",
  },
  {
    name: "a bare ampersand",
    input: HEADER + "<m>a & b</m>",
    error: "not-well-formed",
  },
  {
    name: "an unterminated reference",
    input: HEADER + "<m>&amp</m>",
    error: "not-well-formed",
  },
  {
    name: "an ampersand in an attribute",
    input: HEADER + "<m a='a&b'/>",
    error: "not-well-formed",
  },
  {
    name: "a reference to U+0000",
    input: HEADER + "<m>&#0;</m>",
    error: "not-well-formed",
  },
  {
    name: "a reference to a surrogate",
    input: HEADER + "<m>&#xD800;</m>",
    error: "not-well-formed",
  },
  {
    name: "a reference to U+FFFE",
    input: HEADER + "<m>&#xFFFE;</m>",
    error: "not-well-formed",
  },
  {
    name: "a reference beyond U+10FFFF",
    input: HEADER + "<m>&#x110000;</m>",
    error: "not-well-formed",
  },
  {
    name: "a reference to U+0001 in an attribute",
    input: HEADER + "<m a='&#1;'/>",
    error: "not-well-formed",
  },
  {
    name: "a malformed character reference",
    input: HEADER + "<m>&#x;</m>",
    error: "not-well-formed",
  },
  {
    name: "an uppercase X in a character reference",
    input: HEADER + "<m>&#X41;</m>",
    error: "not-well-formed",
  },
  {
    name: "a decimal reference with hex digits",
    input: HEADER + "<m>&#1F;</m>",
    error: "not-well-formed",
  },
  {
    name: "a raw control character",
    input: HEADER + "<m>\x01</m>",
    error: "not-well-formed",
  },
  {
    name: "a raw NUL between stanzas",
    input: HEADER + "\x00",
    error: "not-well-formed",
  },
  {
    name: "a raw U+FFFF",
    input: HEADER + "<m>\uFFFF</m>",
    error: "not-well-formed",
  },
  {
    name: "a raw control character in an attribute",
    input: HEADER + "<m a='\x1F'/>",
    error: "not-well-formed",
  },
  {
    name: "an unbound element prefix",
    input: HEADER + "<x:m/>",
    error: "not-well-formed",
  },
  {
    name: "an unbound attribute prefix",
    input: HEADER + "<m x:a='1'/>",
    error: "not-well-formed",
  },
  {
    name: "an unbound stream prefix",
    input: "<stream:stream xmlns='jabber:client'>",
    error: "not-well-formed",
  },
  {
    name: "a prefix used outside its scope",
    input: HEADER + "<m><a xmlns:p='urn:p'/><p:b/></m>",
    error: "not-well-formed",
  },
  {
    name: "a mismatched end tag",
    input: HEADER + "<m><b></m></b>",
    error: "not-well-formed",
  },
  {
    name: "an end tag with another prefix",
    input: HEADER + "<m xmlns:a='u' xmlns:b='u'><a:x></b:x></m>",
    error: "not-well-formed",
  },
  {
    name: "an end tag before any start tag",
    input: "</a>",
    error: "not-well-formed",
  },
  {
    name: "a duplicate attribute",
    input: HEADER + "<m a='1' a='2'/>",
    error: "not-well-formed",
  },
  {
    name: "a duplicate attribute after prefix resolution",
    input: HEADER + "<m xmlns:a='u' xmlns:b='u' a:x='1' b:x='2'/>",
    error: "not-well-formed",
  },
  {
    name: "a duplicate xml:lang",
    input: HEADER + "<m xml:lang='en' xml:lang='de'/>",
    error: "not-well-formed",
  },
  {
    name: "a duplicate namespace declaration",
    input: HEADER + "<m xmlns:a='u' xmlns:a='v'/>",
    error: "not-well-formed",
  },
  {
    name: "< in an attribute value",
    input: HEADER + "<m a='<'/>",
    error: "not-well-formed",
  },
  {
    name: "an unquoted attribute value",
    input: HEADER + "<m a=1/>",
    error: "not-well-formed",
  },
  {
    name: "an attribute without a value",
    input: HEADER + "<m a/>",
    error: "not-well-formed",
  },
  {
    name: "attributes without whitespace between them",
    input: HEADER + "<m a='1'b='2'/>",
    error: "not-well-formed",
  },
  {
    name: "a name starting with a digit",
    input: HEADER + "<1m/>",
    error: "not-well-formed",
  },
  {
    name: "a name starting with a hyphen",
    input: HEADER + "<-m/>",
    error: "not-well-formed",
  },
  {
    name: "an attribute name starting with a digit",
    input: HEADER + "<m 1a='x'/>",
    error: "not-well-formed",
  },
  {
    name: "a name with a forbidden non-ASCII character",
    input: HEADER + "<m×/>",
    error: "not-well-formed",
  },
  {
    name: "a space after <",
    input: HEADER + "< m/>",
    error: "not-well-formed",
  },
  {
    name: "an empty end tag",
    input: HEADER + "<m></>",
    error: "not-well-formed",
  },
  {
    name: "a name with two colons",
    input: HEADER + "<a:b:c xmlns:a='u'/>",
    error: "not-well-formed",
  },
  {
    name: "a name ending with a colon",
    input: HEADER + "<m: />",
    error: "not-well-formed",
  },
  {
    name: "the xmlns prefix on an element",
    input: HEADER + "<xmlns:m/>",
    error: "not-well-formed",
  },
  {
    name: "a declaration of the xmlns prefix",
    input: HEADER + "<m xmlns:xmlns='u'/>",
    error: "not-well-formed",
  },
  {
    name: "the xml prefix bound elsewhere",
    input: HEADER + "<m xmlns:xml='urn:x'/>",
    error: "not-well-formed",
  },
  {
    name: "another prefix bound to the XML namespace",
    input: HEADER + "<m xmlns:x='http://www.w3.org/XML/1998/namespace'/>",
    error: "not-well-formed",
  },
  {
    name: "an undeclared prefix (xmlns:p='')",
    input: HEADER + "<m xmlns:p=''/>",
    error: "not-well-formed",
  },
  {
    name: "]]> in text",
    input: HEADER + "<m>a]]>b</m>",
    error: "not-well-formed",
  },
  {
    name: "CDATA outside a stanza",
    input: HEADER + "<![CDATA[x]]>",
    error: "bad-format",
  },
  {
    name: "a malformed CDATA opener",
    input: HEADER + "<m><![CDAT[x]]></m>",
    error: "not-well-formed",
  },
  {
    name: "a lone <! sequence",
    input: HEADER + "<m><!x></m>",
    error: "not-well-formed",
  },
  {
    name: "text before the header",
    input: "hello" + HEADER,
    error: "not-well-formed",
  },
  {
    name: "text between stanzas",
    input: HEADER + "hello",
    error: "bad-format",
  },
  {
    name: "a reference before the header",
    input: "&amp;" + HEADER,
    error: "not-well-formed",
  },
  {
    name: "an element after the close",
    input: HEADER + "</stream:stream><m/>",
    error: "not-well-formed",
  },
  {
    name: "text after the close",
    input: HEADER + "</stream:stream>x",
    error: "not-well-formed",
  },
  {
    name: "a second header after the close",
    input: HEADER + "</stream:stream>" + HEADER,
    error: "not-well-formed",
  },
  {
    name: "an unclosed stanza at the end",
    input: HEADER + "<m><b>",
    error: "not-well-formed",
  },
  {
    name: "an unfinished tag at the end",
    input: HEADER + "<m a='1'",
    error: "not-well-formed",
  },
  {
    name: "an unfinished CDATA section at the end",
    input: HEADER + "<m><![CDATA[x",
    error: "not-well-formed",
  },
  {
    name: "an unfinished reference at the end",
    input: HEADER + "<m>&am",
    error: "not-well-formed",
  },
  {
    name: "a lone high surrogate",
    input: HEADER + "<m>\uD83D</m>",
    error: "not-well-formed",
    stringsOnly: true,
  },
  {
    name: "a lone low surrogate",
    input: HEADER + "<m>\uDE00</m>",
    error: "not-well-formed",
    stringsOnly: true,
  },
  {
    name: "a lone high surrogate at the end",
    input: HEADER + "\uD83D",
    error: "not-well-formed",
    stringsOnly: true,
  },
  {
    name: "a BOM that is not at the start",
    input: " \uFEFF" + HEADER,
    error: "not-well-formed",
  },
];

for (const c of rejected) {
  Deno.test({
    name: `XmlStreamParser rejects ${c.name} (${c.error})`,
    permissions: "none",
    fn() {
      equal(
        conditionOf(streamOutcome(c.input, c.options, c.stringsOnly)),
        c.error,
      );
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
