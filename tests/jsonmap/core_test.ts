// JSON mapping core (README "Stanza basics", "Errors in JSON", "JSON mapping reference"): inference, addresses, key order, containers.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { serialize } from "../../src/xml/serialize.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { codecsFor } from "../../src/jsonmap/core.ts";
import {
  containerToJson,
  isContainer,
  jsonToContainer,
  jsonToStanza,
  stanzasToContainer,
  stanzaToJson,
} from "../../src/jsonmap/mod.ts";
import { CODECS } from "../../src/jsonmap/registry.ts";

const C = NS.client;

/** [description, JSON input, expected element name, expected type attribute] */
const INFERENCE: readonly [
  string,
  Record<string, unknown>,
  string,
  string | undefined,
][] = [
  [
    "explicit kind wins over type",
    { kind: "presence", type: "chat" },
    "presence",
    "chat",
  ],
  [
    "explicit kind wins over keys",
    { kind: "message", ping: true },
    "message",
    undefined,
  ],
  ["type get implies iq", { type: "get" }, "iq", "get"],
  ["type set implies iq", { type: "set" }, "iq", "set"],
  ["type result implies iq", { type: "result" }, "iq", "result"],
  ["type chat implies message", { type: "chat" }, "message", "chat"],
  [
    "type groupchat implies message",
    { type: "groupchat" },
    "message",
    "groupchat",
  ],
  [
    "type headline implies message",
    { type: "headline" },
    "message",
    "headline",
  ],
  ["type normal implies message", { type: "normal" }, "message", "normal"],
  [
    "type available implies presence without type",
    { type: "available" },
    "presence",
    undefined,
  ],
  [
    "type unavailable implies presence",
    { type: "unavailable" },
    "presence",
    "unavailable",
  ],
  [
    "type subscribe implies presence",
    { type: "subscribe" },
    "presence",
    "subscribe",
  ],
  [
    "type subscribed implies presence",
    { type: "subscribed" },
    "presence",
    "subscribed",
  ],
  [
    "type unsubscribe implies presence",
    { type: "unsubscribe" },
    "presence",
    "unsubscribe",
  ],
  [
    "type unsubscribed implies presence",
    { type: "unsubscribed" },
    "presence",
    "unsubscribed",
  ],
  [
    "type probe is not in mod_rest's table: message",
    { type: "probe" },
    "message",
    "probe",
  ],
  ["ping implies iq get", { ping: true }, "iq", "get"],
  ["version implies iq get", { version: {} }, "iq", "get"],
  ["disco implies iq get", { disco: true }, "iq", "get"],
  ["items implies iq get", { items: true }, "iq", "get"],
  ["command implies iq set", { command: "uptime" }, "iq", "set"],
  ["archive implies iq set", { archive: {} }, "iq", "set"],
  [
    "archive on a message implies no type",
    { kind: "message", archive: { queryid: "q" } },
    "message",
    undefined,
  ],
  [
    "command with explicit type keeps it",
    { command: "uptime", type: "get" },
    "iq",
    "get",
  ],
  ["iq without payload is a get", { kind: "iq" }, "iq", "get"],
  ["body implies message", { body: "x" }, "message", undefined],
  ["html implies message", { html: "<body/>" }, "message", undefined],
  ["replace implies message", { replace: "id" }, "message", undefined],
  ["state implies message", { state: "active" }, "message", undefined],
  ["subject implies message", { subject: "s" }, "message", undefined],
  ["thread implies message", { thread: { id: "t" } }, "message", undefined],
  ["show implies presence", { show: "away" }, "presence", undefined],
  ["status implies presence", { status: "s" }, "presence", undefined],
  ["priority implies presence", { priority: 1 }, "presence", undefined],
  ["join implies presence", { join: true }, "presence", undefined],
  [
    "join false implies nothing: message",
    { join: false },
    "message",
    undefined,
  ],
  [
    "lastactivity is not in mod_rest's list: message",
    { lastactivity: { seconds: 1 } },
    "message",
    undefined,
  ],
  ["nothing implies message", {}, "message", undefined],
  ["iq keys win over message keys", { body: "x", ping: true }, "iq", "get"],
  [
    "message keys win over presence keys",
    { status: "s", body: "x" },
    "message",
    undefined,
  ],
  [
    "error without kind: message",
    { type: "error", error: { condition: "gone" } },
    "message",
    "error",
  ],
  [
    "error on an iq",
    { kind: "iq", error: { condition: "gone" } },
    "iq",
    "error",
  ],
];

for (const [what, input, name, type] of INFERENCE) {
  Deno.test({
    name: `jsonToStanza() infers kind and type: ${what}`,
    permissions: "none",
    fn() {
      const stanza = jsonToStanza(input);
      assert.equal(stanza.name, name);
      assert.equal(stanza.ns, C);
      assert.equal(stanza.attr("type"), type);
    },
  });
}

Deno.test({
  name: "jsonToStanza() keeps from when to is absent (mod_rest dropped it)",
  permissions: "none",
  fn() {
    const stanza = jsonToStanza({ from: "Bot@Rest.Example.NET", body: "x" });
    assert.equal(stanza.attr("from"), "bot@rest.example.net");
    assert.equal(stanza.attr("to"), undefined);
  },
});

