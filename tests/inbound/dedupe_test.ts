import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { dedupeKey } from "../../src/inbound/dedupe.ts";
import { serialize } from "../../src/xml/serialize.ts";

const SID = "urn:xmpp:sid:0";

function message(
  attrs: Record<string, string>,
  body = "hi",
  ...extra: XmlElement[]
): XmlElement {
  return el(
    "message",
    NS.client,
    { from: "a@x/r", to: "gw.x", type: "chat", ...attrs },
    el("body", NS.client, {}, body),
    ...extra,
  );
}

const base = message({ id: "m1" });
const origin = (id: string, attrs: Record<string, string> = {}, body = "hi") =>
  message({ id: "m1", ...attrs }, body, el("origin-id", SID, { id }));

const sameKey: [string, XmlElement, XmlElement][] = [
  ["the same message again", base, message({ id: "m1" })],
  [
    "origin-id wins over a new stanza id and payload",
    origin("o1"),
    origin("o1", { id: "m2" }, "changed"),
  ],
];
const otherKey: [string, XmlElement, XmlElement][] = [
  ["another id", base, message({ id: "m2" })],
  ["another payload under the same id", base, message({ id: "m1" }, "bye")],
  ["another sender resource", base, message({ id: "m1", from: "a@x/s" })],
  ["another recipient", base, message({ id: "m1", to: "bot@gw.x" })],
  ["another origin-id", origin("o1"), origin("o2")],
];

for (const [name, a, b] of sameKey) {
  Deno.test(`dedupeKey(): ${name} has the same key`, () => {
    assert.equal(dedupeKey(a), dedupeKey(b));
    assert.match(dedupeKey(a)!, /^[0-9a-f]{64}$/);
  });
}
for (const [name, a, b] of otherKey) {
  Deno.test(`dedupeKey(): ${name} has another key`, () => {
    assert.notEqual(dedupeKey(a), dedupeKey(b));
  });
}

Deno.test("dedupeKey() with the stanza's serialization given is the same key", () => {
  assert.equal(
    dedupeKey(base, serialize(base, { parentNs: NS.client })),
    dedupeKey(base),
  );
});

Deno.test("dedupeKey() is undefined for presences, iqs and messages without id or origin-id", () => {
  const none = [
    el("presence", NS.client, { from: "a@x/r", to: "gw.x", id: "p1" }),
    el("iq", NS.client, { from: "a@x/r", to: "gw.x", id: "q", type: "get" }),
    el("message", NS.client, { from: "a@x/r", to: "gw.x" }),
  ];
  for (const stanza of none) assert.equal(dedupeKey(stanza), undefined);
});
