// application/x-www-form-urlencoded stanzas as mod_rest reads and writes them (README "Request body formats", "Response format").

import assert from "node:assert/strict";
import { decodeForm, encodeForm } from "../../src/jsonmap/urlencoded.ts";
import { jsonToStanza } from "../../src/jsonmap/mod.ts";

const DECODE: readonly [string, string, Record<string, string>][] = [
  ["simple fields", "to=a%40example.org&body=Hi", {
    to: "a@example.org",
    body: "Hi",
  }],
  ["plus is a space", "body=Hi+there", { body: "Hi there" }],
  ["%2B is a plus", "body=1%2B1", { body: "1+1" }],
  ["the last duplicate wins", "body=one&body=two", { body: "two" }],
  ["a key without = is an empty value", "ping&to=x", { ping: "", to: "x" }],
  ["an empty body is an empty map", "", {}],
  ["UTF-8 escapes decode", "body=%C3%A9%F0%9F%98%80", { body: "é😀" }],
  ["malformed escapes stay literal", "body=100%", { body: "100%" }],
];

for (const [what, body, expected] of DECODE) {
  Deno.test({
    name: `decodeForm(): ${what}`,
    permissions: "none",
    fn: () => assert.deepStrictEqual(decodeForm(body), expected),
  });
}

Deno.test({
  name:
    "decodeForm() keeps __proto__ as a plain key without touching the prototype",
  permissions: "none",
  fn() {
    const map = decodeForm("__proto__=x&body=b");
    assert.equal(Object.getPrototypeOf(map), Object.prototype);
    assert.equal(Object.hasOwn(map, "__proto__"), true);
    assert.equal(map.body, "b");
  },
});

const ENCODE: readonly [string, Record<string, unknown>, string][] = [
  ["strings", { kind: "message", body: "Hi" }, "kind=message&body=Hi"],
  [
    "numbers become text",
    { kind: "presence", priority: 5, x: 42.5 },
    "kind=presence&priority=5&x=42.5",
  ],
  ["true becomes an empty value", { kind: "iq", ping: true }, "kind=iq&ping="],
  ["false, null, objects and arrays are dropped", {
    a: false,
    b: null,
    c: {},
    d: [],
    e: "kept",
  }, "e=kept"],
  [
    "reserved characters are escaped",
    { body: "a b&c=d/é!*'()~._-" },
    "body=a%20b%26c%3Dd%2F%C3%A9%21%2A%27%28%29~._-",
  ],
  ["an empty object is an empty body", {}, ""],
];

for (const [what, json, expected] of ENCODE) {
  Deno.test({
    name: `encodeForm(): ${what}`,
    permissions: "none",
    fn: () => assert.equal(encodeForm(json), expected),
  });
}

Deno.test({
  name:
    "a form round trip: encodeForm -> decodeForm -> jsonToStanza({coerce}) keeps top-level fields",
  permissions: "none",
  fn() {
    const json = {
      kind: "presence",
      to: "r@c.example.org/n",
      priority: 7,
      status: "a=b&c",
      join: true,
    };
    const stanza = jsonToStanza(decodeForm(encodeForm(json)), { coerce: true });
    assert.equal(stanza.getChildText("priority"), "7");
    assert.equal(stanza.getChildText("status"), "a=b&c");
    assert.ok(stanza.getChild("x", "http://jabber.org/protocol/muc"));
  },
});
