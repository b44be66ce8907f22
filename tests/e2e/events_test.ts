// Receiving without a webhook against real Prosody: SSE resume, inbound iqs answered over POST, built-in answers, Idempotency-Key.

import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { startGatewayEnv } from "../support/gateway_env.ts";
import { SseReader } from "../support/sse_reader.ts";
import { WebhookStub } from "./webhook_stub.ts";
import { PROSODY, type XmppServer } from "../support/xmpp_server.ts";

const C = NS.client;
const DISCO = NS.discoInfo;
const isMessage = (body: string) => (s: XmlElement) =>
  s.is("message", C) && s.getChildText("body", C) === body;

/** A gauge without labels from GET /metrics. */
async function gauge(
  env: { fetch(path: string): Promise<Response> },
  name: string,
): Promise<number> {
  const text = await (await env.fetch("/metrics")).text();
  const value = new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1];
  assert.ok(value !== undefined, `${name} is reported`);
  return Number(value);
}

async function sseResume(server: XmppServer): Promise<void> {
  await using env = await startGatewayEnv(server);
  const alice = await env.party("alice");
  const open = (headers: Record<string, string> = {}) =>
    env.fetch("/rest/events", { headers }).then((r) => {
      assert.equal(r.status, 200);
      return new SseReader(r.body!);
    });
  const first = await open();
  await first.next(); // connected: events from now on
  assert.equal(await gauge(env, "xmpp_rest_sse_clients"), 1);
  for (let i = 1; i <= 20; i++) {
    alice.send(
      el(
        "message",
        C,
        { to: env.domain, type: "chat" },
        el("body", C, {}, `m${i}`),
      ),
    );
  }
  const seen: { id: number; body: string }[] = [];
  for (let i = 0; i < 7; i++) {
    const block = await first.nextEvent();
    const data = JSON.parse(block!.data);
    assert.equal(block!.event, "message");
    seen.push({ id: Number(block!.id), body: data.stanza.body });
  }
  await first.cancel(); // mid-stream: 13 of the 20 not read
  for (let i = 21; i <= 30; i++) {
    alice.send(
      el(
        "message",
        C,
        { to: env.domain, type: "chat" },
        el("body", C, {}, `m${i}`),
      ),
    );
  }
  await alice.send(
    el("message", C, { to: env.domain }, el("body", C, {}, "last")),
  );
  const resumed = await open({ "Last-Event-ID": String(seen[6].id) });
  for (;;) {
    const block = await resumed.nextEvent();
    const data = JSON.parse(block!.data);
    if (data.stanza.body === "last") break;
    seen.push({ id: Number(block!.id), body: data.stanza.body });
  }
  await resumed.cancel();
  // Gone clients are freed: nothing reads a held stream, so the writes of
  // the next events (or a heartbeat) are what notice they left.
  for (let n = 0; await gauge(env, "xmpp_rest_sse_clients") > 0; n++) {
    assert.ok(n < 100, "the clients that left are still counted");
    await alice.send(
      el("message", C, { to: env.domain }, el("body", C, {}, `gone ${n}`)),
    );
    await new Promise((r) => setTimeout(r, 100));
  }
  // Exactly the missed ones, in order: no gap, no duplicate.
  assert.deepEqual(
    seen.map((s) => s.body),
    Array.from({ length: 30 }, (_, i) => `m${i + 1}`),
  );
  for (let i = 1; i < seen.length; i++) {
    assert.equal(seen[i].id, seen[i - 1].id + 1);
  }
}

