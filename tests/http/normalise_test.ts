import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { HttpError } from "../../src/http/errors.ts";
import {
  mamCapture,
  normaliseStanza,
  prepareMamQuery,
  randomStanzaId,
  validateIq,
} from "../../src/http/normalise.ts";

const C = NS.client;
const OPTS = { domain: "rest.example.net", randomId: () => "GEN" };

function key(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e.key;
    throw e;
  }
  return "ok";
}

const cases: [string, XmlElement, string][] = [
  [
    "a namespaced stanza",
    el("message", "jabber:server", { to: "a@b" }),
    "xmlns",
  ],
  ["an unknown element", el("foo", C, { to: "a@b" }), "name"],
  ["a missing to", el("message", C, {}), "missing_to"],
  ["an empty to", el("message", C, { to: "" }), "missing_to"],
  ["an invalid to", el("message", C, { to: "a@@b" }), "to"],
  [
    "a to with a prohibited code point (RFC 7622)",
    el("message", C, { to: "a\u202eb@example.com" }),
    "jid_malformed",
  ],
  [
    "a to that breaks the bidi rule (RFC 7622)",
    el("message", C, { to: "\u05d0b@example.com" }),
    "jid_malformed",
  ],
  [
    "a from with a prohibited code point (RFC 7622)",
    el("message", C, { to: "a@b", from: "x\u200e@rest.example.net" }),
    "jid_malformed",
  ],
  ["an invalid from", el("message", C, { to: "a@b", from: "x@" }), "from"],
  [
    "a foreign from",
    el("message", C, { to: "a@b", from: "x@other.net" }),
    "from_auth",
  ],
  [
    "a subdomain from",
    el("message", C, { to: "a@b", from: "x@sub.rest.example.net" }),
    "from_auth",
  ],
  [
    "the domain as from",
    el("message", C, { to: "a@b", from: "rest.example.net" }),
    "ok",
  ],
  [
    "a node at the domain",
    el("message", C, { to: "a@b", from: "bot@rest.example.net/r" }),
    "ok",
  ],
];
for (const [name, stanza, want] of cases) {
  Deno.test({
    name: `normaliseStanza() with ${name} gives ${want}`,
    permissions: "none",
    fn() {
      assert.equal(key(() => normaliseStanza(stanza, OPTS)), want);
    },
  });
}

Deno.test({
  name: "normaliseStanza() rebuilds attributes and keeps children",
  permissions: "none",
  fn() {
    const body = el("body", C, {}, "hi");
    const input = el("message", C, {
      to: "User@Example.COM",
      type: "chat",
      "xml:lang": "sv",
      foo: "bar",
      from: "Bot@REST.example.net",
    }, body);
    const out = normaliseStanza(input, OPTS);
    assert.deepEqual(out.attrs, {
      to: "user@example.com",
      from: "bot@rest.example.net",
      id: "GEN",
      type: "chat",
      "xml:lang": "sv",
    });
    assert.equal(out.children[0], body);
    assert.equal(input.attr("foo"), "bar", "input not mutated");
  },
});

Deno.test({
  name: "normaliseStanza() keeps a given id and defaults from to the domain",
  permissions: "none",
  fn() {
    const out = normaliseStanza(
      el("presence", C, { to: "a@b", id: "x1" }),
      OPTS,
    );
    assert.equal(out.attr("id"), "x1");
    assert.equal(out.attr("from"), "rest.example.net");
  },
});

const iqCases: [string, XmlElement, string][] = [
  [
    "a get with one child",
    el("iq", C, { type: "get" }, el("ping", NS.ping)),
    "ok",
  ],
  [
    "a set with whitespace around one child",
    el("iq", C, { type: "set" }, " ", el("q", "urn:x"), "\n"),
    "ok",
  ],
  ["a result", el("iq", C, { type: "result" }, el("ping", NS.ping)), "iq_type"],
  ["no type", el("iq", C, {}, el("ping", NS.ping)), "iq_type"],
  ["an error", el("iq", C, { type: "error" }, el("ping", NS.ping)), "iq_type"],
  ["no child", el("iq", C, { type: "get" }), "iq_tags"],
  [
    "two children",
    el("iq", C, { type: "get" }, el("a", "urn:x"), el("b", "urn:x")),
    "iq_tags",
  ],
];
for (const [name, iq, want] of iqCases) {
  Deno.test({
    name: `validateIq() with ${name} gives ${want}`,
    permissions: "none",
    fn() {
      assert.equal(key(() => validateIq(iq)), want);
    },
  });
}

Deno.test({
  name: "prepareMamQuery() assigns a queryid when the archive query has none",
  permissions: "none",
  fn() {
    const iq = el("iq", C, { type: "set" }, el("query", NS.mam));
    const out = prepareMamQuery(iq, () => "QID");
    assert.equal(out.queryid, "QID");
    assert.equal(out.iq.elements()[0].attr("queryid"), "QID");
    assert.equal(
      iq.elements()[0].attr("queryid"),
      undefined,
      "input not mutated",
    );
  },
});

Deno.test({
  name: "prepareMamQuery() keeps an existing queryid and ignores other iqs",
  permissions: "none",
  fn() {
    const mam = el(
      "iq",
      C,
      { type: "set" },
      el("query", NS.mam, { queryid: "q1" }),
    );
    assert.equal(prepareMamQuery(mam, () => "X").queryid, "q1");
    const ping = el("iq", C, { type: "get" }, el("ping", NS.ping));
    assert.equal(prepareMamQuery(ping, () => "X").queryid, undefined);
    assert.equal(prepareMamQuery(ping, () => "X").iq, ping);
  },
});

Deno.test({
  name: "mamCapture() takes only results of its query from the archive",
  permissions: "none",
  fn() {
    const got: XmlElement[] = [];
    const capture = mamCapture("q1", "alice@example.com", got);
    const result = (queryid: string, from?: string) =>
      el("message", C, { from }, el("result", NS.mam, { queryid, id: "a" }));
    assert.equal(capture(result("q1", "alice@example.com")), true);
    assert.equal(capture(result("q1")), true);
    assert.equal(capture(result("q2", "alice@example.com")), false);
    assert.equal(capture(result("q1", "mallory@example.com")), false);
    assert.equal(capture(el("message", C, {}, el("body", C, {}, "hi"))), false);
    assert.equal(
      capture(el("iq", C, {}, el("result", NS.mam, { queryid: "q1" }))),
      false,
    );
    assert.equal(got.length, 2);
  },
});

Deno.test({
  name: "randomStanzaId() gives 24 url-safe characters, different each time",
  permissions: "none",
  fn() {
    const a = randomStanzaId();
    assert.match(a, /^[A-Za-z0-9_-]{24}$/);
    assert.notEqual(a, randomStanzaId());
  },
});

Deno.test({
  name:
    "randomStanzaId() is canonical base64url of 18 bytes, all 64 characters in use",
  permissions: "none",
  fn() {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = randomStanzaId();
      const bytes = Uint8Array.fromBase64(id, { alphabet: "base64url" });
      assert.equal(bytes.length, 18);
      assert.equal(bytes.toBase64({ alphabet: "base64url" }), id);
      for (const c of id) seen.add(c);
    }
    assert.equal(seen.size, 64);
  },
});
