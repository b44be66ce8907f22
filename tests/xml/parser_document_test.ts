// Tests for parseXml (RFC 6120 section 11 restricted XML, one root element): namespaces, options and rejected documents.

import { deepEqual, equal } from "node:assert/strict";
import { parseXml } from "../../src/xml/parser.ts";
import { XmlElement } from "../../src/xml/element.ts";
import { XmlSyntaxError } from "../../src/xml/errors.ts";
import { conditionOf, documentOutcome, dump } from "./_harness.ts";
import type { ParseXmlOptions } from "../../src/xml/parser.ts";

const XML_NS = "http://www.w3.org/XML/1998/namespace";

interface Case {
  name: string;
  input: string;
  options?: ParseXmlOptions;
  /** Expected element as built with the element model. */
  want?: XmlElement;
  error?: string;
}

const E = (
  name: string,
  ns: string,
  attrs: Record<string, string> = {},
  children: (XmlElement | string)[] = [],
) => new XmlElement(name, ns, attrs, children);

const accepted: Case[] = [
  {
    name: "an element without namespace",
    input: "<a/>",
    want: E("a", ""),
  },
  {
    name: "whitespace around the root",
    input: " \r\n\t<a/>\n ",
    want: E("a", ""),
  },
  {
    name: "the default namespace option applied to the root and its children",
    input: "<message to='a@b'><body>hi</body></message>",
    options: { defaultNamespace: "jabber:client" },
    want: E("message", "jabber:client", { to: "a@b" }, [
      E("body", "jabber:client", {}, ["hi"]),
    ]),
  },
  {
    name: "an explicit xmlns overriding the default namespace option",
    input:
      "<iq xmlns='jabber:server'><query xmlns='urn:q'><item/></query></iq>",
    options: { defaultNamespace: "jabber:client" },
    want: E("iq", "jabber:server", {}, [
      E("query", "urn:q", {}, [E("item", "urn:q")]),
    ]),
  },
  {
    name: "xmlns='' undeclaring the default namespace",
    input: "<a xmlns='urn:a'><b xmlns=''><c/></b></a>",
    want: E("a", "urn:a", {}, [E("b", "", {}, [E("c", "")])]),
  },
  {
    name: "prefixed elements, scoped and redeclared",
    input: "<p:a xmlns:p='urn:1'><p:b xmlns:p='urn:2'/><p:c/></p:a>",
    want: E("a", "urn:1", {}, [E("b", "urn:2"), E("c", "urn:1")]),
  },
  {
    name:
      "a prefixed element inside a default namespace keeps the default for children",
    input: "<a xmlns='urn:d' xmlns:x='urn:x'><x:b><c/></x:b></a>",
    want: E("a", "urn:d", {}, [E("b", "urn:x", {}, [E("c", "urn:d")])]),
  },
  {
    name: "unprefixed attributes without namespace, declarations not stored",
    input: "<a xmlns='urn:d' xmlns:x='urn:x' id='1' x:id='2' xml:lang='en'/>",
    want: E("a", "urn:d", { id: "1", "{urn:x}id": "2", "xml:lang": "en" }),
  },
  {
    name: "the xml prefix pre-bound, also when declared explicitly",
    input: `<a xmlns:xml='${XML_NS}' xml:space='preserve' xml:lang='de'/>`,
    want: E("a", "", { "xml:space": "preserve", "xml:lang": "de" }),
  },
  {
    name: "a stream-prefixed element",
    input:
      "<stream:error xmlns:stream='http://etherx.jabber.org/streams'><x xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
    want: E("error", "http://etherx.jabber.org/streams", {}, [
      E("x", "urn:ietf:params:xml:ns:xmpp-streams"),
    ]),
  },
  {
    name: "namespace aliases on default, prefixed and option namespaces",
    input:
      "<message xmlns:c='jabber:component:accept' c:x='1'><c:body/><b xmlns='jabber:component:accept'/></message>",
    options: {
      defaultNamespace: "jabber:component:accept",
      namespaceAliases: { "jabber:component:accept": "jabber:client" },
    },
    want: E("message", "jabber:client", { "{jabber:client}x": "1" }, [
      E("body", "jabber:client"),
      E("b", "jabber:client"),
    ]),
  },
  {
    name: "text, references and CDATA merged into one string",
    input: "<a>x&amp;y<![CDATA[<z>]]>&#33;w</a>",
    want: E("a", "", {}, ["x&y<z>!w"]),
  },
  {
    name: "whitespace-only text between children kept",
    input: "<a>\n  <b/>\n  <c/>\n</a>",
    want: E("a", "", {}, ["\n  ", E("b", ""), "\n  ", E("c", ""), "\n"]),
  },
  {
    name: "an empty CDATA section adds no text",
    input: "<a><![CDATA[]]></a>",
    want: E("a", "", {}, []),
  },
  {
    name: "mixed content in order",
    input: "<p>a<b>b</b>c<i/>d</p>",
    want: E("p", "", {}, ["a", E("b", "", {}, ["b"]), "c", E("i", ""), "d"]),
  },
  {
    name: "an attribute named __proto__ as an own property",
    input: "<a __proto__='x' constructor='y'/>",
    want: new XmlElement(
      "a",
      "",
      JSON.parse('{"__proto__":"x","constructor":"y"}'),
    ),
  },
  {
    name: "an XML declaration when allowed",
    input: "<?xml version='1.0' encoding='UTF-8'?>\n<a/>",
    options: { allowXmlDeclaration: true },
    want: E("a", ""),
  },
  {
    name: "a byte order mark",
    input: "\uFEFF<a/>",
    want: E("a", ""),
  },
];

