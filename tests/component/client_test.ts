// XEP-0114 component client over an in-memory fake server: sending, iqs, backpressure, keepalive, stream errors.

import assert from "node:assert/strict";
import type { ComponentSocket } from "../../src/component/connection.ts";
import {
  ComponentConnectionError,
  ComponentStreamError,
  createComponent,
} from "../../src/component/mod.ts";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  IqConflictError,
  IqTimeoutError,
  QueueFullError,
  StanzaTooLargeError,
  StreamDownError,
} from "../../src/xmpp/port.ts";
import { serialize } from "../../src/xml/serialize.ts";
import { iqResult } from "../../src/xmpp/stanza.ts";
import { memoryPipe } from "../support/pipe.ts";
import {
  connect,
  DOMAIN,
  fakeServer,
  message,
  ping,
  SECRET,
  spy,
} from "./client_support.ts";

Deno.test("send() stamps from with the domain on a copy and keeps an explicit from", async () => {
  await using server = fakeServer();
  await using client = await connect(server);
  const conn = await server.connection(DOMAIN);
  const bare = message({ to: "alice@localhost" });
  client.send(bare);
  client.send(message({ to: "alice@localhost", from: `bot@${DOMAIN}/r` }));
  client.send(ping(DOMAIN).withAttrs({ type: "result", id: "x" }));
  await client.sendIq(ping("localhost"), { timeoutMs: 5000 });
  assert.deepEqual(
    conn.received.map((s) => s.attr("from")),
    [DOMAIN, `bot@${DOMAIN}/r`, DOMAIN, DOMAIN],
  );
  assert.equal(bare.attr("from"), undefined);
});

Deno.test("send() refuses elements that are not stanzas", async () => {
  await using server = fakeServer();
  await using client = await connect(server);
  for (
    const element of [
      el("handshake", NS.client),
      el("message", "jabber:server"),
    ]
  ) {
    assert.throws(() => client.send(element), TypeError);
  }
});

Deno.test("send() and sendIq() throw StreamDownError before start and after stop", async () => {
  await using server = fakeServer();
  const client = createComponent({
    domain: DOMAIN,
    secret: SECRET,
    dial: server.dial,
  });
  assert.throws(
    () => client.send(message({ to: "a@localhost" })),
    StreamDownError,
  );
  await assert.rejects(
    client.sendIq(ping("localhost"), { timeoutMs: 100 }),
    StreamDownError,
  );
  await assert.rejects(client.waitOnline(), StreamDownError);
  client.start();
  await client.waitOnline();
  await client.stop();
  assert.throws(
    () => client.send(message({ to: "a@localhost" })),
    StreamDownError,
  );
});

Deno.test("sendIq() takes only iq get/set", async () => {
  await using server = fakeServer();
  await using client = await connect(server);
  for (const type of ["result", "error", undefined]) {
    await assert.rejects(
      client.sendIq(el("iq", NS.client, { type, to: "localhost" }), {
        timeoutMs: 100,
      }),
      TypeError,
    );
  }
  await assert.rejects(
    client.sendIq(message({ to: "x" }), { timeoutMs: 100 }),
    TypeError,
  );
});

Deno.test("sendIq() adds an id to a copy; the caller's iq is unchanged", async () => {
  await using server = fakeServer();
  await using client = await connect(server, { newId: () => "generated-1" });
  const request = ping("localhost");
  const reply = await client.sendIq(request, { timeoutMs: 5000 });
  assert.equal(reply.attr("id"), "generated-1");
  assert.equal(request.attr("id"), undefined);
});

Deno.test("a second in-flight iq with the same id and recipient fails with IqConflictError", async () => {
  await using server = fakeServer();
  await using client = await connect(server);
  await using alice = server.party("alice@localhost/test");
  const first = client.sendIq(ping(alice.jid).withAttrs({ id: "same" }), {
    timeoutMs: 5000,
  });
  await assert.rejects(
    client.sendIq(ping(alice.jid).withAttrs({ id: "same" }), {
      timeoutMs: 5000,
    }),
    IqConflictError,
  );
  alice.send(iqResult(await alice.next()));
  assert.equal((await first).attr("type"), "result");
});

