// XEP-0114 component conformance cases, run unchanged over the in-memory pipe, the fake server and real Prosody.

import assert from "node:assert/strict";
import {
  type ComponentClient,
  type ComponentOptions,
  ComponentStreamError,
  createComponent,
} from "../../src/component/mod.ts";
import type { ComponentState } from "../../src/component/session.ts";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { StreamDownError } from "../../src/xmpp/port.ts";
import { iqResult, readStanzaError } from "../../src/xmpp/stanza.ts";
import { type LogFields, silentLogger } from "../../src/logger.ts";
import type { Party } from "../support/inbox.ts";

/** A server the cases run against. */
export interface ComponentBackend extends AsyncDisposable {
  /** The server's own domain (answers ping, version, disco#info). */
  readonly serverDomain: string;
  /** Two component domains the server accepts. */
  readonly domains: readonly [string, string];
  /** Options to connect as `domain` (secret, server, dial), with overrides. */
  options(
    domain: string,
    overrides?: Partial<ComponentOptions>,
  ): ComponentOptions;
  /** A logged-in user of the server domain, e.g. `alice`. */
  party(localpart: string): Promise<Party>;
  /** Stops the server and starts it again on the same address. */
  restart(): Promise<void>;
}

/** One conformance case. */
export interface ConformanceCase {
  /** What the case checks. */
  name: string;
  /** Runs the case. */
  run(backend: ComponentBackend): Promise<void>;
}

/** Defaults every case uses: fast reconnects, no log output. */
export const TEST_DEFAULTS: Partial<ComponentOptions> = {
  backoff: { baseMs: 20, capMs: 200 },
  handshakeTimeoutMs: 5_000,
  closeTimeoutMs: 1_000,
  logger: silentLogger,
};

const WAIT_MS = 10_000;

/** Starts a component and waits until it is online. */
export async function online(
  backend: ComponentBackend,
  domain: string,
  overrides: Partial<ComponentOptions> = {},
): Promise<ComponentClient> {
  const client = createComponent(
    backend.options(domain, { ...TEST_DEFAULTS, ...overrides }),
  );
  client.start();
  try {
    await client.waitOnline({ signal: AbortSignal.timeout(WAIT_MS) });
  } catch (error) {
    await client.stop();
    throw error;
  }
  return client;
}

function iq(
  type: "get" | "set",
  to: string | undefined,
  payload: XmlElement,
): XmlElement {
  return el("iq", NS.client, { type, to }, payload);
}

const ping = () => el("ping", NS.ping);
const body = (text: string) => el("body", NS.client, {}, text);

/** Resolves with the first stanza the handler sees that matches. */
function nextStanza(
  client: ComponentClient,
  predicate: (stanza: XmlElement) => boolean,
  answer = false,
): Promise<XmlElement> {
  return new Promise((resolve) => {
    client.setStanzaHandler((stanza) => {
      if (!predicate(stanza)) return false;
      resolve(stanza);
      return answer;
    });
  });
}

function recordStates(client: ComponentClient): ComponentState["name"][] {
  const names: ComponentState["name"][] = [];
  client.onStateChange((state) => names.push(state.name));
  return names;
}

