// Tests for XML 1.0 serialization (W3C XML 1.0 sections 2.2-2.4) of the element model: escaping, rejection, round trips.

import { equal, throws } from "node:assert/strict";
import { el, XmlElement } from "../../src/xml/element.ts";
import {
  canonicalize,
  escapeAttr,
  escapeText,
  serialize,
  XmlSerializeError,
} from "../../src/xml/serialize.ts";
import { parseXml } from "../../src/xml/parser.ts";
import { dump } from "./_harness.ts";
import { seededRandom } from "../support/random_input.ts";

Deno.test({
  name: "escapeText() escapes & < > and CR, nothing else",
  permissions: "none",
  fn() {
    const cases: [string, string][] = [
      ["plain", "plain"],
      ["a & b", "a &amp; b"],
      ["<b>", "&lt;b&gt;"],
      ["]]>", "]]&gt;"],
      ["a\rb\r\nc", "a&#13;b&#13;\nc"],
      ["tab\tnl\nquotes\"'", "tab\tnl\nquotes\"'"],
      ["&amp;", "&amp;amp;"],
      ["é😀", "é😀"],
    ];
    for (const [input, want] of cases) equal(escapeText(input), want, input);
  },
});

Deno.test({
  name: 'escapeAttr() escapes & < > " TAB LF CR, not the apostrophe',
  permissions: "none",
  fn() {
    const cases: [string, string][] = [
      ["plain", "plain"],
      ['say "hi" & <go>', "say &quot;hi&quot; &amp; &lt;go&gt;"],
      ["a\tb\nc\rd", "a&#9;b&#10;c&#13;d"],
      ["it's", "it's"],
    ];
    for (const [input, want] of cases) equal(escapeAttr(input), want, input);
  },
});

const FORBIDDEN = [
  "\0",
  "\x01",
  "\x08",
  "\x0B",
  "\x0C",
  "\x1F",
  "\uFFFE",
  "\uFFFF",
  "\uD800",
  "\uDC00",
  "a\uD83D",
];

Deno.test({
  name: "serialize() throws on characters XML forbids, wherever they are",
  permissions: "none",
  fn() {
    for (const bad of FORBIDDEN) {
      const label = JSON.stringify(bad);
      throws(() => escapeText(bad), XmlSerializeError, label);
      throws(() => escapeAttr(bad), XmlSerializeError, label);
      throws(() => serialize(el("a", "", {}, bad)), XmlSerializeError, label);
      throws(
        () => serialize(el("a", "", { v: bad })),
        XmlSerializeError,
        label,
      );
      throws(() => serialize(el("a", "urn:" + bad)), XmlSerializeError, label);
      throws(
        () => serialize(el("a", "", { [`{urn:${bad}}x`]: "1" })),
        XmlSerializeError,
        label,
      );
    }
  },
});

Deno.test({
  name:
    "serialize() throws on names and keys that would inject markup or namespaces",
  permissions: "none",
  fn() {
    const badNames = [
      "",
      "1a",
      "-a",
      "a b",
      "a:b",
      "a>",
      'a"',
      "a/",
      "a=b",
      "x×",
      "a\u2028",
      "<a",
    ];
    for (const name of badNames) {
      throws(
        () => serialize(el(name, "")),
        XmlSerializeError,
        `element ${name}`,
      );
      throws(
        () => serialize(el("a", "", { [name]: "1" })),
        XmlSerializeError,
        `attr ${name}`,
      );
      throws(
        () => serialize(el("a", "", { [`{urn:x}${name}`]: "1" })),
        XmlSerializeError,
        `clark ${name}`,
      );
      throws(
        () => serialize(el("a", "", { [`xml:${name}`]: "1" })),
        XmlSerializeError,
        `xml:${name}`,
      );
    }
    const badKeys = [
      "xmlns",
      "{}x",
      "{http://www.w3.org/2000/xmlns/}x",
      "{urn:x",
    ];
    for (const key of badKeys) {
      throws(
        () => serialize(el("a", "jabber:client", { [key]: "evil" })),
        XmlSerializeError,
        key,
      );
    }
    throws(
      () => serialize(el("a", "http://www.w3.org/2000/xmlns/")),
      XmlSerializeError,
    );
    throws(
      () => serialize(el("a", "http://www.w3.org/XML/1998/namespace")),
      XmlSerializeError,
    );
  },
});

Deno.test({
  name: "serialize() writes xmlns only where the namespace changes",
  permissions: "none",
  fn() {
    const msg = el(
      "message",
      "jabber:client",
      { to: "a@b" },
      el("body", "jabber:client", {}, "hi"),
      el("x", "urn:x", {}, el("y", "urn:x")),
      el("none", ""),
    );
    const cases: [string, string, string][] = [
      [
        "no parentNs",
        "",
        '<message xmlns="jabber:client" to="a@b"><body>hi</body><x xmlns="urn:x"><y/></x><none xmlns=""/></message>',
      ],
      [
        "parentNs equal",
        "jabber:client",
        '<message to="a@b"><body>hi</body><x xmlns="urn:x"><y/></x><none xmlns=""/></message>',
      ],
    ];
    for (const [what, parentNs, want] of cases) {
      equal(serialize(msg, { parentNs }), want, what);
    }
  },
});

