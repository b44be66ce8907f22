// Sync mode and a slow webhook (README "Sync mode"): rest_callback_timeout bounds the wait from receipt; one busy conversation does not hold the others back.

import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { FairQueue } from "../../src/webhook/fair_queue.ts";
import { setup } from "./harness.ts";

const msg = (from: string, id: string): XmlElement =>
  el("message", NS.client, {
    from,
    to: "bot@rest.example.net",
    id,
    type: "chat",
  }, el("body", NS.client, {}, id));

Deno.test({
  name:
    "deliver(): a conversation holds at most a quarter of the slots; another starts at once",
  permissions: "none",
  async fn() {
    const { fake, webhook, timeouts, port } = setup(
      () => new Promise<never>(() => {}),
      { maxConcurrent: 8, callbackTimeout: 7 },
    );
    const alice = [1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
      webhook.deliver(msg("alice@example.org/a", `a${n}`))
    );
    const bob = webhook.deliver(msg("bob@example.org/b", "b1"));
    await Promise.resolve();
    assert.deepEqual(
      fake.requests.map((r) => /id="(\w+)"/.exec(r.body)![1]),
      ["a1", "a2", "a3", "a4", "a5", "a6", "b1"],
    );
    assert.equal(webhook.queued, 2);
    // Every wait is bounded from receipt: one timeout per stanza, 7 s each.
    assert.deepEqual(timeouts.requested, Array(9).fill(7000));
    timeouts.fireAll();
    await Promise.all([...alice, bob]);
    const texts = port.sent.map((
      s,
    ) => [
      s.attr("id"),
      s.getChild("error", NS.client)!.getChildText("text", NS.stanzas),
    ]);
    assert.deepEqual(Object.fromEntries(texts), {
      a1: "Webhook timed out after 7 s",
      a2: "Webhook timed out after 7 s",
      a3: "Webhook timed out after 7 s",
      a4: "Webhook timed out after 7 s",
      a5: "Webhook timed out after 7 s",
      a6: "Webhook timed out after 7 s",
      b1: "Webhook timed out after 7 s",
      a7: "Webhook busy: no free slot within 7 s",
      a8: "Webhook busy: no free slot within 7 s",
    });
    assert.equal(webhook.queued, 0);
    assert.equal(fake.requests.length, 7, "expired stanzas are never posted");
  },
});

Deno.test({
  name: "FairQueue takes conversations in turn, skipping those at their cap",
  permissions: "none",
  fn() {
    const queue = new FairQueue<string>();
    for (
      const [c, j] of [["a", "a1"], ["a", "a2"], ["b", "b1"], ["a", "a3"], [
        "c",
        "c1",
      ]]
    ) {
      queue.push(c, j);
    }
    const taken: string[] = [];
    for (let next; (next = queue.next((c) => c !== "c"));) taken.push(next.job);
    assert.deepEqual(taken, ["a1", "b1", "a2", "a3"]);
    assert.equal(queue.size, 1);
    assert.equal(queue.remove("c", "c1"), true);
    assert.equal(queue.remove("c", "c1"), false);
    assert.equal(queue.size, 0);
  },
});
