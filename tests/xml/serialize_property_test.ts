// Property (seeded, bounded): whatever the RFC 6120 section 11 parser accepts, the serializer writes and the parser reads back the same; any chunking of the bytes gives the same outcome.

import assert from "node:assert/strict";
import { type XmlStreamEvent, XmlStreamParser } from "../../src/xml/parser.ts";
import { XmlSyntaxError } from "../../src/xml/errors.ts";
import type { XmlElement } from "../../src/xml/element.ts";
import { serialize } from "../../src/xml/serialize.ts";
import {
  mutateText,
  randomSplits,
  seededRandom,
} from "../support/random_input.ts";

const HEADER = "<stream:stream xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams' id='x'>";

const SEEDS = [
  "<message to='a@b' type='chat' xml:lang='en'><body>Hi &amp; bye</body>" +
  "<thread parent='p'>t</thread><x xmlns='urn:x' a='1' b=\"2\"/></message>",
  "<presence><status>away &lt;</status><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/>" +
  "<p:x xmlns:p='urn:p' p:y='&#x41;'/></presence>",
  "<iq type='set' id='q'><x xmlns='jabber:x:data' type='submit'><field var='f'><value>v</value></field></x></iq>",
];

/** Characters and fragments that have broken parsers and serializers before. */
const INSERTS = [
  "\u00B7",
  "\u0300",
  "\u2028",
  "\u203F",
  "\u00C0",
  "\u037E",
  "\uD83D\uDE00",
  "xml:",
  "xmlns:",
  "xmlns",
  ":",
  "a:",
  "&#x1;",
  "&#0;",
  "&#xD800;",
  "&#xFFFE;",
  "&#x10FFFF;",
  "&#x110000;",
  "&gt;",
  "&quot;",
  "&bogus;",
  "<",
  ">",
  "/",
  "'",
  '"',
  "=",
  " ",
  "\t",
  "\r",
  "-",
  ".",
  "9",
  "_",
  "é",
  "€",
  "]]>",
  "<![CDATA[x]]>",
  "<!--c-->",
  "<?pi?>",
  "\uFEFF",
];

/** Mostly insertions; a copy repeats up to 40 characters. */
const EDITS = { remove: 0.25, insert: 0.9, copyLength: 40 };

type Outcome = { stanzas: XmlElement[] } | { condition: string };

/** Limits small enough for the mutations to cross them. */
const LIMITS = { maxDepth: 8, maxAttributes: 8, maxStanzaBytes: 180 };

function parse(
  chunks: readonly (string | Uint8Array)[],
  limits: object = LIMITS,
): Outcome {
  const parser = new XmlStreamParser(limits);
  const events: XmlStreamEvent[] = [];
  try {
    for (const chunk of chunks) events.push(...parser.push(chunk));
  } catch (error) {
    if (error instanceof XmlSyntaxError) return { condition: error.condition };
    throw new Error(`parser threw ${error} on ${JSON.stringify(chunks)}`);
  }
  const stanzas: XmlElement[] = [];
  for (const e of events) if (e.type === "element") stanzas.push(e.element);
  return { stanzas };
}

Deno.test({
  name:
    "4000 mutated stanzas: what the parser accepts serializes and parses back equal; any chunking of the bytes gives the same outcome and condition",
  permissions: "none",
  fn() {
    const next = seededRandom(20261203);
    const encoder = new TextEncoder();
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const input = HEADER +
        mutateText(SEEDS[i % SEEDS.length], next, INSERTS, EDITS);
      const whole = parse([input]);
      const label = "condition" in whole ? whole.condition : "ok";
      outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
      const bytes = encoder.encode(input);
      for (const chunks of randomSplits(bytes, next, 4, 6)) {
        const split = parse(chunks);
        assert.equal(
          "condition" in split ? split.condition : "ok",
          label,
          `${JSON.stringify(input)} split at ${chunks.map((c) => c.length)}`,
        );
      }
      if ("condition" in whole) continue;
      for (const stanza of whole.stanzas) {
        let text: string;
        try {
          text = serialize(stanza, { parentNs: "jabber:client" });
        } catch (error) {
          assert.fail(`${JSON.stringify(input)}: ${error}`);
        }
        const again = parse([HEADER + text], {});
        assert.ok("stanzas" in again, `${text}: ${JSON.stringify(again)}`);
        assert.deepEqual(again.stanzas[0], stanza, text);
      }
    }
    // The mutations must reach several outcomes, or the test proves little.
    for (
      const label of [
        "ok",
        "not-well-formed",
        "restricted-xml",
        "policy-violation",
      ]
    ) {
      assert.ok((outcomes.get(label) ?? 0) >= 5, `${label}: ${[...outcomes]}`);
    }
  },
});

Deno.test("the parser refuses what the serializer could not write: names starting with a non-start character, elements with the xml prefix", () => {
  const cases: [string, string][] = [
    ["<message \u00B7a='1'/>", "attribute name starting with U+00B7"],
    ["<message \u0300='1'/>", "attribute name starting with U+0300"],
    ["<message \u2028='1'/>", "attribute name U+2028"],
    ["<message><xml:thread/></message>", "element with the xml prefix"],
  ];
  for (const [stanza, name] of cases) {
    const outcome = parse([HEADER + stanza], {});
    assert.deepEqual(outcome, { condition: "not-well-formed" }, name);
  }
});

Deno.test("a stanza too large is refused as too large whether a later syntax error arrives in the same chunk or the next", () => {
  const cases = [
    "<message>" + "a".repeat(200) + "<<",
    "<message a='" + "a".repeat(200) + "<'/>",
    "<message><body>" + "a".repeat(160) + "</message>",
  ];
  for (const stanza of cases) {
    const input = HEADER + stanza;
    for (const size of [input.length, 50, 7, 1]) {
      const chunks = input.match(new RegExp(`[\\s\\S]{1,${size}}`, "g"))!;
      assert.deepEqual(
        parse(chunks),
        { condition: "policy-violation" },
        `${stanza} in ${size}-character chunks`,
      );
    }
  }
});
