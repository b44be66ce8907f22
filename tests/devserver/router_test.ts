import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { serialize } from "../../src/xml/serialize.ts";
import { route } from "../../src/devserver/router.ts";
import { NS } from "../../src/xmpp/namespaces.ts";

const C = NS.client;
const options = {
  domain: "localhost",
  components: new Set(["gw.localhost", "other.localhost"]),
  version: "9.9",
};
const xml = (s: XmlElement) => serialize(s, { parentNs: C });
const routed = (stanza: XmlElement) =>
  route(stanza, options).map((d) => `${d.component} <- ${xml(d.stanza)}`);

Deno.test({
  name:
    "route() delivers to connected components, the sender's own domain included",
  permissions: "none",
  fn() {
    const toSelf = el("message", C, {
      from: "gw.localhost",
      to: "bot@gw.localhost/r",
    });
    assert.deepEqual(routed(toSelf), [`gw.localhost <- ${xml(toSelf)}`]);
    const toOther = el("presence", C, {
      from: "a@gw.localhost",
      to: "other.localhost",
    });
    assert.deepEqual(routed(toOther), [`other.localhost <- ${xml(toOther)}`]);
  },
});

Deno.test({
  name: "route() answers ping, version and disco for the server domain",
  permissions: "none",
  fn() {
    const iq = (id: string, payload: XmlElement, type = "get") =>
      el("iq", C, { type, id, from: "gw.localhost", to: "localhost" }, payload);
    assert.deepEqual(routed(iq("p", el("ping", NS.ping))), [
      'gw.localhost <- <iq type="result" id="p" from="localhost" to="gw.localhost"/>',
    ]);
    const [version] = route(iq("v", el("query", NS.version)), options);
    assert.equal(
      version.stanza.getChild("query", NS.version)?.getChildText("version"),
      "9.9",
    );
    const [info] = route(iq("i", el("query", NS.discoInfo)), options);
    const features = info.stanza.getChild("query", NS.discoInfo)!
      .getChildren("feature").map((f) => f.attr("var"));
    assert.ok(features.includes(NS.ping));
    const [items] = route(iq("t", el("query", NS.discoItems)), options);
    assert.deepEqual(
      items.stanza.getChild("query", NS.discoItems)!.getChildren("item").map((
        i,
      ) => i.attr("jid")),
      ["gw.localhost", "other.localhost"],
    );
    // Anything else is service-unavailable, and a set is never answered as a get.
    for (
      const unknown of [
        iq("u", el("query", "urn:unknown")),
        iq("s", el("ping", NS.ping), "set"),
      ]
    ) {
      const [reply] = route(unknown, options);
      assert.equal(reply.stanza.attr("type"), "error");
      assert.ok(
        reply.stanza.getChild("error")?.getChild(
          "service-unavailable",
          NS.stanzas,
        ),
      );
    }
  },
});

Deno.test({
  name: "route() echoes messages sent to echo@localhost and answers its pings",
  permissions: "none",
  fn() {
    const msg = el(
      "message",
      C,
      {
        type: "chat",
        id: "m1",
        from: "bot@gw.localhost",
        to: "echo@localhost",
      },
      el("body", C, {}, "hello"),
    );
    assert.deepEqual(routed(msg), [
      'gw.localhost <- <message type="chat" id="echo-m1" from="echo@localhost" to="bot@gw.localhost"><body>hello</body></message>',
    ]);
    const ping = el("iq", C, {
      type: "get",
      id: "p",
      from: "gw.localhost",
      to: "echo@localhost/x",
    }, el("ping", NS.ping));
    assert.deepEqual(routed(ping), [
      'gw.localhost <- <iq type="result" id="p" from="echo@localhost/x" to="gw.localhost"/>',
    ]);
  },
});

Deno.test({
  name:
    "route() bounces unknown entities with service-unavailable, but never errors, results or presence",
  permissions: "none",
  fn() {
    const unknown = el("message", C, {
      id: "u",
      from: "gw.localhost",
      to: "nobody@localhost",
    });
    const [bounce] = route(unknown, options);
    assert.equal(bounce.component, "gw.localhost");
    assert.equal(
      xml(bounce.stanza),
      '<message type="error" id="u" from="nobody@localhost" to="gw.localhost"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>',
    );
    const remote = el("iq", C, {
      type: "get",
      id: "r",
      from: "gw.localhost",
      to: "example.org",
    }, el("ping", NS.ping));
    assert.equal(route(remote, options)[0].stanza.attr("type"), "error");
    for (
      const silent of [
        el("message", C, {
          type: "error",
          from: "gw.localhost",
          to: "nobody@localhost",
        }),
        el("iq", C, {
          type: "result",
          id: "x",
          from: "gw.localhost",
          to: "nobody@localhost",
        }),
        el("presence", C, { from: "gw.localhost", to: "nobody@localhost" }),
      ]
    ) {
      assert.deepEqual(route(silent, options), []);
    }
  },
});
