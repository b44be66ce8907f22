import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { serialize } from "../../src/xml/serialize.ts";
import {
  ETIQUETTE_ANSWERS,
  etiquetteReply,
  type EtiquetteSettings,
} from "../../src/inbound/etiquette.ts";

const DOMAIN = "rest.localhost";
const C = "jabber:client";
const settings: EtiquetteSettings = {
  domain: DOMAIN,
  enabled: ETIQUETTE_ANSWERS,
  version: "9.9.9",
  now: () => Date.UTC(2026, 11, 3, 8, 30, 15, 123),
};
const iq = (payload: XmlElement, attrs: Record<string, string> = {}) =>
  el("iq", C, {
    type: "get",
    id: "q1",
    from: "a@localhost/r",
    to: DOMAIN,
    ...attrs,
  }, payload);
const text = (x: XmlElement | undefined) =>
  x === undefined ? undefined : serialize(x, { parentNs: C });

const answered: [string, XmlElement, string][] = [
  [
    "XEP-0199 ping",
    el("ping", "urn:xmpp:ping"),
    '<iq type="result" id="q1" from="rest.localhost" to="a@localhost/r"/>',
  ],
  [
    "XEP-0092 version",
    el("query", "jabber:iq:version"),
    '<iq type="result" id="q1" from="rest.localhost" to="a@localhost/r"><query xmlns="jabber:iq:version"><name>xmpp-rest</name><version>9.9.9</version></query></iq>',
  ],
  [
    "XEP-0202 time",
    el("time", "urn:xmpp:time"),
    '<iq type="result" id="q1" from="rest.localhost" to="a@localhost/r"><time xmlns="urn:xmpp:time"><tzo>+00:00</tzo><utc>2026-12-03T08:30:15Z</utc></time></iq>',
  ],
  [
    "XEP-0030 disco#info",
    el("query", "http://jabber.org/protocol/disco#info"),
    '<iq type="result" id="q1" from="rest.localhost" to="a@localhost/r"><query xmlns="http://jabber.org/protocol/disco#info"><identity category="component" type="generic" name="xmpp-rest"/><feature var="urn:xmpp:ping"/><feature var="http://jabber.org/protocol/disco#info"/><feature var="jabber:iq:version"/><feature var="urn:xmpp:time"/></query></iq>',
  ],
];
for (const [name, payload, want] of answered) {
  Deno.test({
    name: `etiquetteReply() answers ${name} to the component's domain`,
    permissions: "none",
    fn() {
      assert.equal(text(etiquetteReply(iq(payload), settings)), want);
    },
  });
}

const ping = el("ping", "urn:xmpp:ping");
const passed: [string, XmlElement, EtiquetteSettings][] = [
  [
    "an iq to a user at the component",
    iq(ping, { to: `bot@${DOMAIN}` }),
    settings,
  ],
  [
    "an iq to a resource of the component",
    iq(ping, { to: `${DOMAIN}/x` }),
    settings,
  ],
  ["an iq set", iq(ping, { type: "set" }), settings],
  ["an iq result", iq(ping, { type: "result" }), settings],
  ["a switched-off answer", iq(ping), {
    ...settings,
    enabled: ["disco", "version", "time"],
  }],
  [
    "disco#info with a node",
    iq(el("query", "http://jabber.org/protocol/disco#info", { node: "n" })),
    settings,
  ],
  [
    "disco#items",
    iq(el("query", "http://jabber.org/protocol/disco#items")),
    settings,
  ],
  ["an unknown payload", iq(el("query", "urn:example:custom")), settings],
  ["a message", el("message", C, { to: DOMAIN }, ping), settings],
];
for (const [name, stanza, options] of passed) {
  Deno.test({
    name: `etiquetteReply() leaves ${name} to consumers`,
    permissions: "none",
    fn() {
      assert.equal(etiquetteReply(stanza, options), undefined);
    },
  });
}

Deno.test({
  name: "etiquetteReply() lists only the answers that are on in disco#info",
  permissions: "none",
  fn() {
    const reply = etiquetteReply(
      iq(el("query", "http://jabber.org/protocol/disco#info")),
      { ...settings, enabled: ["disco", "ping"] },
    );
    const features = reply!.elements()[0].getChildren("feature").map((f) =>
      f.attr("var")
    );
    assert.deepEqual(features, [
      "http://jabber.org/protocol/disco#info",
      "urn:xmpp:ping",
    ]);
  },
});
