import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { canonicalize, serialize } from "../../src/xml/serialize.ts";
import {
  errorElement,
  errorReply,
  iqResult,
  isReplyForbidden,
  isStanza,
  readStanzaError,
  StanzaError,
} from "../../src/xmpp/stanza.ts";
import {
  isStanzaErrorCondition,
  isStreamErrorCondition,
  STANZA_ERROR_CONDITIONS,
} from "../../src/xmpp/conditions.ts";
import { NS } from "../../src/xmpp/namespaces.ts";

const C = NS.client;

Deno.test({
  name: "errorReply() swaps addresses, keeps the id and drops the payload",
  permissions: "none",
  fn() {
    const iq = el(
      "iq",
      C,
      { type: "get", id: "q1", from: "a@x/r", to: "bot@gw" },
      el("query", NS.discoInfo),
    );
    const reply = errorReply(iq, {
      condition: "item-not-found",
      text: "No such node",
    });
    assert.equal(
      serialize(reply, { parentNs: C }),
      '<iq type="error" id="q1" from="bot@gw" to="a@x/r"><error type="cancel">' +
        '<item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>' +
        '<text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">No such node</text>' +
        "</error></iq>",
    );
    // The original is untouched.
    assert.equal(iq.attr("type"), "get");
    assert.equal(iq.children.length, 1);
  },
});

Deno.test({
  name:
    "errorElement() uses the condition's type unless one is given, and adds by",
  permissions: "none",
  fn() {
    const cases = [
      [{ condition: "service-unavailable" }, "cancel"],
      [{ condition: "resource-constraint" }, "wait"],
      [{ condition: "forbidden" }, "auth"],
      [{ condition: "internal-server-error", type: "wait" }, "wait"],
    ] as const;
    for (const [details, type] of cases) {
      assert.equal(errorElement(details).attr("type"), type);
    }
    const withBy = errorElement({ condition: "gone", by: "x@y" });
    assert.equal(withBy.attr("by"), "x@y");
    assert.equal(withBy.getChild("text", NS.stanzas), undefined);
  },
});

Deno.test({
  name:
    "readStanzaError() reads type, condition, text and by; unknown conditions are undefined-condition",
  permissions: "none",
  fn() {
    const stanza = el(
      "message",
      C,
      { type: "error" },
      el(
        "error",
        C,
        { type: "modify", by: "svc" },
        el("bad-request", NS.stanzas),
        el("text", NS.stanzas, {}, "nope"),
        el("app-specific", "urn:example"),
      ),
    );
    assert.deepEqual(readStanzaError(stanza), {
      type: "modify",
      condition: "bad-request",
      text: "nope",
      by: "svc",
    });
    const odd = el(
      "iq",
      C,
      {},
      el("error", C, { type: "bogus" }, el("made-up", NS.stanzas)),
    );
    assert.deepEqual(readStanzaError(odd), {
      type: "cancel",
      condition: "undefined-condition",
      text: undefined,
      by: undefined,
    });
    assert.equal(readStanzaError(el("message", C)), undefined);
  },
});

Deno.test({
  name:
    "StanzaError carries its details and renders the same element as errorElement()",
  permissions: "none",
  fn() {
    const error = new StanzaError({ condition: "conflict", text: "taken" });
    assert.equal(error.type, "cancel");
    assert.equal(error.message, "conflict: taken");
    assert.ok(error instanceof Error);
    assert.equal(
      canonicalize(error.toElement()),
      canonicalize(errorElement({ condition: "conflict", text: "taken" })),
    );
  },
});

Deno.test({
  name:
    "iqResult() answers with an empty result; isReplyForbidden() spots error and result",
  permissions: "none",
  fn() {
    const iq = el("iq", C, { type: "set", id: "7", from: "a@b", to: "c" });
    assert.equal(
      serialize(iqResult(iq), { parentNs: C }),
      '<iq type="result" id="7" from="c" to="a@b"/>',
    );
    const cases: [Record<string, string>, string, boolean][] = [
      [{ type: "error" }, "message", true],
      [{ type: "result" }, "iq", true],
      [{ type: "get" }, "iq", false],
      [{ type: "chat" }, "message", false],
      [{}, "presence", false],
      [{ type: "error" }, "presence", true],
    ];
    for (const [attrs, name, forbidden] of cases) {
      assert.equal(isReplyForbidden(el(name, C, attrs)), forbidden);
    }
    assert.ok(isStanza(el("message", C)));
    assert.ok(!isStanza(el("message", "jabber:server")));
    assert.ok(!isStanza(el("handshake", NS.component)));
  },
});

Deno.test({
  name: "condition vocabularies recognise defined names only",
  permissions: "none",
  fn() {
    // RFC 6120's 22 conditions plus RFC 3920's payment-required.
    assert.equal(Object.keys(STANZA_ERROR_CONDITIONS).length, 23);
    assert.ok(isStanzaErrorCondition("payment-required"));
    assert.ok(isStanzaErrorCondition("item-not-found"));
    assert.ok(!isStanzaErrorCondition("toString"));
    assert.ok(isStreamErrorCondition("host-unknown"));
    assert.ok(!isStreamErrorCondition("item-not-found"));
  },
});
