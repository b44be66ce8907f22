import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { OpenIqs } from "../../src/inbound/open_iqs.ts";
import { SteppedTimers } from "../support/manual_timers.ts";

const C = "jabber:client";
const inbound = (
  id: string,
  from = "alice@localhost/phone",
  to = "bot@rest.localhost",
) => el("iq", C, { type: "get", id, from, to }, el("query", "urn:example:q"));
const answer = (
  id: string,
  to = "alice@localhost/phone",
  type = "result",
  from = "rest.localhost",
) => el("iq", C, { type, id, to, from });

function setup(timeoutMs = 30_000) {
  const timers = new SteppedTimers();
  const sent: XmlElement[] = [];
  const iqs = new OpenIqs({
    timeoutMs,
    send: (s) => sent.push(s),
    timers,
    recentLimit: 2,
  });
  return { timers, sent, iqs };
}

Deno.test({
  name:
    "OpenIqs: a matching answer closes the iq and goes out from the address it was sent to",
  permissions: "none",
  fn() {
    const { iqs, timers, sent } = setup();
    assert.ok(iqs.open(inbound("a1")));
    const match = iqs.answer(answer("a1"));
    assert.equal(match.outcome, "matched");
    if (match.outcome !== "matched") return;
    assert.equal(match.reply.attr("from"), "bot@rest.localhost");
    assert.equal(match.reply.attr("to"), "alice@localhost/phone");
    assert.equal(match.reply.attr("type"), "result");
    assert.equal(iqs.size, 0);
    assert.equal(timers.pending, 0);
    timers.advance(60_000);
    assert.deepEqual(sent, []);
  },
});

const cases: [string, (iqs: OpenIqs) => XmlElement, string][] = [
  ["another id", () => answer("zz"), "unknown"],
  ["another recipient", () => answer("a1", "mallory@localhost/x"), "unknown"],
  ["a second answer", (iqs) => {
    iqs.answer(answer("a1"));
    return answer("a1", "alice@localhost/phone", "error");
  }, "answered"],
  [
    "a JID spelled differently (case of the domain)",
    () => answer("a1", "alice@LOCALHOST/phone"),
    "matched",
  ],
];
for (const [name, make, want] of cases) {
  Deno.test({
    name: `OpenIqs.answer(): ${name} is ${want}`,
    permissions: "none",
    fn() {
      const { iqs } = setup();
      iqs.open(inbound("a1"));
      assert.equal(iqs.answer(make(iqs)).outcome, want);
    },
  });
}

Deno.test({
  name:
    "OpenIqs: an unanswered iq gets service-unavailable after the timeout, once; a late answer is refused",
  permissions: "none",
  fn() {
    const { iqs, timers, sent } = setup(30_000);
    iqs.open(inbound("t1"));
    timers.advance(29_999);
    assert.equal(sent.length, 0);
    timers.advance(1);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].attr("type"), "error");
    assert.equal(sent[0].attr("to"), "alice@localhost/phone");
    assert.equal(sent[0].attr("from"), "bot@rest.localhost");
    assert.ok(
      sent[0].getChild("error")?.getChild(
        "service-unavailable",
        "urn:ietf:params:xml:ns:xmpp-stanzas",
      ),
    );
    assert.equal(iqs.answer(answer("t1")).outcome, "answered");
    timers.advance(60_000);
    assert.equal(sent.length, 1);
  },
});

Deno.test({
  name:
    "OpenIqs: the same id from the same sender while open is answered conflict",
  permissions: "none",
  fn() {
    const { iqs, sent } = setup();
    assert.ok(iqs.open(inbound("d1")));
    assert.ok(!iqs.open(inbound("d1")));
    assert.ok(
      sent[0].getChild("error")?.getChild(
        "conflict",
        "urn:ietf:params:xml:ns:xmpp-stanzas",
      ),
    );
    assert.ok(iqs.open(inbound("d1", "bob@localhost/x")));
    assert.equal(iqs.size, 2);
  },
});

Deno.test({
  name:
    "OpenIqs: closeAll() answers every open iq; the memory of answered iqs is bounded",
  permissions: "none",
  fn() {
    const { iqs, sent } = setup();
    for (const id of ["c1", "c2", "c3"]) iqs.open(inbound(id));
    iqs.closeAll();
    assert.equal(sent.length, 3);
    assert.equal(iqs.size, 0);
    // recentLimit 2: the oldest is forgotten.
    assert.equal(iqs.answer(answer("c1")).outcome, "unknown");
    assert.equal(iqs.answer(answer("c3")).outcome, "answered");
  },
});

Deno.test({
  name:
    "OpenIqs: beyond maxOpen waiting iqs, the next is answered wait/resource-constraint at once",
  permissions: "none",
  fn() {
    const timers = new SteppedTimers();
    const sent: XmlElement[] = [];
    const iqs = new OpenIqs({
      timeoutMs: 1000,
      send: (s) => sent.push(s),
      timers,
      maxOpen: 2,
    });
    assert.ok(iqs.open(inbound("m1")));
    assert.ok(iqs.open(inbound("m2")));
    assert.ok(!iqs.open(inbound("m3")));
    assert.equal(iqs.size, 2);
    const error = sent[0].getChild("error");
    assert.equal(error?.attr("type"), "wait");
    assert.ok(
      error?.getChild(
        "resource-constraint",
        "urn:ietf:params:xml:ns:xmpp-stanzas",
      ),
    );
  },
});