Deno.test({
  name:
    "serialize() writes xml: attributes and namespaced attributes with declared prefixes",
  permissions: "none",
  fn() {
    const element = el("a", "urn:a", {
      "xml:lang": "en",
      "{http://www.w3.org/XML/1998/namespace}space": "preserve",
      "{urn:x}k": "1",
      "{urn:odd}}y}v": "2",
    });
    const xml = serialize(element);
    equal(
      xml,
      '<a xmlns="urn:a" xml:lang="en" xml:space="preserve" xmlns:ns0="urn:x" ns0:k="1" xmlns:ns1="urn:odd}}y" ns1:v="2"/>',
    );
    equal(
      canonicalize(parseXml(xml)),
      canonicalize(element.withAttrs({
        "{http://www.w3.org/XML/1998/namespace}space": undefined,
        "xml:space": "preserve",
      })),
    );
  },
});

Deno.test({
  name:
    "canonicalize() sorts attributes and element-only children, keeps mixed content in order",
  permissions: "none",
  fn() {
    const a = el(
      "q",
      "urn:q",
      { b: "2", a: "1" },
      "\n ",
      el("z", "urn:q", { y: "1", x: "2" }),
      "\n ",
      el("m", "urn:q"),
    );
    const b = el(
      "q",
      "urn:q",
      { a: "1", b: "2" },
      el("m", "urn:q"),
      el("z", "urn:q", { x: "2", y: "1" }),
    );
    equal(canonicalize(a), canonicalize(b));
    equal(
      canonicalize(b),
      '<q xmlns="urn:q" a="1" b="2"><m/><z x="2" y="1"/></q>',
    );
    const mixed = el("p", "", {}, "b", el("i", ""), "a", "c");
    equal(canonicalize(mixed), "<p>b<i/>ac</p>");
    const reordered = el("p", "", {}, "a", el("i", ""), "bc");
    equal(canonicalize(mixed) === canonicalize(reordered), false);
  },
});

const NASTY = [
  "&",
  "<",
  ">",
  '"',
  "'",
  "\t",
  "\n",
  "\r",
  "\r\n",
  "]]>",
  "]]",
  "&amp;",
  "&lt;",
  "&#0;",
  "&#x41;",
  "<!--",
  "-->",
  "<?xml?>",
  "<![CDATA[",
  "<!DOCTYPE",
  '"/><evil xmlns="x"/>',
  "' onload='",
  "</a>",
  "xmlns=",
  " ",
  "é",
  "😀",
  "\u2028",
  "\u0085",
  "\uFEFF",
  "\uFFFD",
  "a",
  "}",
  "{",
  ":",
  "%",
  "\\",
  "\u00A0",
];

function nasty(next: () => number): string {
  let out = "";
  const n = Math.floor(next() * 8);
  for (let i = 0; i < n; i++) out += NASTY[Math.floor(next() * NASTY.length)];
  return out;
}

Deno.test({
  name:
    "serialize() has no injection: parse(serialize(x)) equals x for 2000 nasty texts, values and namespaces",
  permissions: "none",
  fn() {
    const next = seededRandom(20240601);
    for (let i = 0; i < 2000; i++) {
      const text = nasty(next);
      const value = nasty(next);
      const ns = "urn:" + nasty(next);
      const clark = `{urn:c${nasty(next)}}k`;
      const element = new XmlElement("root", ns, {
        v: value,
        "xml:lang": value,
        [clark]: value,
      }, [
        ...(text === "" ? [] : [text]),
        new XmlElement("child", "", { w: text }, []),
        new XmlElement("child", ns, {}, value === "" ? [] : [value]),
      ]);
      const xml = serialize(element);
      const back = parseXml(xml);
      equal(dump(back), dump(element), `case ${i}: ${JSON.stringify(xml)}`);
      equal(serialize(back), xml);
    }
  },
});

Deno.test({
  name: "parse, serialize and parse again gives the same element",
  permissions: "none",
  fn() {
    const documents = [
      "<message xmlns='jabber:client' to='a@b/c' type='chat' id='1'><body>Hi &amp; &lt;bye&gt;\r\n</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
      "<iq type='result' id='2'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='client' type='pc' name='A &quot;B&quot;'/><feature var='urn:xmpp:ping'/></query></iq>",
      "<p:a xmlns:p='urn:p' xmlns:q='urn:q' q:x='1' xml:lang='fr'><p:b q:y='&#9;&#10;'/><c xmlns=''>text<![CDATA[ & <raw> ]]></c></p:a>",
      "<x xmlns='jabber:x:data' type='form'><field var='a'>\n  <value>1</value>\n</field></x>",
      "<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p>a <em>b</em> c</p></body></html>",
    ];
    for (const doc of documents) {
      const first = parseXml(doc, { defaultNamespace: "jabber:client" });
      const xml = serialize(first);
      const second = parseXml(xml);
      equal(dump(second), dump(first), doc);
      equal(canonicalize(second), canonicalize(first));
    }
  },
});
