import assert from "node:assert/strict";
import { CODECS } from "../../src/jsonmap/registry.ts";
import type { FieldCodec } from "../../src/jsonmap/types.ts";
import type { StanzaKind } from "../../src/xmpp/stanza.ts";

const ALL: StanzaKind[] = ["message", "presence", "iq"];

// [key, kinds, hand-written in mod_rest]
const REGISTERED: [string, StanzaKind[], boolean][] = [
  ["ping", ["iq"], false],
  ["version", ["iq"], false],
  ["stats", ["iq"], false],
  ["lastactivity", ["iq"], false],
  ["oob", ["iq"], false],
  ["gateway", ["iq"], false],
  ["register", ["iq"], false],
  ["extdisco", ["iq"], false],
  ["upload_request", ["iq"], false],
  ["upload_slot", ["iq"], false],
  ["block", ["iq"], false],
  ["blocklist", ["iq"], false],
  ["archive", ["iq"], false],
  ["result", ["iq"], false],
  ["rsm", ALL, false],
  ["disco", ALL, true],
  ["items", ALL, true],
  ["command", ALL, true],
  ["dataform", ALL, true],
  ["formdata", ALL, true],
];

function codecFor(key: string, kind: StanzaKind): FieldCodec | undefined {
  return CODECS.find((c) => c.key === key && c.kinds.includes(kind));
}

for (const [key, kinds, handwritten] of REGISTERED) {
  Deno.test({
    name: `registry: ${key} is mapped on ${kinds.join(", ")}${
      handwritten ? " and skipped on error stanzas" : ""
    }`,
    permissions: "none",
    fn() {
      for (const kind of kinds) {
        const codec = codecFor(key, kind);
        assert.ok(codec, `${key} on ${kind}`);
        assert.equal(codec.handwritten ?? false, handwritten);
      }
      assert.equal(
        CODECS.filter((c) =>
          c.key === key && c.kinds.some((k) => kinds.includes(k))
        )
          .length,
        1,
        `one codec for ${key}`,
      );
    },
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

// Inputs that mod_rest mutates while mapping them (disco extensions get a
// FORM_TYPE, archive convenience keys are deleted, `ids` replaced).
const INPUTS: [string, unknown][] = [
  ["disco", { extensions: { "urn:x": { a: "1", FORM_TYPE: "y" } } }],
  ["archive", { with: "a@b", ids: "1,2", max: "3", page: { after: "x" } }],
  ["command", { node: "n", data: { a: ["1"] }, actions: { next: true } }],
  ["dataform", { fields: [{ var: "t", type: "text-multi", value: "a\nb" }] }],
  ["upload_request", { filename: "f", size: "42" }],
  ["items", ["a@b", { jid: "c@d" }]],
];

for (const [key, value] of INPUTS) {
  Deno.test({
    name: `write() of ${key} leaves its (frozen) input unchanged`,
    permissions: "none",
    fn() {
      const before = JSON.stringify(value);
      const codec = codecFor(key, "iq");
      assert.ok(codec);
      codec.write(deepFreeze(value), {
        kind: "iq",
        path: `/${key}`,
        coerce: false,
      });
      assert.equal(JSON.stringify(value), before);
    },
  });
}