Deno.test("sendIq() rejects with IqTimeoutError when nobody answers", async () => {
  await using server = fakeServer();
  await using client = await connect(server);
  await using _alice = server.party("alice@localhost/test");
  await assert.rejects(
    client.sendIq(ping("alice@localhost/test"), { timeoutMs: 10 }),
    IqTimeoutError,
  );
});

/**
 * A client whose socket stalls with its write queue full: two stanzas of
 * at most 2 (`stanzas`), or two of about 60 characters with room for 100
 * (`text`).
 */
async function fullQueue(
  server: ReturnType<typeof fakeServer>,
  bound: "stanzas" | "text" = "stanzas",
) {
  const tap = spy(server.dial);
  const client = await connect(server, {
    dial: tap.dial,
    ...bound === "stanzas" ? { maxQueuedStanzas: 2 } : { maxQueuedUnits: 100 },
  });
  tap.stall();
  client.send(message({ to: "a@localhost" }));
  client.send(message({ to: "a@localhost" }));
  return { client, tap };
}

for (const bound of ["stanzas", "text"] as const) {
  Deno.test(`a write queue full by its ${bound} bound throws QueueFullError instead of buffering without bound`, async () => {
    await using server = fakeServer();
    const full = await fullQueue(server, bound);
    await using client = full.client;
    const tap = full.tap;
    assert.throws(
      () => client.send(message({ to: "a@localhost" })),
      (error) =>
        error instanceof QueueFullError &&
        /\(2 stanzas, \d+ characters waiting\)/.test(error.message),
    );
    await assert.rejects(
      client.sendIq(ping("localhost"), { timeoutMs: 100 }),
      QueueFullError,
    );
    tap.record.release();
  });
}

Deno.test("sendWhenRoom() waits for room in a full write queue, and gives QueueFullError when none comes in time", async () => {
  await using server = fakeServer();
  const full = await fullQueue(server);
  await using client = full.client;
  const tap = full.tap;
  await assert.rejects(
    client.sendWhenRoom(message({ to: "a@localhost", id: "late" }), 30),
    QueueFullError,
  );
  const waiting = client.sendWhenRoom(
    message({ to: "a@localhost", id: "waits" }),
    10_000,
  );
  let settled = false;
  waiting.finally(() => settled = true);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(settled, false, "still waiting while the socket is stalled");
  tap.record.release();
  await waiting;
  await new Promise<void>((resolve) => {
    const poll = () =>
      tap.record.written.includes("waits") ? resolve() : setTimeout(poll, 1);
    poll();
  });
  assert.ok(
    !tap.record.written.includes("late"),
    "the refused one was not sent",
  );
});

Deno.test("the keepalive writes whitespace while online", async () => {
  await using server = fakeServer();
  const tap = spy(server.dial);
  await using client = await connect(server, {
    dial: tap.dial,
    keepaliveMs: 1,
  });
  const before = tap.record.written.length;
  await new Promise<void>((resolve) => {
    const poll = () =>
      tap.record.written.length > before ? resolve() : setTimeout(poll, 1);
    poll();
  });
  assert.match(tap.record.written.slice(before), /^ +$/);
  assert.equal(client.online, true);
});

Deno.test("bad XML from the server is answered with not-well-formed, then the client reconnects", async () => {
  await using server = fakeServer();
  await using client = await connect(server);
  const conn = await server.connection(DOMAIN);
  const states: string[] = [];
  const back = new Promise<void>((resolve) =>
    client.onStateChange((state) => {
      states.push(state.name);
      if (state.name === "online") resolve();
    })
  );
  conn.writeRaw("<message><body></message>");
  await back;
  const sent = conn.received.find((e) => e.is("error", NS.streams));
  assert.equal(sent?.elements()[0]?.name, "not-well-formed");
  assert.equal(states[0], "waiting-to-reconnect");
});