async function inboundIqs(server: XmppServer): Promise<void> {
  await using env = await startGatewayEnv(server, { inboundIqTimeout: 1 });
  const alice = await env.party("alice");
  const bot = `bot@${env.domain}`;
  const pull = async (offset: number, timeout = 10) => {
    const r = await env.fetch(
      `/rest/updates?offset=${offset}&timeout=${timeout}`,
      {
        headers: { Accept: "application/json" },
      },
    );
    assert.equal(r.status, 200);
    return await r.json();
  };
  let offset = (await pull(-1, 0)).next_offset;

  // A disco#info to a bot at the component, answered over POST in JSON.
  const disco = alice.sendIq(
    el("iq", C, { type: "get", to: bot, id: "d1" }, el("query", DISCO)),
  );
  const discoEvent = (await pull(offset)).events[0];
  offset = discoEvent.id + 1;
  assert.equal(discoEvent.kind, "iq");
  assert.equal(discoEvent.stanza.to, bot);
  const answered = await env.fetch("/rest", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      kind: "iq",
      type: "result",
      id: discoEvent.stanza.id,
      to: discoEvent.stanza.from,
      disco: {
        identities: [{ category: "client", type: "bot", name: "Bot" }],
        features: ["urn:example:bot"],
      },
    }),
  });
  assert.equal(answered.status, 202);
  const discoReply = await disco;
  assert.equal(discoReply.attr("type"), "result");
  assert.equal(discoReply.attr("from"), bot);
  const query = discoReply.getChild("query", DISCO)!;
  assert.equal(query.getChild("identity", DISCO)?.attr("name"), "Bot");
  assert.equal(
    query.getChild("feature", DISCO)?.attr("var"),
    "urn:example:bot",
  );

  // A custom iq, answered in XML.
  const custom = alice.sendIq(
    el(
      "iq",
      C,
      { type: "set", to: bot, id: "c1" },
      el("order", "urn:example:pizza", {}, "margherita"),
    ),
  );
  const customEvent = (await pull(offset)).events[0];
  offset = customEvent.id + 1;
  const reply = await env.fetch("/rest", {
    method: "POST",
    headers: { "Content-Type": "application/xmpp+xml" },
    body:
      `<iq type="result" id="${customEvent.stanza.id}" to="${customEvent.stanza.from}"><accepted xmlns="urn:example:pizza">42</accepted></iq>`,
  });
  assert.equal(reply.status, 202);
  const customReply = await custom;
  assert.equal(customReply.attr("type"), "result");
  assert.equal(customReply.getChildText("accepted", "urn:example:pizza"), "42");

  // Nobody answers: service-unavailable after --inbound-iq-timeout (1 s); a late answer is a 409.
  const started = Date.now();
  const unanswered = await alice.sendIq(
    el(
      "iq",
      C,
      { type: "get", to: bot, id: "u1" },
      el("query", "urn:example:nobody"),
    ),
  );
  assert.ok(Date.now() - started >= 900);
  assert.equal(unanswered.attr("type"), "error");
  assert.ok(
    unanswered.getChild("error", C)?.getChild(
      "service-unavailable",
      NS.stanzas,
    ),
  );
  const late = await env.fetch("/rest", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      kind: "iq",
      type: "result",
      id: "u1",
      to: alice.jid,
    }),
  });
  assert.equal(late.status, 409);

  // Built-in answers for the component's own domain, at once.
  const ping = await alice.sendIq(
    el("iq", C, { type: "get", to: env.domain }, el("ping", NS.ping)),
  );
  assert.equal(ping.attr("type"), "result");
  const info = await alice.sendIq(
    el("iq", C, { type: "get", to: env.domain }, el("query", DISCO)),
  );
  const features = info.getChild("query", DISCO)!.getChildren("feature", DISCO)
    .map((f) => f.attr("var"));
  assert.deepEqual(
    features.sort(),
    [DISCO, NS.version, NS.ping, "urn:xmpp:time"].sort(),
  );
  const time = await alice.sendIq(
    el("iq", C, { type: "get", to: env.domain }, el("time", "urn:xmpp:time")),
  );
  const utc = Date.parse(
    time.getChild("time", "urn:xmpp:time")?.getChildText(
      "utc",
      "urn:xmpp:time",
    ) ?? "",
  );
  assert.ok(Math.abs(utc - Date.now()) < 60_000);
}