/** The cases, in the order they run. */
export const conformanceCases: ConformanceCase[] = [
  {
    name:
      "the handshake succeeds and the states go connecting, handshaking, online",
    async run(backend) {
      const client = createComponent(
        backend.options(backend.domains[0], TEST_DEFAULTS),
      );
      await using _ = client;
      const states = recordStates(client);
      client.start();
      await client.waitOnline({ signal: AbortSignal.timeout(WAIT_MS) });
      assert.deepEqual(states, ["connecting", "handshaking", "online"]);
      assert.equal(client.online, true);
    },
  },
  {
    name: "a wrong secret fails with not-authorized and names the likely cause",
    async run(backend) {
      await using client = createComponent(backend.options(backend.domains[0], {
        ...TEST_DEFAULTS,
        secret: "not-the-secret",
        reconnect: false,
      }));
      client.start();
      const error = await client.waitOnline().then(
        () => assert.fail("came online with a wrong secret"),
        (e) => e,
      );
      assert.ok(error instanceof ComponentStreamError, String(error));
      assert.equal(error.condition, "not-authorized");
      assert.equal(error.phase, "handshake");
      assert.match(
        error.message,
        new RegExp(
          `^Component handshake rejected by .+: not-authorized \\(wrong secret for ${
            backend.domains[0]
          }\\?\\)`,
        ),
      );
      assert.equal(client.state.name, "closed");
    },
  },
  {
    name: "a wrong secret is retried with backoff and logged as an error",
    async run(backend) {
      const errors: string[] = [];
      const logger = {
        ...silentLogger,
        error: (message: string, _fields?: LogFields) => errors.push(message),
      };
      await using client = createComponent(backend.options(backend.domains[0], {
        ...TEST_DEFAULTS,
        secret: "not-the-secret",
        logger,
      }));
      const retried = new Promise<ComponentState>((resolve) => {
        let failures = 0;
        client.onStateChange((state) => {
          if (state.name === "waiting-to-reconnect" && ++failures === 2) {
            resolve(state);
          }
        });
      });
      client.start();
      const state = await retried;
      assert.equal(state.name, "waiting-to-reconnect");
      assert.ok(state.error instanceof ComponentStreamError);
      assert.equal(state.error.condition, "not-authorized");
      assert.equal(state.attempt, 2);
      assert.ok(
        errors.some((m) => m.includes("not-authorized")),
        `error log: ${JSON.stringify(errors)}`,
      );
    },
  },
  {
    name: "an unknown domain fails with host-unknown",
    async run(backend) {
      await using client = createComponent(
        backend.options("nowhere." + backend.serverDomain, {
          ...TEST_DEFAULTS,
          reconnect: false,
        }),
      );
      client.start();
      const error = await client.waitOnline().then(() => undefined, (e) => e);
      assert.ok(error instanceof ComponentStreamError, String(error));
      assert.equal(error.condition, "host-unknown");
    },
  },
  {
    name: "a second connection for a connected domain fails with conflict",
    async run(backend) {
      await using _first = await online(backend, backend.domains[0]);
      await using second = createComponent(
        backend.options(backend.domains[0], {
          ...TEST_DEFAULTS,
          reconnect: false,
        }),
      );
      second.start();
      const error = await second.waitOnline().then(() => undefined, (e) => e);
      assert.ok(error instanceof ComponentStreamError, String(error));
      assert.equal(error.condition, "conflict");
    },
  },
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
      assert.equal(reply.attr("from"), `bob@${backend.serverDomain}`);
    },
  },
  {
    name:
      "an iq without 'to' is refused with bad-request and settles the request",
    async run(backend) {
      await using client = await online(backend, backend.domains[0]);
      const reply = await client.sendIq(iq("get", undefined, ping()), {
        timeoutMs: WAIT_MS,
      });
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
  {
    name:
      "stop() closes the stream and rejects a pending iq with StreamDownError",
    async run(backend) {
      const domain = backend.domains[0];
      const client = await online(backend, domain);
      const seen = nextStanza(client, (s) => s.name === "iq", true);
      const pending = client.sendIq(iq("get", domain, ping()), {
        timeoutMs: 60_000,
      });
      await seen;
      const stopped = client.stop();
      await assert.rejects(pending, StreamDownError);
      await stopped;
      assert.equal(client.state.name, "closed");
      assert.throws(
        () => client.send(el("message", NS.client, { to: domain })),
        StreamDownError,
      );
    },
  },
  {
    name:
      "after a server restart the component is back online by itself; the pending iq was rejected at the drop",
    async run(backend) {
      const domain = backend.domains[0];
      await using client = await online(backend, domain);
      const states = recordStates(client);
      const seen = nextStanza(client, (s) => s.name === "iq", true);
      const pending = client.sendIq(iq("get", domain, ping()), {
        timeoutMs: 60_000,
      });
      await seen;
      const rejected = assert.rejects(pending, StreamDownError);
      await backend.restart();
      await rejected;
      await client.waitOnline({ signal: AbortSignal.timeout(WAIT_MS) });
      assert.equal(states[0], "waiting-to-reconnect");
      assert.equal(states.at(-1), "online");
      client.setStanzaHandler(undefined);
      const reply = await client.sendIq(
        iq("get", backend.serverDomain, ping()),
        {
          timeoutMs: WAIT_MS,
        },
      );
      assert.equal(reply.attr("type"), "result");
    },
  },
];

/** Runs every case as a step of test `t` against `backend`. */
export async function runConformance(
  t: Deno.TestContext,
  backend: ComponentBackend,
): Promise<void> {
  for (const c of conformanceCases) {
    await t.step(c.name, () => c.run(backend));
  }
}

/** Registers one Deno test running every case as a step against `makeBackend()`. */
export function defineConformanceSuite(
  name: string,
  makeBackend: () => Promise<ComponentBackend>,
): void {
  Deno.test(`component conformance over ${name}`, async (t) => {
    await using backend = await makeBackend();
    await runConformance(t, backend);
  });
}
