// What is kept, and for how long, against real Prosody (README "What is kept, and for how long"): events go once every consumer is done with them, or at retention end.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import type { C2sClient } from "../support/c2s_client.ts";
import { type GatewayEnv, startGatewayEnv } from "../support/gateway_env.ts";
import { PROSODY, type XmppServer } from "../support/xmpp_server.ts";
import { reply, WebhookStub } from "./webhook_stub.ts";

const C = NS.client;

function sendChats(alice: C2sClient, to: string, bodies: readonly string[]) {
  for (const body of bodies) {
    alice.send(el("message", C, { to, type: "chat" }, el("body", C, {}, body)));
  }
}

/** The value of a metric without labels, from GET /metrics. */
async function gauge(env: GatewayEnv, name: string): Promise<number> {
  const text = await (await fetch(`${env.url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  assert.ok(match, `no ${name} in\n${text}`);
  return Number(match[1]);
}

/** Polls the events-stored gauge until it reads `count` (the pruner runs about a second after an acknowledgement). */
async function storedBecomes(env: GatewayEnv, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last = NaN;
  while ((last = await gauge(env, "xmpp_rest_events_stored")) !== count) {
    assert.ok(Date.now() < deadline, `events stored: ${last}, not ${count}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Page {
  events: { id: number; stanza: { body?: string } }[];
  next_offset: number;
}

function puller(env: GatewayEnv, consumer: string) {
  return async (offset?: number, timeout = 10): Promise<Page> => {
    const at = offset === undefined ? "" : `&offset=${offset}`;
    const r = await env.fetch(
      `/rest/updates?consumer=${consumer}&timeout=${timeout}${at}`,
      { headers: { Accept: "application/json" } },
    );
    assert.equal(r.status, 200);
    return await r.json();
  };
}

/** Pulls from `offset` until `count` events were returned (not acknowledging the last page). */
async function pullAll(
  pull: ReturnType<typeof puller>,
  count: number,
  offset = 1,
): Promise<Page["events"]> {
  const events: Page["events"] = [];
  const deadline = Date.now() + 20_000;
  while (events.length < count) {
    assert.ok(Date.now() < deadline, `only ${events.length} of ${count}`);
    const page = await pull(offset);
    events.push(...page.events);
    offset = page.next_offset;
  }
  return events;
}

async function twoPullConsumers(server: XmppServer): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "xmpp-rest-kept-" });
  try {
    const first = await acknowledgeThenRetain(server, dataDir);
    // Restarted on the same data with a retention they are now past:
    // the start-up sweep deletes what "two" never acknowledged.
    await using env = await startGatewayEnv(server, {
      dataDir,
      eventRetention: 1,
    });
    await storedBecomes(env, 0);
    assert.deepEqual(await puller(env, "two")(undefined, 0), {
      events: [],
      next_offset: first + 10,
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

/** Runs the acknowledgement part on a first gateway; returns the first event id. */
async function acknowledgeThenRetain(
  server: XmppServer,
  dataDir: string,
): Promise<number> {
  await using env = await startGatewayEnv(server, { dataDir });
  const alice = await env.party("alice");
  const one = puller(env, "one");
  const two = puller(env, "two");
  // Both consumers make themselves known with a first pull.
  assert.deepEqual((await one(undefined, 0)).events, []);
  assert.deepEqual((await two(undefined, 0)).events, []);

  const bodies = Array.from({ length: 10 }, (_, i) => `k${i + 1}`);
  sendChats(alice, env.domain, bodies);
  const seenByOne = await pullAll(one, 10);
  const seenByTwo = await pullAll(two, 10);
  assert.deepEqual(seenByOne.map((e) => e.stanza.body), bodies);
  assert.deepEqual(seenByTwo.map((e) => e.stanza.body), bodies);
  const first = seenByOne[0].id;
  await storedBecomes(env, 10);

  // "one" acknowledges everything: "two" still needs all ten.
  await one(first + 10, 0);
  await new Promise((r) => setTimeout(r, 2_500)); // past the pruner's delay
  assert.equal(await gauge(env, "xmpp_rest_events_stored"), 10);
  assert.equal((await two(first, 0)).events.length, 10);

  // "two" acknowledges the first four: those go, the rest stay.
  await two(first + 4, 0);
  await storedBecomes(env, 6);
  const rest = await two(first, 0); // re-reads from the first kept event
  assert.deepEqual(rest.events.map((e) => e.stanza.body), bodies.slice(4));

  // Both done: nothing is kept; ids go on.
  await two(first + 10, 0);
  await storedBecomes(env, 0);
  assert.equal(
    await gauge(env, "xmpp_rest_events_last_id"),
    first + 9,
  );

  // Retention still removes what a consumer never acknowledged.
  sendChats(alice, env.domain, ["late1", "late2", "late3"]);
  await pullAll(one, 3, first + 10);
  await one(first + 13, 0); // "one" is done, "two" never acknowledges them
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(await gauge(env, "xmpp_rest_events_stored"), 3);
  return first;
}

async function forgetConsumer(server: XmppServer): Promise<void> {
  await using env = await startGatewayEnv(server);
  const alice = await env.party("alice");
  const active = puller(env, "active");
  await puller(env, "stuck")(undefined, 0); // known, then never again
  await active(undefined, 0);
  sendChats(alice, env.domain, ["f1", "f2"]);
  const events = await pullAll(active, 2);
  await active(events[1].id + 1, 0);
  await storedBecomes(env, 2); // "stuck" keeps them
  const leave = () =>
    env.fetch("/rest/updates?consumer=stuck", { method: "DELETE" });
  assert.equal((await leave()).status, 204);
  await storedBecomes(env, 0);
  const again = await leave();
  assert.equal(again.status, 404);
  assert.match((await again.json()).error.text, /No pull consumer "stuck"/);
}

async function webhookOnly(server: XmppServer): Promise<void> {
  await using stub = new WebhookStub();
  // "bad" is refused for good (a dead letter); everything else is delivered.
  stub.answer = (request) =>
    request.body.includes(">bad<") ? reply.empty(400) : reply.empty(204);
  await using env = await startGatewayEnv(server, {
    callbackUrl: stub.url(),
    callbackMode: "reliable",
    callbackRetry: [0],
  });
  const alice = await env.party("alice");
  sendChats(alice, `bot@${env.domain}`, ["good1", "bad", "good2"]);
  await stub.waitFor((r) => r.body.includes(">good2<"));
  // The delivered ones go; the dead letter stays, listable and replayable.
  await storedBecomes(env, 1);
  const { deadLetters } = await (await env.fetch("/webhook/dead-letters"))
    .json();
  assert.equal(deadLetters.length, 1);
  assert.match(JSON.stringify(deadLetters[0]), />bad</);
  // Replayed and delivered this time: now it goes too.
  stub.answer = () => reply.empty(204);
  const redelivered = await env.fetch("/webhook/redeliver", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ids: [deadLetters[0].id] }),
  });
  assert.deepEqual(await redelivered.json(), { redelivered: 1 });
  await storedBecomes(env, 0);
}

if (PROSODY.installed() || Deno.env.get("CI")) {
  Deno.test("events kept over Prosody", async (t) => {
    await using server = await PROSODY.start();
    await t.step(
      "two pull consumers: events stay until both acknowledged them, then go; retention removes unacknowledged ones",
      () => twoPullConsumers(server),
    );
    await t.step(
      "a consumer that never comes back is forgotten with DELETE /rest/updates: what it kept goes",
      () => forgetConsumer(server),
    );
    await t.step(
      "a reliable webhook alone: delivered events go, a dead letter stays listable",
      () => webhookOnly(server),
    );
  });
}
