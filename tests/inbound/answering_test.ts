import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { answeringConsumer } from "../../src/inbound/answering.ts";
import { OpenIqs } from "../../src/inbound/open_iqs.ts";
import { SteppedTimers } from "../support/manual_timers.ts";

const C = "jabber:client";
const DOMAIN = "rest.localhost";
const iq = (to: string, payload: XmlElement, type = "get") =>
  el("iq", C, { type, id: "i1", from: "alice@localhost/r", to }, payload);

const cases: [
  string,
  XmlElement,
  boolean,
  { taken: boolean; sent: number; open: number },
][] = [
  [
    "a ping to the domain gets its built-in answer",
    iq(DOMAIN, el("ping", "urn:xmpp:ping")),
    true,
    { taken: true, sent: 1, open: 0 },
  ],
  [
    "an iq to a bot waits for a POSTed answer",
    iq(`bot@${DOMAIN}`, el("query", "urn:example:q")),
    true,
    { taken: true, sent: 0, open: 1 },
  ],
  [
    "without pull/SSE nobody can answer it: not taken (service-unavailable)",
    iq(`bot@${DOMAIN}`, el("query", "urn:example:q")),
    false,
    { taken: false, sent: 0, open: 0 },
  ],
  [
    "without pull/SSE the built-in answers still work",
    iq(DOMAIN, el("ping", "urn:xmpp:ping")),
    false,
    { taken: true, sent: 1, open: 0 },
  ],
  [
    "a message is only logged",
    el("message", C, { to: `bot@${DOMAIN}` }),
    true,
    { taken: true, sent: 0, open: 0 },
  ],
  [
    "an iq result is not an iq to answer",
    iq(`bot@${DOMAIN}`, el("query", "urn:example:q"), "result"),
    true,
    { taken: true, sent: 0, open: 0 },
  ],
];

for (const [name, stanza, serve, want] of cases) {
  Deno.test({
    name: `answeringConsumer(): ${name}`,
    permissions: "none",
    fn() {
      const sent: XmlElement[] = [];
      const openIqs = new OpenIqs({
        timeoutMs: 1000,
        send: (s) => sent.push(s),
        timers: new SteppedTimers(),
      });
      const consumer = answeringConsumer({
        openIqs: serve ? openIqs : undefined,
        send: (s) => sent.push(s),
        etiquette: {
          domain: DOMAIN,
          enabled: ["ping"],
          version: "1",
          now: () => 0,
        },
      });
      assert.equal(consumer(stanza, undefined), want.taken);
      assert.equal(sent.length, want.sent);
      assert.equal(openIqs.size, want.open);
    },
  });
}
