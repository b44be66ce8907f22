// XEP-0114 conformance cases for stanzas: the server's answers, routing between components and clients, iq matching.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { iqResult, readStanzaError } from "../../src/xmpp/stanza.ts";
import { StreamDownError } from "../../src/xmpp/port.ts";
import { ComponentStreamError } from "../../src/component/mod.ts";
import {
  body,
  type ConformanceCase,
  iq,
  nextStanza,
  online,
  ping,
  WAIT_MS,
} from "./conformance_support.ts";
import { behaviourOf } from "./conformance_servers.ts";

/** Stanzas through the server. */
export const stanzaCases: ConformanceCase[] = [
  {
    name: "iq ping to the server domain gets a result from that domain",
    async run(backend) {
      await using client = await online(backend, backend.domains[0]);
      const reply = await client.sendIq(
        iq("get", backend.serverDomain, ping()),
        {
          timeoutMs: WAIT_MS,
        },
      );
      assert.equal(reply.attr("type"), "result");
      assert.equal(reply.attr("from"), backend.serverDomain);
      assert.equal(reply.attr("to"), backend.domains[0]);
    },
  },
  {
    name: "iq version to the server domain gets the server's name and version",
    async run(backend) {
      await using client = await online(backend, backend.domains[0]);
      const reply = await client.sendIq(
        iq("get", backend.serverDomain, el("query", NS.version)),
        { timeoutMs: WAIT_MS },
      );
      assert.equal(reply.attr("type"), "result");
      const query = reply.getChild("query", NS.version);
      assert.ok(query?.getChildText("name"), "no <name>");
      assert.ok(query?.getChildText("version"), "no <version>");
    },
  },
  {
    name: "disco#info to the server domain lists a server identity and ping",
    async run(backend) {
      await using client = await online(backend, backend.domains[0]);
      const reply = await client.sendIq(
        iq("get", backend.serverDomain, el("query", NS.discoInfo)),
        { timeoutMs: WAIT_MS },
      );
      const query = reply.getChild("query", NS.discoInfo);
      assert.equal(query?.getChild("identity")?.attr("category"), "server");
      const features = query?.getChildren("feature").map((f) => f.attr("var"));
      assert.ok(features?.includes(NS.ping), `features: ${features}`);
    },
  },
  {
    name:
      "a ping to a user's bare JID is answered by the server from that bare JID",
    async run(backend) {
      await using client = await online(backend, backend.domains[0]);
      const to = `Bob@${backend.serverDomain.toUpperCase()}`;
      const reply = await client.sendIq(iq("get", to, ping()), {
        timeoutMs: WAIT_MS,
      });
      assert.equal(reply.attr("type"), "result");
      const prepared = behaviourOf(backend).bareJidReplyFrom === "prepared";
      assert.equal(
        reply.attr("from"),
        prepared ? `bob@${backend.serverDomain}` : to,
      );
    },
  },
  {
    name:
      "an iq without 'to' is refused and settles the request (Prosody: bad-request; ejabberd: improper-addressing stream error)",
    async run(backend) {
      await using client = await online(backend, backend.domains[0]);
      const request = client.sendIq(iq("get", undefined, ping()), {
        timeoutMs: WAIT_MS,
      });
      if (behaviourOf(backend).missingTo === "improper-addressing") {
        const error = await request.then(() => undefined, (e) => e);
        assert.ok(error instanceof StreamDownError, String(error));
        assert.ok(error.cause instanceof ComponentStreamError, String(error));
        assert.equal(error.cause.condition, "improper-addressing");
        await client.waitOnline({ signal: AbortSignal.timeout(WAIT_MS) });
        return;
      }
      const reply = await request;
      assert.equal(reply.attr("type"), "error");
      assert.equal(readStanzaError(reply)?.condition, "bad-request");
    },
  },
  {
    name:
      "a message flows from one component to another, from stamped with the domain",
    async run(backend) {
      const [a, b] = backend.domains;
      await using gw = await online(backend, a);
      await using other = await online(backend, b);
      const received = nextStanza(other, (s) => s.name === "message");
      const message = el("message", NS.client, { to: `x@${b}` }, body("hi"));
      gw.send(message);
      const got = await received;
      assert.equal(got.attr("from"), a);
      assert.equal(got.attr("to"), `x@${b}`);
      assert.equal(got.getChildText("body"), "hi");
      assert.equal(message.attr("from"), undefined, "caller's element changed");
    },
  },
  {
    name:
      "a 'from' in the other component's domain (Prosody: invalid-from; ejabberd: accepted, same listener)",
    async run(backend) {
      const [a, b] = backend.domains;
      await using gw = await online(backend, a, { reconnect: false });
      await using other = await online(backend, b);
      const received = nextStanza(other, (s) => s.name === "message");
      const closed = new Promise<Error | undefined>((resolve) =>
        gw.onStateChange((s) => s.name === "closed" && resolve(s.error))
      );
      const from = `spoof@${b}`;
      gw.send(el("message", NS.client, { to: `x@${b}`, from }, body("hi")));
      if (behaviourOf(backend).otherComponentFrom === "accepted") {
        assert.equal((await received).attr("from"), from);
        assert.equal(gw.online, true);
        return;
      }
      const error = await closed;
      assert.ok(error instanceof ComponentStreamError, String(error));
      assert.equal(error.condition, "invalid-from");
    },
  },
  {
    name:
      "a 'from' outside every served domain closes the stream (invalid-from)",
    async run(backend) {
      await using gw = await online(backend, backend.domains[0], {
        reconnect: false,
      });
      const closed = new Promise<Error | undefined>((resolve) =>
        gw.onStateChange((s) => s.name === "closed" && resolve(s.error))
      );
      const from = `spoof@sub.${backend.domains[0]}`;
      gw.send(
        el("message", NS.client, { to: backend.serverDomain, from }, body("x")),
      );
      const error = await closed;
      assert.ok(error instanceof ComponentStreamError, String(error));
      assert.equal(error.condition, "invalid-from");
    },
  },
  {
    name: "an iq between two components gets the handler's reply",
    async run(backend) {
      const [a, b] = backend.domains;
      await using gw = await online(backend, a);
      await using other = await online(backend, b);
      other.setStanzaHandler((stanza) => {
        other.send(iqResult(stanza, el("pong", "urn:example:test")));
        return true;
      });
      const reply = await gw.sendIq(iq("get", `bot@${b}`, ping()), {
        timeoutMs: WAIT_MS,
      });
      assert.equal(reply.attr("type"), "result");
      assert.equal(reply.attr("from"), `bot@${b}`);
      assert.ok(reply.getChild("pong", "urn:example:test"));
    },
  },
  {
    name: "an iq no handler takes is answered with service-unavailable",
    async run(backend) {
      const [a, b] = backend.domains;
      await using gw = await online(backend, a);
      await using other = await online(backend, b);
      other.setStanzaHandler(() => false);
      const reply = await gw.sendIq(
        iq("set", b, el("query", "urn:example:x")),
        {
          timeoutMs: WAIT_MS,
        },
      );
      assert.equal(reply.attr("type"), "error");
      assert.equal(reply.attr("from"), b);
      assert.equal(readStanzaError(reply)?.condition, "service-unavailable");
    },
  },
  {
    name: "a client and the component exchange messages",
    async run(backend) {
      const domain = backend.domains[0];
      await using gw = await online(backend, domain);
      await using alice = await backend.party("alice");
      const received = nextStanza(gw, (s) => s.name === "message");
      alice.send(
        el("message", NS.client, { to: `bot@${domain}` }, body("ping?")),
      );
      const got = await received;
      assert.equal(got.attr("from"), alice.jid);
      assert.equal(got.getChildText("body"), "ping?");
      gw.send(el("message", NS.client, { to: alice.jid }, body("pong!")));
      const reply = await alice.next((s) => s.name === "message");
      assert.equal(reply.attr("from"), domain);
      assert.equal(reply.getChildText("body"), "pong!");
    },
  },
  {
    name: "a client and the component exchange iqs in both directions",
    async run(backend) {
      const domain = backend.domains[0];
      await using gw = await online(backend, domain);
      await using alice = await backend.party("alice");
      gw.setStanzaHandler((stanza) => {
        if (!stanza.getChild("ping", NS.ping)) return false;
        gw.send(iqResult(stanza));
        return true;
      });
      const pong = await alice.sendIq(iq("get", domain, ping()));
      assert.equal(pong.attr("type"), "result");
      assert.equal(pong.attr("from"), domain);

      const request = gw.sendIq(iq("get", alice.jid, el("query", NS.version)), {
        timeoutMs: WAIT_MS,
      });
      const incoming = await alice.next((s) => s.name === "iq");
      alice.send(
        iqResult(
          incoming,
          el("query", NS.version, {}, el("name", NS.version, {}, "test")),
        ),
      );
      const reply = await request;
      assert.equal(reply.attr("from"), alice.jid);
      assert.equal(
        reply.getChild("query", NS.version)?.getChildText("name"),
        "test",
      );
    },
  },
];
