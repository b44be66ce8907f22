// Mutation fuzzing of the RFC 6120 section 11 stream parser: no crash other than XmlSyntaxError, same outcome for any chunking.

import { deepEqual, equal, fail } from "node:assert/strict";
import { type XmlStreamEvent, XmlStreamParser } from "../../src/xml/parser.ts";
import { XmlSyntaxError } from "../../src/xml/errors.ts";
import { XmlElement } from "../../src/xml/element.ts";
import { serialize } from "../../src/xml/serialize.ts";
import {
  mutateText,
  randomSplits,
  seededRandom,
} from "../support/random_input.ts";

const HEADER = "<stream:stream xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams' id='x' xml:lang='en'>";

const SEEDS = [
  HEADER + "<message to='a@b' type='chat'><body>Hi &amp; bye é😀</body>" +
  "<x xmlns='urn:x' a='1'/></message>\n<iq type='get' id='q'><query xmlns='jabber:iq:roster'/></iq></stream:stream>",
  "<?xml version='1.0' encoding='UTF-8'?>" + HEADER +
  "<presence><status><![CDATA[a]]b<c>]]></status><p:x xmlns:p='urn:p' p:y='&#x41;&lt;'/></presence>",
  HEADER +
  "<m xml:lang='de'>\r\n a\r b &#13;&#10; <n a=\"'\" b='\"'>\t</n></m>",
];

const INSERTS = [
  "<",
  ">",
  "&",
  ";",
  "'",
  '"',
  "/",
  "=",
  " ",
  "\r",
  "\n",
  "]",
  "]]>",
  "<!",
  "<!--",
  "<?",
  "?>",
  "&#",
  "x:",
  ":",
  "xmlns",
  "<![CDATA[",
  "é",
  "😀",
  "\uFEFF",
  "\0",
  "\uFFFE",
  "a",
  "-",
  "#x",
  "</a>",
  "<a>",
];

/** Deletions, insertions and copies of 12 characters. */
const EDITS = { remove: 0.35, insert: 0.8, copyLength: 12 };

type Result = { events: string[] } | { error: string; at: string };

function run(chunks: (string | Uint8Array)[]): Result {
  const parser = new XmlStreamParser({ maxDepth: 8, maxAttributes: 6 });
  const events: XmlStreamEvent[] = [];
  try {
    for (const chunk of chunks) events.push(...parser.push(chunk));
    events.push(...parser.end());
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) {
      fail(
        `unexpected ${error} for chunks ${JSON.stringify(chunks.map(String))}`,
      );
    }
    return {
      error: error.condition,
      at: `${error.line}:${error.column}@${error.offset}`,
    };
  }
  return {
    events: events.map((e) =>
      e.type === "close"
        ? "close"
        : JSON.stringify(e.type === "open" ? e.header : e.element)
    ),
  };
}

/** Every byte on its own, then six random chunkings. */
function splits(bytes: Uint8Array, next: () => number): Uint8Array[][] {
  return [
    Array.from(bytes, (b) => new Uint8Array([b])),
    ...randomSplits(bytes, next, 6, 4),
  ];
}

Deno.test({
  name:
    "XmlStreamParser gives every chunking of 1500 mutated streams the same outcome, and only XmlSyntaxErrors",
  permissions: "none",
  fn() {
    const next = seededRandom(7);
    const encoder = new TextEncoder();
    const conditions = new Map<string, number>();
    for (let i = 0; i < 1500; i++) {
      const input = mutateText(SEEDS[i % SEEDS.length], next, INSERTS, EDITS);
      const bytes = encoder.encode(input);
      const whole = run([bytes]);
      const label = "error" in whole ? whole.error : "ok";
      conditions.set(label, (conditions.get(label) ?? 0) + 1);
      for (const chunks of splits(bytes, next)) {
        deepEqual(run(chunks), whole, JSON.stringify(input));
      }
      const asString = run([input]);
      const units = run(input.split(""));
      deepEqual(units, asString, JSON.stringify(input));
      equal(
        "error" in asString ? asString.error : "ok",
        label,
        JSON.stringify(input),
      );
    }
    // The mutations must reach several outcomes, or the test proves little.
    for (const condition of ["ok", "not-well-formed", "restricted-xml"]) {
      equal(
        (conditions.get(condition) ?? 0) >= 10,
        true,
        `${condition}: ${[...conditions]}`,
      );
    }
  },
});

Deno.test({
  name:
    "XmlStreamParser parses 300 random serialized stanzas back to the same elements in random chunkings",
  permissions: "none",
  fn() {
    const next = seededRandom(99);
    const names = ["a", "b", "message", "x", "é", "n-1", "_z"];
    const namespaces = ["jabber:client", "urn:x", "", "urn:é&<>\"'"];
    const texts = ["", "t", " ", "a&b<c>", "]]>", "\r\n", "😀", "\t"];
    const build = (depth: number): XmlElement => {
      const kids: (XmlElement | string)[] = [];
      const n = depth > 3 ? 0 : Math.floor(next() * 4);
      for (let k = 0; k < n; k++) {
        if (next() < 0.4) {
          const t = texts[Math.floor(next() * texts.length)];
          if (t !== "" && typeof kids[kids.length - 1] !== "string") {
            kids.push(t);
          }
        } else kids.push(build(depth + 1));
      }
      const attrs: Record<string, string> = {};
      if (next() < 0.5) attrs.id = texts[Math.floor(next() * texts.length)];
      if (next() < 0.3) attrs["{urn:q}k"] = "v" + Math.floor(next() * 9);
      if (next() < 0.3) attrs["xml:lang"] = "en";
      return new XmlElement(
        names[Math.floor(next() * names.length)],
        namespaces[Math.floor(next() * namespaces.length)],
        attrs,
        kids,
      );
    };
    const encoder = new TextEncoder();
    for (let i = 0; i < 300; i++) {
      const stanza = build(1);
      const bytes = encoder.encode(
        HEADER + serialize(stanza, { parentNs: "jabber:client" }),
      );
      for (const chunks of splits(bytes, next).slice(1)) {
        const result = run(chunks);
        if (!("events" in result)) fail(`case ${i}: ${JSON.stringify(result)}`);
        equal(result.events[1], JSON.stringify(stanza), `case ${i}`);
      }
    }
  },
});