for (const c of accepted) {
  Deno.test({
    name: `parseXml() accepts ${c.name}`,
    permissions: "none",
    fn() {
      equal(conditionOf(documentOutcome(c.input, c.options)), "ok");
      equal(dump(parseXml(c.input, c.options)), dump(c.want!));
    },
  });
}

const rejected: Case[] = [
  { name: "empty input", input: "", error: "not-well-formed" },
  { name: "whitespace only", input: " \n", error: "not-well-formed" },
  { name: "text only", input: "hello", error: "not-well-formed" },
  { name: "trailing text", input: "<a/>x", error: "not-well-formed" },
  {
    name: "a trailing reference",
    input: "<a/>&amp;",
    error: "not-well-formed",
  },
  {
    name: "trailing CDATA",
    input: "<a/><![CDATA[ ]]>",
    error: "not-well-formed",
  },
  { name: "a second root", input: "<a/><b/>", error: "not-well-formed" },
  {
    name: "a second root after whitespace",
    input: "<a></a>\n<a></a>",
    error: "not-well-formed",
  },
  { name: "a trailing end tag", input: "<a/></a>", error: "not-well-formed" },
  { name: "an unclosed root", input: "<a><b/>", error: "not-well-formed" },
  { name: "an unclosed start tag", input: "<a", error: "not-well-formed" },
  {
    name: "an XML declaration by default",
    input: "<?xml version='1.0'?><a/>",
    error: "restricted-xml",
  },
  {
    name: "an XML declaration in another encoding",
    input: "<?xml version='1.0' encoding='latin1'?><a/>",
    options: { allowXmlDeclaration: true },
    error: "unsupported-encoding",
  },
  {
    name: "an XML declaration with version 2.0",
    input: "<?xml version='2.0'?><a/>",
    options: { allowXmlDeclaration: true },
    error: "not-well-formed",
  },
  {
    name: "a comment after the root",
    input: "<a/><!-- c -->",
    error: "restricted-xml",
  },
  {
    name: "a processing instruction inside the root",
    input: "<a><?pi x?></a>",
    error: "restricted-xml",
  },
  {
    name: "a DOCTYPE",
    input: "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
    error: "restricted-xml",
  },
  {
    name: "an unbound prefix",
    input: "<a><p:b/></a>",
    error: "not-well-formed",
  },
  {
    name: "an undeclared entity",
    input: "<a>&lt;&bogus;</a>",
    error: "restricted-xml",
  },
  {
    name: "a default namespace bound to the xmlns namespace",
    input: "<a xmlns='http://www.w3.org/2000/xmlns/'/>",
    error: "not-well-formed",
  },
  {
    name:
      "an element named with the xml prefix but unknown local part resolved fine, but xmlns:a='' rejected",
    input: "<a xmlns:a=''/>",
    error: "not-well-formed",
  },
];

