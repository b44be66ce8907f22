import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import {
  ALICE,
  BOT,
  canon,
  error,
  incoming,
  IQ_GET,
  IQ_RESULT,
  MSG,
  MSG_ERROR,
  PRES,
  stanza,
} from "./support.ts";
import { deferred, type FetchAnswer } from "./fake_fetch.ts";
import { setup } from "./harness.ts";

const iq = (id: string): XmlElement =>
  incoming("iq", { type: "get", id }, el("ping", "urn:xmpp:ping"));

Deno.test({
  name:
    "deliver() runs at most maxConcurrent requests, queues FIFO, refuses beyond queueLimit",
  permissions: "none",
  async fn() {
    const gates = new Map<string, ReturnType<typeof deferred<FetchAnswer>>>();
    const { port, fake, webhook } = setup((request) => {
      const gate = deferred<FetchAnswer>();
      gates.set(request.body.match(/id="(q\d)"/)![1], gate);
      return gate.promise;
    }, { maxConcurrent: 2, queueLimit: 1 });
    const reports = [iq("q1"), iq("q2"), iq("q3"), iq("q4"), MSG].map((s) =>
      webhook.deliver(s)
    );
    await Promise.resolve();
    assert.equal(fake.requests.length, 2);
    assert.equal(webhook.inFlight, 2);
    assert.equal(webhook.queued, 1);
    // q4 and the message found the queue full: refused at once.
    assert.equal((await reports[3]).outcome, "refused");
    assert.equal((await reports[4]).outcome, "refused");
    assert.deepEqual(canon(port.sent), [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q4", type: "error" },
        error(
          "wait",
          "resource-constraint",
          "Too many stanzas waiting for the webhook",
        ),
      ),
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "m1", type: "error" },
        error(
          "wait",
          "resource-constraint",
          "Too many stanzas waiting for the webhook",
        ),
      ),
    ]);
    // Finishing q2 starts the queued q3.
    gates.get("q2")!.resolve(new Response(null, { status: 204 }));
    assert.equal((await reports[1]).outcome, "answered");
    assert.equal(fake.requests.length, 3);
    assert.match(fake.requests[2].body, /id="q3"/);
    assert.equal(webhook.queued, 0);
    let drained = false;
    const drain = webhook.drain().then(() => (drained = true));
    gates.get("q1")!.resolve(new Response(null, { status: 204 }));
    await reports[0];
    assert.equal(drained, false);
    gates.get("q3")!.resolve(new Response(null, { status: 204 }));
    await drain;
    assert.equal(webhook.inFlight, 0);
    assert.deepEqual(
      port.sent.slice(2).map((s) => s.attr("id")),
      ["q2", "q1", "q3"],
    );
  },
});

Deno.test({
  name: "deliver() never refuses when queueLimit is 0 but a slot is free",
  permissions: "none",
  async fn() {
    const { webhook } = setup(() => new Response(null, { status: 204 }), {
      maxConcurrent: 1,
      queueLimit: 0,
    });
    assert.equal((await webhook.deliver(IQ_GET)).outcome, "answered");
  },
});

Deno.test({
  name: "drain() resolves at once when nothing is in flight",
  permissions: "none",
  async fn() {
    const { webhook } = setup(() => new Response(null, { status: 204 }));
    await webhook.drain();
    assert.equal(webhook.inFlight, 0);
  },
});

Deno.test({
  name:
    "deliver() turns a timeout into wait/recipient-unavailable for iq and message only",
  permissions: "none",
  async fn() {
    const { port, timeouts, webhook } = setup(
      () => new Promise<never>(() => {}),
      {
        callbackTimeout: 5,
      },
    );
    const reports = [IQ_GET, MSG, PRES, IQ_RESULT, MSG_ERROR].map((s) =>
      webhook.deliver(s)
    );
    await Promise.resolve();
    assert.deepEqual(timeouts.requested, [5000, 5000, 5000, 5000, 5000]);
    timeouts.fireAll();
    for (const report of reports) {
      assert.equal((await report).outcome, "failed");
    }
    assert.deepEqual(canon(port.sent), [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q1", type: "error" },
        error("wait", "recipient-unavailable", "Webhook timed out after 5 s"),
      ),
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "m1", type: "error" },
        error("wait", "recipient-unavailable", "Webhook timed out after 5 s"),
      ),
    ]);
  },
});

Deno.test({
  name: "deliver() uses a 30 s timeout by default",
  permissions: "none",
  async fn() {
    const { timeouts, webhook } = setup(() =>
      new Response(null, { status: 204 })
    );
    await webhook.deliver(IQ_GET);
    assert.deepEqual(timeouts.requested, [30_000]);
  },
});
