// XEP-0114 component client over an in-memory fake server: sending, delivery, backpressure, keepalive, errors.

import assert from "node:assert/strict";
import type { ComponentOptions } from "../../src/component/api.ts";
import type { ComponentSocket, Dial } from "../../src/component/connection.ts";
import {
  ComponentConnectionError,
  ComponentStreamError,
  createComponent,
} from "../../src/component/mod.ts";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  IqConflictError,
  IqTimeoutError,
  QueueFullError,
  StreamDownError,
} from "../../src/xmpp/port.ts";
import {
  iqResult,
  readStanzaError,
  StanzaError,
} from "../../src/xmpp/stanza.ts";
import { silentLogger } from "../../src/logger.ts";
import { FakeXmppServer } from "../support/fake_server.ts";
import { memoryPipe } from "../support/pipe.ts";

const DOMAIN = "gw.localhost";
const SECRET = "s3cret";

function fakeServer(): FakeXmppServer {
  return FakeXmppServer.memory({ components: { [DOMAIN]: SECRET } });
}

async function connect(
  server: FakeXmppServer,
  overrides: Partial<ComponentOptions> = {},
) {
  const client = createComponent({
    domain: DOMAIN,
    secret: SECRET,
    dial: server.dial,
    backoff: { baseMs: 5, capMs: 20 },
    closeTimeoutMs: 200,
    ...overrides,
  });
  client.start();
  await client.waitOnline();
  return client;
}

/** Records what the client writes; `stall` holds writes until released. */
function spy(dial: Dial) {
  const record = { written: "", stalled: false, release: () => {} };
  let gate: Promise<void> = Promise.resolve();
  const wrapped: Dial = async (address) => {
    const socket = await dial(address);
    const inner = socket.writable.getWriter();
    const writable = new WritableStream<Uint8Array>({
      async write(chunk) {
        record.written += new TextDecoder().decode(chunk);
        await gate;
        await inner.write(chunk);
      },
    });
    return { readable: socket.readable, writable, close: () => socket.close() };
  };
  return {
    record,
    dial: wrapped,
    stall() {
      gate = new Promise((resolve) => record.release = resolve);
    },
  };
}

const message = (attrs: Record<string, string>) =>
  el("message", NS.client, attrs, el("body", NS.client, {}, "hi"));
const ping = (to: string) =>
  el("iq", NS.client, { type: "get", to }, el("ping", NS.ping));

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