async function etiquetteOff(server: XmppServer): Promise<void> {
  await using env = await startGatewayEnv(server, {
    inboundIqTimeout: 0.5,
    etiquette: ["disco"],
  });
  const alice = await env.party("alice");
  // Ping switched off: it is an event, and unanswered it gets service-unavailable.
  const ping = await alice.sendIq(
    el("iq", C, { type: "get", to: env.domain }, el("ping", NS.ping)),
  );
  assert.equal(ping.attr("type"), "error");
  const version = await alice.sendIq(
    el("iq", C, { type: "get", to: env.domain }, el("query", NS.version)),
  );
  assert.equal(version.attr("type"), "error");
  const info = await alice.sendIq(
    el("iq", C, { type: "get", to: env.domain }, el("query", DISCO)),
  );
  assert.deepEqual(
    info.getChild("query", DISCO)!.getChildren("feature", DISCO).map((f) =>
      f.attr("var")
    ),
    [DISCO],
  );
  const events = await (await env.fetch("/rest/updates?limit=10", {
    headers: { Accept: "application/json" },
  })).json();
  assert.ok(
    events.events.some((e: { stanza: { ping?: boolean } }) =>
      e.stanza.ping === true
    ),
  );
}

async function idempotentSending(server: XmppServer): Promise<void> {
  await using env = await startGatewayEnv(server);
  const bob = await env.party("bob");
  const send = (key: string, body: string) =>
    env.fetch("/rest", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": `"${key}"`,
      },
      body: JSON.stringify({
        kind: "message",
        type: "chat",
        to: bob.jid,
        body,
      }),
    });
  const sequential: number[] = [];
  for (let i = 0; i < 5; i++) {
    sequential.push((await send("seq-1", "sequential")).status);
  }
  assert.deepEqual(sequential, [202, 202, 202, 202, 202]);
  const together = await Promise.all(
    Array.from({ length: 5 }, () => send("par-1", "together")),
  );
  const statuses = together.map((r) => r.status);
  assert.equal(
    statuses.filter((s) => s === 202).length >= 1,
    true,
    String(statuses),
  );
  assert.ok(statuses.every((s) => s === 202 || s === 409), String(statuses));
  const conflicting = await send("seq-1", "another body");
  assert.equal(conflicting.status, 422);
  await bob.next(isMessage("sequential"));
  await bob.next(isMessage("together"));
  // A marker sent after everything: when it arrives, no duplicate can still be on its way.
  assert.equal((await send("marker", "marker")).status, 202);
  await bob.next(isMessage("marker"));
  // Stanzas from one sender arrive in order: a duplicate would be before the marker.
  await assert.rejects(
    bob.next(
      (s) => s.is("message", C) && s.getChild("body", C) !== undefined,
      300,
    ),
  );
}

async function besideWebhook(server: XmppServer): Promise<void> {
  await using hook = new WebhookStub();
  await using env = await startGatewayEnv(server, {
    callbackUrl: hook.url(),
    eventsApi: "on",
  });
  const alice = await env.party("alice");
  const sse = await env.fetch("/rest/events").then((r) =>
    new SseReader(r.body!)
  );
  await sse.next(); // connected
  alice.send(
    el(
      "message",
      C,
      { to: `bot@${env.domain}`, type: "chat" },
      el("body", C, {}, "to all"),
    ),
  );
  const posted = await hook.waitFor((r) => r.method === "POST");
  assert.match(posted.body, /to all/);
  const streamed = await sse.nextEvent();
  assert.equal(JSON.parse(streamed!.data).stanza.body, "to all");
  const pulled = await (await env.fetch("/rest/updates?offset=-1", {
    headers: { Accept: "application/json" },
  })).json();
  assert.equal(pulled.events[0].stanza.body, "to all");
  await sse.cancel();
}

const CASES: [string, (server: XmppServer) => Promise<void>][] = [
  [
    "webhook, pull and SSE at the same time each get the message",
    besideWebhook,
  ],
  [
    "an SSE client that disconnects mid-stream resumes with Last-Event-ID and gets exactly the missed events, in order",
    sseResume,
  ],
  [
    "a disco#info and a custom iq to a bot are answered over POST; an unanswered one gets service-unavailable after the timeout; built-in answers for the domain",
    inboundIqs,
  ],
  ["built-in answers switched off become events", etiquetteOff],
  [
    "the same Idempotency-Key five times in a row and five at once: the recipient gets one message each",
    idempotentSending,
  ],
];

if (PROSODY.installed() || Deno.env.get("CI")) {
  Deno.test("receiving without a webhook over Prosody", async (t) => {
    await using server = await PROSODY.start();
    for (const [name, run] of CASES) await t.step(name, () => run(server));
  });
}