for (const c of rejected) {
  Deno.test({
    name: `parseXml() rejects ${c.name} (${c.error})`,
    permissions: "none",
    fn() {
      equal(conditionOf(documentOutcome(c.input, c.options)), c.error);
    },
  });
}

Deno.test({
  name:
    "parseXml() errors are XmlSyntaxError (a SyntaxError) with std-like message and position",
  permissions: "none",
  fn() {
    const e = catchError(() => parseXml("<a>\n  <b></a>"));
    equal(e instanceof SyntaxError, true);
    equal(e.name, "XmlSyntaxError");
    deepEqual(
      [e.condition, e.line, e.column, e.offset, e.message],
      [
        "not-well-formed",
        2,
        6,
        9,
        'Cannot parse XML: unexpected end tag "a", expected "b" at 2:6',
      ],
    );
  },
});

Deno.test({
  name:
    "parseXml() counts offsets in bytes for byte input and in UTF-16 units for strings",
  permissions: "none",
  fn() {
    const input = "<a>é😀<b></a>";
    const fromString = catchError(() => parseXml(input));
    const fromBytes = catchError(() =>
      parseXml(new TextEncoder().encode(input))
    );
    deepEqual([fromString.column, fromString.offset], [9, 9]);
    deepEqual([fromBytes.column, fromBytes.offset], [9, 12]);
  },
});

function catchError(fn: () => unknown): XmlSyntaxError {
  try {
    fn();
  } catch (error) {
    if (error instanceof XmlSyntaxError) return error;
    throw error;
  }
  throw new Error("expected an XmlSyntaxError");
}

Deno.test({
  name: "parseXml() rejects invalid UTF-8 at the offending byte",
  permissions: "none",
  fn() {
    const cases: [string, number[], number][] = [
      ["a lone continuation byte", [
        0x3c,
        0x61,
        0x3e,
        0x80,
        0x3c,
        0x2f,
        0x61,
        0x3e,
      ], 3],
      ["an overlong encoding", [
        0x3c,
        0x61,
        0x3e,
        0xc0,
        0xaf,
        0x3c,
        0x2f,
        0x61,
        0x3e,
      ], 3],
      ["an encoded surrogate", [
        0x3c,
        0x61,
        0x3e,
        0xed,
        0xa0,
        0x80,
        0x3c,
        0x2f,
        0x61,
        0x3e,
      ], 3],
      ["a truncated sequence", [
        0x3c,
        0x61,
        0x3e,
        0x78,
        0xe2,
        0x82,
        0x3c,
        0x2f,
        0x61,
        0x3e,
      ], 4],
      ["a code point above U+10FFFF", [
        0x3c,
        0x61,
        0x3e,
        0xf4,
        0x90,
        0x80,
        0x80,
        0x3c,
        0x2f,
        0x61,
        0x3e,
      ], 3],
      ["an incomplete sequence at the end", [
        0x3c,
        0x61,
        0x2f,
        0x3e,
        0xe2,
        0x82,
      ], 4],
    ];
    for (const [name, bytes, offset] of cases) {
      const error = catchError(() => parseXml(new Uint8Array(bytes)));
      deepEqual(
        [error.condition, error.offset],
        ["not-well-formed", offset],
        name,
      );
    }
  },
});
