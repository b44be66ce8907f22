// XEP-0114 component client: delivery of incoming stanzas to the handler, automatic error replies, captures.

import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import {
  iqResult,
  readStanzaError,
  StanzaError,
} from "../../src/xmpp/stanza.ts";
import { silentLogger } from "../../src/logger.ts";
import type { FakeXmppServer } from "../support/fake_server.ts";
import {
  connect,
  DOMAIN,
  fakeServer,
  message,
  ping,
} from "./client_support.ts";

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