Deno.test({
  name: "jsonToStanza() generates no id and adds no from",
  permissions: "none",
  fn() {
    const stanza = jsonToStanza({ to: "a@example.org", body: "x" });
    assert.deepStrictEqual(stanza.attrs, { to: "a@example.org" });
  },
});

Deno.test({
  name:
    "jsonToStanza() writes text safely: markup in strings is escaped, never parsed",
  permissions: "none",
  fn() {
    const stanza = jsonToStanza({
      to: "a@example.org",
      id: '"><evil/>',
      body: "</body><evil/>",
      thread: { id: "]]>", parent: "a'b\"c" },
    });
    const xml = serialize(stanza, { parentNs: C });
    assert.ok(!xml.includes("<evil"), xml);
    assert.equal(stanza.getChildText("body"), "</body><evil/>");
    assert.equal(stanza.elements().length, 2);
  },
});

Deno.test({
  name:
    "stanzaToJson() writes keys in a fixed order: kind, type, id, from, to, lang, then fields",
  permissions: "none",
  fn() {
    const stanza = el(
      "message",
      C,
      {
        "xml:lang": "en",
        to: "b@example.org",
        id: "1",
        from: "a@example.org",
        type: "chat",
      },
      el("delay", "urn:xmpp:delay", { stamp: "2020-01-01T00:00:00Z" }),
      el("body", C, {}, "x"),
      el("subject", C, {}, "s"),
    );
    assert.deepStrictEqual(Object.keys(stanzaToJson(stanza)), [
      "kind",
      "type",
      "id",
      "from",
      "to",
      "lang",
      "body",
      "subject",
      "delay",
    ]);
  },
});

Deno.test({
  name:
    "stanzaToJson() says presence without type is available, message without type has none",
  permissions: "none",
  fn() {
    assert.equal(stanzaToJson(el("presence", C)).type, "available");
    assert.equal(Object.hasOwn(stanzaToJson(el("message", C)), "type"), false);
    assert.equal(Object.hasOwn(stanzaToJson(el("iq", C)), "type"), false);
  },
});

Deno.test({
  name: "stanzaToJson() does not mutate the stanza",
  permissions: "none",
  fn() {
    const stanza = el(
      "message",
      C,
      { to: "A@Example.org" },
      el("body", C, {}, "x"),
    );
    const before = serialize(stanza);
    stanzaToJson(stanza);
    assert.equal(serialize(stanza), before);
  },
});

Deno.test({
  name: "multi-reply container: stanzas <-> <xmpp> <-> {xmpp:[...]}",
  permissions: "none",
  fn() {
    const container = stanzasToContainer([
      el("message", C, { from: "a@example.org" }, el("body", C, {}, "1")),
      el("iq", C, { type: "result", id: "q" }),
    ]);
    assert.ok(isContainer(container));
    assert.equal(
      serialize(container, { parentNs: C }),
      '<xmpp><message from="a@example.org"><body>1</body></message><iq type="result" id="q"/></xmpp>',
    );
    const json = containerToJson(container);
    assert.deepStrictEqual(json, {
      xmpp: [
        { kind: "message", from: "a@example.org", body: "1" },
        { kind: "iq", type: "result", id: "q" },
      ],
    });
    assert.deepStrictEqual(stanzaToJson(container), json);
    assert.equal(
      serialize(jsonToContainer(json), { parentNs: C }),
      serialize(container, { parentNs: C }),
    );
  },
});

Deno.test({
  name: "jsonToContainer() needs an xmpp array and names failing items",
  permissions: "none",
  fn() {
    assert.throws(() => jsonToContainer({ xmpp: {} }), {
      path: "/xmpp",
      reason: "expected an array",
    });
    assert.throws(() => jsonToContainer({ xmpp: [{}, { body: 1 }] }), {
      path: "/xmpp/1/body",
    });
    assert.throws(() => containerToJson(el("message", C)), { path: "" });
  },
});

Deno.test({
  name: "registry: every codec key is registered at most once per kind",
  permissions: "none",
  fn() {
    for (const kind of ["message", "presence", "iq"] as const) {
      const keys = codecsFor(kind).map((c) => c.key);
      assert.deepStrictEqual(keys, [...new Set(keys)], kind);
    }
    assert.ok(CODECS.length > 0);
  },
});

Deno.test({
  name: "hand-written codecs are not used on nested (forwarded) messages",
  permissions: "none",
  fn() {
    const json = stanzaToJson(
      el(
        "message",
        C,
        {},
        el(
          "forwarded",
          "urn:xmpp:forward:0",
          {},
          el(
            "message",
            C,
            {},
            el(
              "html",
              "http://jabber.org/protocol/xhtml-im",
              {},
              el("body", "http://www.w3.org/1999/xhtml", {}, "x"),
            ),
          ),
        ),
      ),
    );
    assert.deepStrictEqual(json.forwarded, { message: {} });
  },
});
