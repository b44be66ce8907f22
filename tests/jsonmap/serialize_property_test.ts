// Property (seeded, bounded): whatever JSON the mapping accepts, the serializer writes; anything else fails with JsonMappingError only.

import assert from "node:assert/strict";
import { serialize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { CODECS } from "../../src/jsonmap/registry.ts";
import {
  JsonMappingError,
  jsonToStanza,
  stanzaToJson,
} from "../../src/jsonmap/mod.ts";
import { el } from "../../src/xml/element.ts";
import { pick, randomJson, seededRandom } from "../support/random_input.ts";

/** Strings (values and object keys alike) that XML names and text may not hold, and ordinary ones. */
const STRINGS = [
  "",
  "x",
  "a@example.org",
  "alice@localhost/r",
  "\u0001",
  "a\u0000b",
  "\uFFFE",
  "\uD800",
  "\u00B7",
  "\u0300x",
  "\u2028",
  "xml:lang",
  "xmlns",
  "a:b",
  "<x/>",
  "&amp;",
  '"',
  "é😀",
  "1",
  "-1",
  "true",
  "chat",
  "get",
  "error",
  "cancel",
  "item-not-found",
  "__proto__",
];

/** Hostile strings as values and as object keys. */
const ALPHABET = {
  strings: STRINGS,
  numbers: [0, 1, -1, 1.5, 2 ** 60, -0],
  keys: STRINGS,
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
  ]),
];

Deno.test({
  name:
    "jsonToStanza() on 6000 random objects with hostile keys and strings throws only JsonMappingError, and what it builds serializes",
  permissions: "none",
  fn() {
    const next = seededRandom(1010);
    let mapped = 0;
    for (let i = 0; i < 6000; i++) {
      const input: Record<string, unknown> = {
        to: pick(["alice@localhost", "localhost"], next),
      };
      for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
        input[pick(TOP_KEYS, next)] = randomJson(next, ALPHABET);
      }
      for (const coerce of [false, true]) {
        let stanza;
        try {
          stanza = jsonToStanza(input, { coerce });
        } catch (error) {
          if (error instanceof JsonMappingError) continue;
          assert.fail(`${JSON.stringify(input)}: ${error}`);
        }
        mapped++;
        try {
          serialize(stanza, { parentNs: NS.client });
        } catch (error) {
          assert.fail(`${JSON.stringify(input)} (coerce ${coerce}): ${error}`);
        }
      }
    }
    assert.ok(mapped > 1000, `only ${mapped} inputs mapped`);
  },
});

Deno.test("jsonToStanza() refuses a formdata field name XML cannot carry with a JsonMappingError naming it", () => {
  for (const name of ["\u0001", "a\u0000", "\uFFFE"]) {
    assert.throws(
      () => jsonToStanza({ to: "alice@localhost", formdata: { [name]: "x" } }),
      JsonMappingError,
    );
  }
});

Deno.test("stanzaToJson() leaves out an error.by that is no JID, so the JSON it gives is valid input again", () => {
  const cases: [string, string | undefined][] = [
    ["a@@b", undefined],
    ["", undefined],
    ["@example.org", undefined],
    ["conference.example.org", "conference.example.org"],
    ["room@conference.example.org/nick", "room@conference.example.org/nick"],
  ];
  for (const [by, expected] of cases) {
    const stanza = el(
      "message",
      NS.client,
      { type: "error", to: "alice@localhost" },
      el(
        "error",
        NS.client,
        { type: "cancel", by },
        el("item-not-found", NS.stanzas),
      ),
    );
    const json = stanzaToJson(stanza);
    assert.equal((json.error as { by?: string }).by, expected, by);
    jsonToStanza(json);
  }
});