Deno.test("a stanza from outside the domain makes the server close with invalid-from", async () => {
  await using server = fakeServer();
  await using client = await connect(server, { reconnect: false });
  const closed = new Promise<unknown>((resolve) =>
    client.onStateChange((state) =>
      state.name === "closed" && resolve(state.error)
    )
  );
  client.send(
    message({ to: "a@localhost", from: "someone@elsewhere.example" }),
  );
  const error = await closed;
  assert.ok(error instanceof ComponentStreamError);
  assert.equal(error.condition, "invalid-from");
  assert.equal(error.phase, "online");
});

Deno.test("the handshake times out when the server never answers", async () => {
  const pipes: ComponentSocket[] = [];
  await using client = createComponent({
    domain: DOMAIN,
    secret: SECRET,
    reconnect: false,
    handshakeTimeoutMs: 5,
    dial: () => {
      const [clientEnd, serverEnd] = memoryPipe();
      pipes.push(serverEnd);
      return Promise.resolve(clientEnd);
    },
  });
  client.start();
  const error = await client.waitOnline().catch((e) => e);
  assert.ok(error instanceof ComponentConnectionError);
  assert.equal(error.reason, "handshake-timeout");
  for (const pipe of pipes) pipe.close();
});

Deno.test("stop() sends </stream:stream> and the server sees the close", async () => {
  await using server = fakeServer();
  const client = await connect(server);
  const conn = await server.connection(DOMAIN);
  await client.stop();
  assert.equal(conn.closedByComponent, true);
  assert.deepEqual(client.state, { name: "closed" });
});

Deno.test("waitOnline() rejects with the signal's reason on abort", async () => {
  await using server = fakeServer();
  server.handshakeHook = () => "not-authorized";
  await using client = createComponent({
    domain: DOMAIN,
    secret: SECRET,
    dial: server.dial,
    backoff: { baseMs: 5, capMs: 5 },
  });
  client.start();
  const controller = new AbortController();
  const waiting = client.waitOnline({ signal: controller.signal });
  controller.abort(new Error("gave up"));
  await assert.rejects(waiting, /gave up/);
});

Deno.test("send() and sendIq() refuse a stanza whose serialised form is over maxStanzaBytes, counted after escaping and the added from; nothing is written", async () => {
  await using server = fakeServer();
  const withBody = (body: string) =>
    el(
      "message",
      NS.client,
      { to: "alice@localhost" },
      el("body", NS.client, {}, body),
    );
  const overhead = new TextEncoder().encode(
    serialize(withBody("").withAttrs({ from: DOMAIN }), {
      parentNs: NS.client,
    }),
  ).byteLength;
  const limit = overhead + 40;
  await using client = await connect(server, { maxStanzaBytes: limit });
  const conn = await server.connection(DOMAIN);
  const cases: [string, string, boolean][] = [
    ["40 ASCII bytes: exactly the limit", "x".repeat(40), true],
    ["41 ASCII bytes", "x".repeat(41), false],
    ["10 '>' are 40 bytes as &gt;", ">".repeat(10), true],
    ["11 '>' are 44 bytes as &gt;", ">".repeat(11), false],
    ["14 '€' are 42 bytes of UTF-8", "€".repeat(14), false],
  ];
  for (const [name, body, fits] of cases) {
    if (fits) client.send(withBody(body));
    else {
      assert.throws(
        () => client.send(withBody(body)),
        StanzaTooLargeError,
        name,
      );
    }
  }
  const iq = ping("localhost").withChildren([
    el("x", "urn:test", { a: '"'.repeat(limit) }),
  ]);
  await assert.rejects(
    client.sendIq(iq, { timeoutMs: 1000 }),
    StanzaTooLargeError,
  );
  await client.sendIq(ping("localhost"), { timeoutMs: 5000 });
  assert.deepEqual(
    conn.received.filter((s) => s.name === "message").map((s) =>
      s.getChildText("body", NS.client)
    ),
    ["x".repeat(40), ">".repeat(10)],
  );
  assert.equal(client.online, true);
});
