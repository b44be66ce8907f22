// Tests for what the RFC 6120 section 11 stream parser rejects, with the stream-error condition, in every chunking.

import { equal } from "node:assert/strict";
import { conditionOf, streamOutcome } from "./_harness.ts";

const STREAMS = "http://etherx.jabber.org/streams";
const HEADER = `<stream:stream xmlns='jabber:component:accept' ` +
  `xmlns:stream='${STREAMS}' to='x.example' id='s1' version='1.0' xml:lang='en'>`;

/** [what, input] pairs; names read "rejects <what>". */
type Cases = [string, string][];

const restrictedXml: Cases = [
  ["a comment", HEADER + "<!-- hi -->"],
  ["a comment inside a stanza", HEADER + "<m><!----></m>"],
  ["a processing instruction", HEADER + "<?php x?>"],
  ["a processing instruction before the header", "<?foo?>" + HEADER],
  ["an XML declaration after whitespace", " <?xml version='1.0'?>" + HEADER],
  ["an XML declaration after the header", HEADER + "<?xml version='1.0'?>"],
  ["a DOCTYPE", "<!DOCTYPE stream>" + HEADER],
  ["an internal subset", "<!DOCTYPE s [<!ENTITY x 'y'>]>" + HEADER],
  ["an ENTITY declaration", HEADER + "<!ENTITY x 'y'>"],
  ["an undeclared entity", HEADER + "<m>&nbsp;</m>"],
  ["an undeclared entity in an attribute", HEADER + "<m a='&copy;'/>"],
];

const unsupportedEncoding: Cases = [
  [
    "an XML declaration in another encoding",
    "<?xml version='1.0' encoding='ISO-8859-1'?>" + HEADER,
  ],
];

