import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  conversationKey,
  inboundRoute,
  toNewEvent,
} from "../../src/inbound/rules.ts";

const stanza = (name: string, attrs: Record<string, string> = {}) =>
  el(name, NS.client, attrs);

Deno.test({
  name:
    "inboundRoute() sends iq results/errors to the tracker, iq get/set to the answer rule, the rest to events",
  permissions: "none",
  fn() {
    const cases: [string, Record<string, string>, string][] = [
      ["iq", { type: "get" }, "request"],
      ["iq", { type: "set" }, "request"],
      ["iq", { type: "result" }, "reply"],
      ["iq", { type: "error" }, "reply"],
      ["message", { type: "chat" }, "event"],
      ["message", {}, "event"],
      ["presence", { type: "unavailable" }, "event"],
    ];
    for (const [name, attrs, route] of cases) {
      assert.equal(
        inboundRoute(stanza(name, attrs)),
        route,
        `${name} ${attrs.type}`,
      );
    }
  },
});

Deno.test({
  name: "conversationKey() is the sender's bare JID and the recipient",
  permissions: "none",
  fn() {
    const cases: [Record<string, string>, string][] = [
      [{ from: "Alice@x/phone", to: "gw.x" }, "alice@x gw.x"],
      [{ from: "alice@x", to: "gw.x/bot" }, "alice@x gw.x/bot"],
      [{ from: "x/res", to: "gw.x" }, "x gw.x"],
      [{}, " "],
    ];
    for (const [attrs, key] of cases) {
      assert.equal(conversationKey(stanza("message", attrs)), key);
    }
  },
});

Deno.test({
  name: "toNewEvent() keeps the stanza as jabber:client XML with its addresses",
  permissions: "none",
  fn() {
    const message = el("message", NS.client, {
      from: "a@x/r",
      to: "gw.x",
      id: "1",
    }, el("body", NS.client, {}, "hi & bye"));
    assert.deepEqual(toNewEvent(message, 42), {
      receivedAt: 42,
      kind: "message",
      from: "a@x/r",
      to: "gw.x",
      conversation: "a@x gw.x",
      stanza:
        '<message from="a@x/r" to="gw.x" id="1"><body>hi &amp; bye</body></message>',
    });
  },
});
