// XEP-0114 conformance cases for the stream itself: handshake outcomes, stop, reconnect after a server restart.

import assert from "node:assert/strict";
import {
  ComponentStreamError,
  createComponent,
} from "../../src/component/mod.ts";
import type { ComponentState } from "../../src/component/session.ts";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { StreamDownError } from "../../src/xmpp/port.ts";
import { type LogFields, silentLogger } from "../../src/logger.ts";
import {
  type ConformanceCase,
  iq,
  nextStanza,
  online,
  ping,
  recordStates,
  TEST_DEFAULTS,
  WAIT_MS,
} from "./conformance_support.ts";
import { behaviourOf } from "./conformance_servers.ts";

/** Handshake outcomes, run first. */
export const handshakeCases: ConformanceCase[] = [
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
          }, or `,
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
    name:
      "an unknown domain is refused (Prosody: host-unknown; ejabberd: not-authorized)",
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
      assert.equal(error.condition, behaviourOf(backend).unknownDomain);
      assert.equal(error.phase, "handshake");
    },
  },
  {
    name:
      "a second connection for a connected domain (Prosody: conflict; ejabberd: accepted)",
    async run(backend) {
      await using first = await online(backend, backend.domains[0]);
      await using second = createComponent(
        backend.options(backend.domains[0], {
          ...TEST_DEFAULTS,
          reconnect: false,
        }),
      );
      second.start();
      const error = await second.waitOnline().then(() => undefined, (e) => e);
      if (behaviourOf(backend).secondConnection === "accepted") {
        assert.equal(error, undefined, "second connection refused");
        assert.equal(second.online, true);
        assert.equal(first.online, true);
        return;
      }
      assert.ok(error instanceof ComponentStreamError, String(error));
      assert.equal(error.condition, "conflict");
    },
  },
];

/** Stop and server restart, run last. */
export const lifecycleCases: ConformanceCase[] = [
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
