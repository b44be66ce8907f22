import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { createInbound } from "../../src/inbound/inbound.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { failingStore } from "../support/failing_store.ts";

const message = (n: number) =>
  el("message", NS.client, { from: `u${n}@x/r`, to: "gw.x", id: `m${n}` });
const iqGet = el("iq", NS.client, {
  from: "u@x/r",
  to: "gw.x",
  id: "q",
  type: "get",
});
const presence = el("presence", NS.client, { from: "u@x/r", to: "gw.x" });

function countingStore() {
  return failingStore(createMemoryStore());
}

Deno.test("createInbound() appends the stanzas of one read in one batch, then offers each with its event", async () => {
  const store = countingStore();
  const offered: [string, number | undefined][] = [];
  const inbound = createInbound({
    send: () => {},
    store,
    now: () => 7,
    consumer: (stanza, event) => {
      offered.push([stanza.attr("id")!, event?.id]);
      return true;
    },
  });
  const results = [1, 2, 3].map((n) => inbound.handler(message(n)));
  assert.deepEqual(await Promise.all(results), [true, true, true]);
  assert.equal(store.appends, 1);
  assert.deepEqual(offered, [["m1", 1], ["m2", 2], ["m3", 3]]);
  const [first] = await store.read(1, 1);
  assert.equal(first.receivedAt, 7);
  assert.equal(first.conversation, "u1@x gw.x");
});

Deno.test("createInbound() without a store offers at once; the consumer's answer is returned", () => {
  const inbound = createInbound({ send: () => {}, consumer: () => false });
  assert.equal(inbound.handler(message(1)), false);
  const none = createInbound({ send: () => {} });
  assert.equal(none.handler(iqGet), false);
});

Deno.test("createInbound() gives a pending delivery only to the consumers deliverTo names", async () => {
  const store = countingStore();
  const inbound = createInbound({
    send: () => {},
    store,
    consumer: () => true,
    deliverTo: (stanza) => stanza.name === "iq" ? [] : ["webhook"],
  });
  await Promise.all([inbound.handler(message(1)), inbound.handler(iqGet)]);
  assert.equal(await store.lastId(), 2);
  assert.equal((await store.deliveryStats("webhook")).pending, 1);
});

Deno.test("createInbound() answers wait/resource-constraint when the store cannot write, and reports health", async () => {
  const store = countingStore();
  store.failing = true;
  const sent: XmlElement[] = [];
  const health: boolean[] = [];
  const offered: string[] = [];
  const inbound = createInbound({
    send: (s) => sent.push(s),
    store,
    consumer: (s) => offered.push(s.name) > 0,
    onStoreHealth: (ok) => health.push(ok),
  });
  const answered = await Promise.all([
    inbound.handler(message(1)),
    inbound.handler(iqGet),
    inbound.handler(presence),
  ]);
  assert.deepEqual(answered, [true, true, true]);
  assert.deepEqual(offered, []);
  assert.equal(inbound.storeHealthy, false);
  assert.deepEqual(sent.map((s) => [s.name, s.attr("type")]), [
    ["message", "error"],
    ["iq", "error"],
  ]);
  const error = sent[1].getChild("error", NS.client)!;
  assert.equal(error.attr("type"), "wait");
  assert.ok(error.getChild("resource-constraint", NS.stanzas));
  store.failing = false;
  await inbound.handler(message(2));
  assert.equal(inbound.storeHealthy, true);
  assert.deepEqual(health, [false, true]);
});

Deno.test("createInbound() with a dedupe window stores a re-sent message once and reports it, not offering it again", async () => {
  const store = countingStore();
  const offered: string[] = [];
  const duplicates: [string, number][] = [];
  let clock = 1_000;
  const inbound = createInbound({
    send: () => {},
    store,
    now: () => clock,
    dedupeWindowMs: 60_000,
    deliverTo: () => ["webhook"],
    consumer: (stanza) => {
      offered.push(stanza.attr("id")!);
      return true;
    },
    onDuplicate: (stanza, first) =>
      duplicates.push([stanza.attr("id")!, first.id]),
  });
  await inbound.handler(message(1));
  await inbound.handler(message(2));
  clock += 30_000;
  assert.equal(await inbound.handler(message(1)), true);
  assert.deepEqual(offered, ["m1", "m2"]);
  assert.deepEqual(duplicates, [["m1", 1]]);
  assert.equal(await store.lastId(), 2);
  // Out of the window it is a new message again.
  clock += 60_000;
  await inbound.handler(message(1));
  assert.deepEqual(offered, ["m1", "m2", "m1"]);
  assert.equal(await store.lastId(), 3);
});

Deno.test("createInbound() without a dedupe window stores every copy", async () => {
  const store = countingStore();
  const inbound = createInbound({
    send: () => {},
    store,
    consumer: () => true,
  });
  await inbound.handler(message(1));
  await inbound.handler(message(1));
  assert.equal(await store.lastId(), 2);
});
