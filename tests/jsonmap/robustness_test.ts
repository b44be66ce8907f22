// JSON mapping robustness (README "Differences from mod_rest"): arbitrary input fails only with JsonMappingError, never a crash.

import assert from "node:assert/strict";
import { XmlElement } from "../../src/xml/element.ts";
import { serialize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { CODECS } from "../../src/jsonmap/registry.ts";
import {
  JsonMappingError,
  jsonToStanza,
  stanzaToJson,
} from "../../src/jsonmap/mod.ts";
import { pick, randomJson, seededRandom } from "../support/random_input.ts";

const STRINGS = [
  "",
  "x",
  "a@example.org",
  "A@Example.ORG/Res",
  "a@@b",
  "<body><p>x</p></body>",
  "<body><p>x</body>",
  "</html><evil/>",
  "&amp;",
  "1",
  "0",
  "true",
  "-5",
  "chat",
  "get",
  "set",
  "error",
  "available",
  "active",
  "away",
  "item-not-found",
  "cancel",
  "\u0000",
  "\ud800",
  "\ufffe",
  "😀",
  "__proto__",
];
const SUB_KEYS = [
  "id",
  "parent",
  "url",
  "desc",
  "reactions",
  "to",
  "by",
  "type",
  "uri",
  "begin",
  "end",
  "jid",
  "continue",
  "queryid",
  "forward",
  "message",
  "delay",
  "history",
  "maxstanzas",
  "since",
  "photo",
  "ver",
  "datatype",
  "data",
  "condition",
  "text",
  "body",
  "forwarded",
];

/** Mapping-relevant strings as values, the codecs' sub-keys as object keys. */
const ALPHABET = {
  strings: STRINGS,
  numbers: [0, 1, -1, 1.5, 128, -129, 2 ** 60, NaN],
  keys: SUB_KEYS,
};

const TOP_KEYS = [
  ...new Set([
    ...CODECS.map((c) => c.key),
    "kind",
    "type",
    "to",
    "from",
    "id",
    "lang",
    "error",
    "error_code",
  ]),
];

Deno.test({
  name:
    "jsonToStanza() on 5000 random objects either throws JsonMappingError or builds a stanza whose JSON maps back",
  permissions: "none",
  fn() {
    const next = seededRandom(20240601);
    let mapped = 0;
    for (let i = 0; i < 5000; i++) {
      const input: Record<string, unknown> = {};
      for (let k = 1 + Math.floor(next() * 4); k > 0; k--) {
        input[pick(TOP_KEYS, next)] = randomJson(next, ALPHABET);
      }
      for (const coerce of [false, true]) {
        let stanza;
        try {
          stanza = jsonToStanza(input, { coerce });
        } catch (error) {
          if (error instanceof JsonMappingError) continue;
          assert.fail(`${JSON.stringify(input)} (coerce ${coerce}): ${error}`);
        }
        mapped++;
        // What we build serializes, maps to JSON, and that JSON is accepted.
        serialize(stanza, { parentNs: NS.client });
        jsonToStanza(stanzaToJson(stanza));
      }
    }
    assert.ok(mapped > 500, `only ${mapped} inputs mapped`);
  },
});

/** Elements the mapping knows, with random attributes and text below. */
const ELEMENTS: readonly [string, string][] = [
  ["body", NS.client],
  ["subject", NS.client],
  ["thread", NS.client],
  ["show", NS.client],
  ["status", NS.client],
  ["priority", NS.client],
  ["error", NS.client],
  ["active", "http://jabber.org/protocol/chatstates"],
  ["html", "http://jabber.org/protocol/xhtml-im"],
  ["body", "http://www.w3.org/1999/xhtml"],
  ["x", "jabber:x:oob"],
  ["url", "jabber:x:oob"],
  ["replace", "urn:xmpp:message-correct:0"],
  ["reactions", "urn:xmpp:reactions:0"],
  ["reaction", "urn:xmpp:reactions:0"],
  ["reply", "urn:xmpp:reply:0"],
  ["stanza-id", "urn:xmpp:sid:0"],
  ["reference", "urn:xmpp:reference:0"],
  ["x", "jabber:x:conference"],
  ["result", "urn:xmpp:mam:2"],
  ["forwarded", "urn:xmpp:forward:0"],
  ["delay", "urn:xmpp:delay"],
  ["message", NS.client],
  ["c", "http://jabber.org/protocol/caps"],
  ["x", "vcard-temp:x:update"],
  ["photo", "vcard-temp:x:update"],
  ["x", "http://jabber.org/protocol/muc"],
  ["history", "http://jabber.org/protocol/muc"],
  ["payload", "urn:xmpp:json-msg:0"],
  ["nick", "http://jabber.org/protocol/nick"],
  ["query", "jabber:iq:version"],
  ["query", "http://jabber.org/protocol/disco#info"],
  ["x", "jabber:x:data"],
  ["field", "jabber:x:data"],
  ["set", "http://jabber.org/protocol/rsm"],
  ["item-not-found", "urn:ietf:params:xml:ns:xmpp-stanzas"],
];
// Parsed XML never holds characters XML forbids.
const XML_STRINGS = STRINGS.filter((s) =>
  !["\u0000", "\ud800", "\ufffe"].includes(s)
);
const ATTRS = [
  "id",
  "to",
  "by",
  "type",
  "parent",
  "stamp",
  "begin",
  "end",
  "continue",
  "var",
  "maxstanzas",
  "jid",
  "datatype",
];
const TEXTS = [
  "",
  "x",
  "5",
  "-1",
  "500",
  "true",
  "0",
  '{"a":1}',
  "not json",
  "a@example.org",
];

function element(next: () => number, depth: number): XmlElement {
  const [name, ns] = ELEMENTS[Math.floor(next() * ELEMENTS.length)];
  const attrs: Record<string, string> = {};
  for (let i = Math.floor(next() * 3); i > 0; i--) {
    attrs[ATTRS[Math.floor(next() * ATTRS.length)]] =
      TEXTS[Math.floor(next() * TEXTS.length)];
  }
  const children: (XmlElement | string)[] = [];
  if (next() < 0.4) children.push(TEXTS[Math.floor(next() * TEXTS.length)]);
  if (depth < 4) {
    for (let i = Math.floor(next() * 3); i > 0; i--) {
      children.push(element(next, depth + 1));
    }
  }
  return new XmlElement(name, ns, attrs, children);
}

Deno.test({
  name:
    "stanzaToJson() on 5000 random stanzas either throws JsonMappingError or gives JSON that maps back",
  permissions: "none",
  fn() {
    const next = seededRandom(77);
    const kinds = ["message", "presence", "iq"];
    let mapped = 0;
    for (let i = 0; i < 5000; i++) {
      const attrs: Record<string, string> = {};
      for (const key of ["type", "to", "from", "id", "xml:lang"]) {
        if (next() < 0.5) {
          attrs[key] = XML_STRINGS[Math.floor(next() * XML_STRINGS.length)];
        }
      }
      const children = Array.from(
        { length: Math.floor(next() * 5) },
        () => element(next, 0),
      );
      const stanza = new XmlElement(kinds[i % 3], NS.client, attrs, children);
      let json;
      try {
        json = stanzaToJson(stanza);
      } catch (error) {
        if (error instanceof JsonMappingError) continue;
        assert.fail(`${serialize(stanza)}: ${error}`);
      }
      mapped++;
      assert.deepStrictEqual(JSON.parse(JSON.stringify(json)), json);
      try {
        jsonToStanza(json);
      } catch (error) {
        assert.fail(
          `${serialize(stanza)} -> ${JSON.stringify(json)}: ${error}`,
        );
      }
    }
    assert.ok(mapped > 1000, `only ${mapped} stanzas mapped`);
  },
});