Deno.test("a full write queue throws QueueFullError instead of buffering without bound", async () => {
  await using server = fakeServer();
  const tap = spy(server.dial);
  await using client = await connect(server, {
    dial: tap.dial,
    maxQueuedStanzas: 2,
  });
  tap.stall();
  client.send(message({ to: "a@localhost" }));
  client.send(message({ to: "a@localhost" }));
  assert.throws(
    () => client.send(message({ to: "a@localhost" })),
    QueueFullError,
  );
  await assert.rejects(
    client.sendIq(ping("localhost"), { timeoutMs: 100 }),
    QueueFullError,
  );
  tap.record.release();
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

/** Party `alice` sends an iq to the component and returns the reply. */
async function askComponent(
  server: FakeXmppServer,
  payload = el("query", "urn:example:q"),
): Promise<XmlElement> {
  await using alice = server.party("alice@localhost/test");
  return await alice.sendIq(
    el("iq", NS.client, { type: "get", to: DOMAIN }, payload),
  );
}

const handlerCases: {
  name: string;
  handler: (stanza: XmlElement) => boolean | void | Promise<boolean | void>;
  condition: string;
  text?: string;
}[] = [
  {
    name: "no answer (false)",
    handler: () => false,
    condition: "service-unavailable",
  },
  {
    name: "no answer (undefined)",
    handler: () => {},
    condition: "service-unavailable",
  },
  {
    name: "a promise of false",
    handler: () => Promise.resolve(false),
    condition: "service-unavailable",
  },
  {
    name: "a thrown StanzaError",
    handler: () => {
      throw new StanzaError({
        condition: "item-not-found",
        text: "No such node",
      });
    },
    condition: "item-not-found",
    text: "No such node",
  },
  {
    name: "a rejected StanzaError",
    handler: () => Promise.reject(new StanzaError({ condition: "forbidden" })),
    condition: "forbidden",
  },
  {
    name: "another exception",
    handler: () => {
      throw new Error("bug");
    },
    condition: "internal-server-error",
  },
];

for (const { name, handler, condition, text } of handlerCases) {
  Deno.test(`an incoming iq get whose handler gives ${name} is answered with ${condition}`, async () => {
    await using server = fakeServer();
    await using _client = await connect(server, {
      onStanza: handler,
      logger: silentLogger,
    });
    const reply = await askComponent(server);
    assert.equal(reply.attr("type"), "error");
    assert.equal(reply.attr("from"), DOMAIN);
    const error = readStanzaError(reply);
    assert.equal(error?.condition, condition);
    assert.equal(error?.text, text);
  });
}

Deno.test("a handler that takes an iq (true, sync or async) gets no automatic reply", async () => {
  for (const taken of [() => true, () => Promise.resolve(true)]) {
    await using server = fakeServer();
    await using client = await connect(server);
    client.setStanzaHandler((stanza) => {
      if (stanza.getChild("ping", NS.ping)) {
        client.send(iqResult(stanza));
        return true;
      }
      return taken();
    });
    await using alice = server.party("alice@localhost/test");
    alice.send(
      el(
        "iq",
        NS.client,
        { type: "set", to: DOMAIN, id: "kept" },
        el("q", "urn:example:q"),
      ),
    );
    // Two round trips: any automatic reply to "kept" would be in by then.
    for (let i = 0; i < 2; i++) {
      assert.equal((await alice.sendIq(ping(DOMAIN))).attr("type"), "result");
    }
    assert.deepEqual(alice.pending, []);
  }
});

Deno.test("messages, presences and unmatched iq results reach the handler and are never answered", async () => {
  await using server = fakeServer();
  const seen: string[] = [];
  await using _client = await connect(server, {
    onStanza: (stanza) => {
      seen.push(`${stanza.name}:${stanza.attr("type") ?? ""}`);
      return false;
    },
  });
  await using alice = server.party("alice@localhost/test");
  alice.send(message({ to: DOMAIN }));
  alice.send(el("presence", NS.client, { to: DOMAIN }));
  alice.send(el("iq", NS.client, { type: "result", to: DOMAIN, id: "stray" }));
  alice.send(el("iq", NS.client, { type: "error", to: DOMAIN, id: "stray2" }));
  const last = await alice.sendIq(ping(DOMAIN));
  assert.equal(readStanzaError(last)?.condition, "service-unavailable");
  assert.deepEqual(seen, [
    "message:",
    "presence:",
    "iq:result",
    "iq:error",
    "iq:get",
  ]);
  assert.deepEqual(alice.pending, []);
});

Deno.test("stanzas a capture takes while its iq waits do not reach the handler", async () => {
  await using server = fakeServer();
  const handled: string[] = [];
  await using client = await connect(server, {
    onStanza: (stanza) => {
      handled.push(stanza.attr("id") ?? "");
      return false;
    },
  });
  await using alice = server.party("alice@localhost/test");
  const captured: string[] = [];
  const pending = client.sendIq(
    el("iq", NS.client, { type: "set", to: alice.jid }, el("query", NS.mam)),
    {
      timeoutMs: 5000,
      capture: (stanza) => {
        if (
          stanza.name !== "message" || stanza.attr("id") === "free"
        ) return false;
        captured.push(stanza.attr("id") ?? "");
        return true;
      },
    },
  );
  const query = await alice.next();
  alice.send(message({ to: DOMAIN, id: "r1" }));
  alice.send(message({ to: DOMAIN, id: "free" }));
  alice.send(message({ to: DOMAIN, id: "r2" }));
  alice.send(iqResult(query));
  assert.equal((await pending).attr("type"), "result");
  assert.deepEqual(captured, ["r1", "r2"]);
  assert.deepEqual(handled, ["free"]);
});