const notWellFormed: Cases = [
  ["a malformed XML declaration", "<?xml encoding='UTF-8'?>" + HEADER],
  ["an XML declaration without the end", "<?xml version='1.0'" + HEADER],
  ["a bare ampersand", HEADER + "<m>a & b</m>"],
  ["an unterminated reference", HEADER + "<m>&amp</m>"],
  ["an ampersand in an attribute", HEADER + "<m a='a&b'/>"],
  ["a reference to U+0000", HEADER + "<m>&#0;</m>"],
  ["a reference to a surrogate", HEADER + "<m>&#xD800;</m>"],
  ["a reference to U+FFFE", HEADER + "<m>&#xFFFE;</m>"],
  ["a reference beyond U+10FFFF", HEADER + "<m>&#x110000;</m>"],
  ["a reference to U+0001 in an attribute", HEADER + "<m a='&#1;'/>"],
  ["a malformed character reference", HEADER + "<m>&#x;</m>"],
  ["an uppercase X in a character reference", HEADER + "<m>&#X41;</m>"],
  ["a decimal reference with hex digits", HEADER + "<m>&#1F;</m>"],
  ["a raw control character", HEADER + "<m>\x01</m>"],
  ["a raw NUL between stanzas", HEADER + "\x00"],
  ["a raw U+FFFF", HEADER + "<m>\uFFFF</m>"],
  ["a raw control character in an attribute", HEADER + "<m a='\x1F'/>"],
  ["an unbound element prefix", HEADER + "<x:m/>"],
  ["an unbound attribute prefix", HEADER + "<m x:a='1'/>"],
  ["an unbound stream prefix", "<stream:stream xmlns='jabber:client'>"],
  [
    "a prefix used outside its scope",
    HEADER + "<m><a xmlns:p='urn:p'/><p:b/></m>",
  ],
  ["a mismatched end tag", HEADER + "<m><b></m></b>"],
  [
    "an end tag with another prefix",
    HEADER + "<m xmlns:a='u' xmlns:b='u'><a:x></b:x></m>",
  ],
  ["an end tag before any start tag", "</a>"],
  ["text before the header that holds a ]]>", "s ]]> x" + HEADER],
  ["a duplicate attribute", HEADER + "<m a='1' a='2'/>"],
  [
    "a duplicate attribute after prefix resolution",
    HEADER + "<m xmlns:a='u' xmlns:b='u' a:x='1' b:x='2'/>",
  ],
  ["a duplicate xml:lang", HEADER + "<m xml:lang='en' xml:lang='de'/>"],
  [
    "a duplicate namespace declaration",
    HEADER + "<m xmlns:a='u' xmlns:a='v'/>",
  ],
  ["< in an attribute value", HEADER + "<m a='<'/>"],
  ["an unquoted attribute value", HEADER + "<m a=1/>"],
  ["an attribute without a value", HEADER + "<m a/>"],
  ["attributes without whitespace between them", HEADER + "<m a='1'b='2'/>"],
  ["a name starting with a digit", HEADER + "<1m/>"],
  ["a name starting with a hyphen", HEADER + "<-m/>"],
  ["an attribute name starting with a digit", HEADER + "<m 1a='x'/>"],
  ["a name with a forbidden non-ASCII character", HEADER + "<m×/>"],
  ["a space after <", HEADER + "< m/>"],
  ["an empty end tag", HEADER + "<m></>"],
  ["a name with two colons", HEADER + "<a:b:c xmlns:a='u'/>"],
  ["a name ending with a colon", HEADER + "<m: />"],
  ["the xmlns prefix on an element", HEADER + "<xmlns:m/>"],
  ["a declaration of the xmlns prefix", HEADER + "<m xmlns:xmlns='u'/>"],
  ["the xml prefix bound elsewhere", HEADER + "<m xmlns:xml='urn:x'/>"],
  [
    "another prefix bound to the XML namespace",
    HEADER + "<m xmlns:x='http://www.w3.org/XML/1998/namespace'/>",
  ],
  ["an undeclared prefix (xmlns:p='')", HEADER + "<m xmlns:p=''/>"],
  ["]]> in text", HEADER + "<m>a]]>b</m>"],
  ["a malformed CDATA opener", HEADER + "<m><![CDAT[x]]></m>"],
  ["a lone <! sequence", HEADER + "<m><!x></m>"],
  ["text before the header", "hello" + HEADER],
  ["a reference before the header", "&amp;" + HEADER],
  ["an element after the close", HEADER + "</stream:stream><m/>"],
  ["text after the close", HEADER + "</stream:stream>x"],
  ["a second header after the close", HEADER + "</stream:stream>" + HEADER],
  ["an unclosed stanza at the end", HEADER + "<m><b>"],
  ["an unfinished tag at the end", HEADER + "<m a='1'"],
  ["an unfinished CDATA section at the end", HEADER + "<m><![CDATA[x"],
  ["an unfinished reference at the end", HEADER + "<m>&am"],
  ["a lone high surrogate", HEADER + "<m>\uD83D</m>"],
  ["a lone low surrogate", HEADER + "<m>\uDE00</m>"],
  ["a lone high surrogate at the end", HEADER + "\uD83D"],
  ["a BOM that is not at the start", " \uFEFF" + HEADER],
];

const badFormat: Cases = [
  ["CDATA outside a stanza", HEADER + "<![CDATA[x]]>"],
  ["text between stanzas", HEADER + "hello"],
];

/** Inputs UTF-8 cannot encode (lone surrogates): fed as strings only. */
const STRINGS_ONLY = new Set([
  "a lone high surrogate",
  "a lone low surrogate",
  "a lone high surrogate at the end",
]);

const tables: [string, Cases][] = [
  ["restricted-xml", restrictedXml],
  ["unsupported-encoding", unsupportedEncoding],
  ["not-well-formed", notWellFormed],
  ["bad-format", badFormat],
];

for (const [condition, cases] of tables) {
  for (const [what, input] of cases) {
    Deno.test({
      name: `XmlStreamParser rejects ${what} (${condition})`,
      permissions: "none",
      fn() {
        const result = streamOutcome(input, {}, STRINGS_ONLY.has(what));
        equal(conditionOf(result), condition);
      },
    });
  }
}
