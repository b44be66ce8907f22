import assert from "node:assert/strict";
import { assertWireResult } from "./support.ts";
import { el } from "../../src/xml/element.ts";
import { encodeStanza, encodeStanzas } from "../../src/wire/encode.ts";
import type { BodyFormat } from "../../src/wire/media.ts";

const C = "jabber:client";
const HI = el("message", C, { to: "a@example.org" }, el("body", C, {}, "Hi"));
const PING = el("iq", C, { type: "result", id: "1" });
// A JID no mapping accepts: the stanza has no JSON form.
const BAD = el("message", C, { to: "a@@example.org" });

const cases: [
  string,
  readonly ReturnType<typeof el>[],
  BodyFormat,
  string | RegExp,
][] = [
  [
    "one stanza as XML, no xmlns",
    [HI],
    "xml",
    '<message to="a@example.org"><body>Hi</body></message>',
  ],
  [
    "several in the <xmpp> container",
    [HI, PING],
    "xml",
    '<xmpp><message to="a@example.org"><body>Hi</body></message><iq type="result" id="1"/></xmpp>',
  ],
  [
    "one stanza as JSON",
    [HI],
    "json",
    '{"kind":"message","to":"a@example.org","body":"Hi"}',
  ],
  [
    'several as {"xmpp":[...]}',
    [HI, PING],
    "json",
    '{"xmpp":[{"kind":"message","to":"a@example.org","body":"Hi"},{"kind":"iq","type":"result","id":"1"}]}',
  ],
  [
    "one stanza as form fields",
    [HI],
    "form",
    "kind=message&to=a%40example.org&body=Hi",
  ],
  ["a container as an empty form", [HI, PING], "form", ""],
  ["text is the <body>", [HI], "text", "Hi"],
  ["text without <body> is empty", [PING], "text", ""],
  ["no JSON form is a failure", [BAD], "json", /./],
  ["no JSON form is a failure for forms too", [BAD], "form", /./],
  [
    "XML carries what JSON cannot",
    [BAD],
    "xml",
    '<message to="a@@example.org"/>',
  ],
];

for (const [name, stanzas, format, expected] of cases) {
  Deno.test({
    name: `encodeStanzas(): ${name}`,
    permissions: "none",
    fn() {
      assertWireResult(encodeStanzas(stanzas, format), expected);
    },
  });
}

Deno.test({
  name: "encodeStanza() is encodeStanzas() of one",
  permissions: "none",
  fn() {
    for (const format of ["xml", "json", "form", "text"] as const) {
      assert.deepEqual(encodeStanza(HI, format), encodeStanzas([HI], format));
    }
  },
});
