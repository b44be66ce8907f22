import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { serialize } from "../../src/xml/serialize.ts";
import { echoEntity, Router, slowEntity } from "../../src/devserver/router.ts";
import { NS } from "../../src/xmpp/namespaces.ts";

const C = NS.client;
const COMPONENTS = ["gw.localhost", "other.localhost"];

/** What one stanza routed to: each delivery as a component domain and the stanza. */
interface Delivery {
  component: string;
  stanza: XmlElement;
}

/** Routes a stanza through a router with two components and echo@localhost. */
function route(stanza: XmlElement): Delivery[] {
  const out: Delivery[] = [];
  const router = new Router({
    domain: "localhost",
    software: { name: "test server", version: "9.9" },
    component: (domain) =>
      COMPONENTS.includes(domain)
        ? (s) => out.push({ component: domain, stanza: s })
        : undefined,
    components: () => [...COMPONENTS].reverse(),
  });
  router.add(echoEntity("echo@localhost", (s) => router.route(s)));
  router.route(stanza);
  return out;
}
const xml = (s: XmlElement) => serialize(s, { parentNs: C });
const routed = (stanza: XmlElement) =>
  route(stanza).map((d) => `${d.component} <- ${xml(d.stanza)}`);

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
    const [version] = route(iq("v", el("query", NS.version)));
    assert.equal(
      version.stanza.getChild("query", NS.version)?.getChildText("version"),
      "9.9",
    );
    const [info] = route(iq("i", el("query", NS.discoInfo)));
    const features = info.stanza.getChild("query", NS.discoInfo)!
      .getChildren("feature").map((f) => f.attr("var"));
    assert.ok(features.includes(NS.ping));
    const [items] = route(iq("t", el("query", NS.discoItems)));
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
      const [reply] = route(unknown);
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
    const [bounce] = route(unknown);
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
    assert.equal(route(remote)[0].stanza.attr("type"), "error");
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
      assert.deepEqual(route(silent), []);
    }
  },
});

Deno.test({
  name:
    "route() bounces a stanza without to (bad-request) and one to a remote domain (not-allowed), as Prosody does",
  permissions: "none",
  fn() {
    const cases: [XmlElement, string][] = [
      [el("message", C, { id: "n", from: "gw.localhost" }), "bad-request"],
      [
        el("message", C, {
          id: "r",
          from: "gw.localhost",
          to: "a@example.org",
        }),
        "not-allowed",
      ],
      [
        el("message", C, { id: "j", from: "gw.localhost", to: "a@b@c" }),
        "jid-malformed",
      ],
    ];
    for (const [stanza, condition] of cases) {
      const [bounce] = route(stanza);
      assert.equal(bounce.component, "gw.localhost");
      assert.ok(
        bounce.stanza.getChild("error")?.getChild(condition, NS.stanzas),
        xml(bounce.stanza),
      );
    }
  },
});

Deno.test({
  name:
    "route() answers a ping to a bare JID of the domain from that JID, and names its software",
  permissions: "none",
  fn() {
    const ping = el("iq", C, {
      type: "get",
      id: "b",
      from: "gw.localhost",
      to: "nobody@localhost",
    }, el("ping", NS.ping));
    assert.deepEqual(routed(ping), [
      'gw.localhost <- <iq type="result" id="b" from="nobody@localhost" to="gw.localhost"/>',
    ]);
    const [version] = route(
      el("iq", C, {
        type: "get",
        id: "v",
        from: "gw.localhost",
        to: "localhost",
      }, el("query", NS.version)),
    );
    assert.equal(
      version.stanza.getChild("query", NS.version)?.getChildText("name"),
      "test server",
    );
  },
});

Deno.test("slowEntity answers an iq only after its delay, and close() drops pending answers", async () => {
  const routed: XmlElement[] = [];
  const slow = slowEntity("slow@localhost", (s) => routed.push(s), 30);
  const iq = (id: string) =>
    el("iq", NS.client, {
      type: "get",
      id,
      from: "rest.localhost",
      to: "slow@localhost",
    }, el("ping", NS.ping));
  assert.equal(slow.deliver(iq("s1")), true);
  assert.equal(routed.length, 0, "not at once");
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(routed.length, 1);
  assert.equal(routed[0].attr("type"), "result");
  assert.equal(routed[0].attr("id"), "s1");
  slow.deliver(iq("s2"));
  slow.close();
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(routed.length, 1, "the pending answer was dropped");
});
