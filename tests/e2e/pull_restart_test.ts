// Pull mode across a gateway restart over Prosody (README "Receiving without a webhook: pull, SSE, inbound iqs"): cli.ts on a data dir, SIGKILLed and started again.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { C2sClient } from "../support/c2s_client.ts";
import { CliGateway } from "../support/cli_process.ts";
import { PROSODY } from "../support/xmpp_server.ts";

interface PulledEvent {
  id: number;
  kind: string;
  stanza: { body?: string };
}

if (PROSODY.installed() || Deno.env.get("CI")) {
  Deno.test("pull over Prosody: 1,000 messages in pages of 100 across a SIGKILL and restart, no gap, no duplicate after acknowledgement; an Idempotency-Key survives the restart", async () => {
    await using server = await PROSODY.start();
    const [domain] = Object.keys(server.components);
    const dataDir = await Deno.makeTempDir({ prefix: "xmpp-rest-pull-" });
    try {
      await using gateway = await CliGateway.start({
        server: server.componentAddress,
        domain,
        secret: server.components[domain],
        dataDir,
      });
      await using alice = await C2sClient.connect({
        port: server.c2sPort,
        domain: server.host,
        username: "alice",
        password: server.users.alice,
      });
      const send = (from: number, to: number) => {
        for (let n = from; n <= to; n++) {
          alice.send(
            el(
              "message",
              NS.client,
              { to: `bot@${domain}`, type: "chat" },
              el("body", NS.client, {}, `m${n}`),
            ),
          );
        }
      };
      /** Waits until the log holds `count` events (a probe consumer that acknowledges nothing). */
      const logged = async (count: number) => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const r = await gateway.fetch(
            `/rest/updates?consumer=probe&offset=${count}&timeout=5`,
          );
          const page = await r.json();
          if (page.events.length > 0) return;
          assert.ok(Date.now() < deadline, `fewer than ${count} events logged`);
        }
      };
      const page = async (query: string) => {
        const r = await gateway.fetch(`/rest/updates?limit=100${query}`, {
          headers: { Accept: "application/json" },
        });
        assert.equal(r.status, 200);
        return await r.json() as { events: PulledEvent[]; next_offset: number };
      };

      send(1, 600);
      await logged(600);
      const acknowledged: PulledEvent[] = [];
      let last = await page(""); // no offset: from the consumer's cursor (none yet)
      for (let i = 0; i < 4; i++) {
        acknowledged.push(...last.events); // the next request's offset acknowledges them
        last = await page(`&offset=${last.next_offset}`);
      }
      // Pages 1-4 acknowledged, page 5 (401-500) read but not acknowledged.
      assert.deepEqual(
        last.events.map((e) => e.id),
        Array.from({ length: 100 }, (_, i) => 401 + i),
      );

      // An Idempotency-Key used before the restart is still known after it.
      const idempotent = () =>
        gateway.fetch("/rest", {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "Idempotency-Key": '"across-restart"',
          },
          body: JSON.stringify({
            kind: "message",
            type: "chat",
            to: alice.jid,
            body: "only once",
          }),
        });
      const firstSend = await idempotent();
      assert.equal(firstSend.status, 202);
      await alice.next((s) =>
        s.getChildText("body", NS.client) === "only once"
      );

      await gateway.restart(); // SIGKILL, then cli.ts again on the same data dir
      const replayed = await idempotent();
      assert.equal(replayed.status, 202);
      assert.equal(replayed.headers.get("Idempotent-Replayed"), "true");
      send(601, 1000);
      await logged(1000);
      // Without an offset the consumer resumes at its cursor: page 5 again (never acknowledged).
      last = await page("");
      assert.equal(last.events[0].id, 401);
      for (;;) {
        acknowledged.push(...last.events);
        last = await page(`&offset=${last.next_offset}`);
        if (last.events.length === 0) break;
      }
      assert.equal(last.next_offset, 1001);
      assert.deepEqual(
        acknowledged.map((e) => e.stanza.body),
        Array.from({ length: 1000 }, (_, i) => `m${i + 1}`),
      );
      assert.deepEqual(
        acknowledged.map((e) => e.id),
        Array.from({ length: 1000 }, (_, i) => i + 1),
      );
      assert.ok(acknowledged.every((e) => e.kind === "message"));
      // The replay sent nothing: no second "only once" arrived before the events above.
      await assert.rejects(
        alice.next(
          (s) => s.getChildText("body", NS.client) === "only once",
          200,
        ),
      );
      // Everything acknowledged stays acknowledged across another restart.
      await gateway.restart();
      const after = await page("");
      assert.deepEqual(after, { events: [], next_offset: 1001 });
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  });
}
