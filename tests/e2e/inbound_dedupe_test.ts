// Re-sent messages end to end over every installed server (README "Re-sent messages and receipts"): a copy is stored once and gets its receipt again; sync mode still posts every copy, as mod_rest does.

import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import type { C2sClient } from "../support/c2s_client.ts";
import { forEachServer } from "../support/xmpp_server.ts";
import { startGatewayEnv } from "../support/gateway_env.ts";
import { reply, WebhookStub } from "./webhook_stub.ts";

/** A chat message with `id`, body `body` (default the id), asking for a receipt. */
const chat = (to: string, id: string, body = id): XmlElement =>
  el(
    "message",
    NS.client,
    { to, type: "chat", id },
    el("body", NS.client, {}, body),
    el("request", NS.receipts),
  );

/** Waits for the receipt of message `id`. */
function receiptOf(alice: C2sClient, id: string): Promise<XmlElement> {
  return alice.next(
    (s) => s.getChild("received", NS.receipts)?.attr("id") === id,
    15_000,
  );
}

/** Bodies the stub was posted (XML bodies carry the stanza). */
function bodies(stub: WebhookStub): string[] {
  return stub.takePosts().map((r) =>
    /<body>([^<]*)<\/body>/.exec(r.body)?.[1] ?? "?"
  );
}

forEachServer("re-sent messages", (kind) => {
  Deno.test(`re-sent messages over ${kind.name}`, async (t) => {
    await using server = await kind.start();

    await t.step(
      "reliable mode: a copy is not posted again and gets its receipt again; a new payload under the same id is a new event",
      async () => {
        await using stub = new WebhookStub();
        stub.answer = () => reply.empty(204);
        await using env = await startGatewayEnv(server, {
          callbackUrl: stub.url(),
          callbackMode: "reliable",
          callbackContentType: "application/xmpp+xml",
        });
        const bot = `bot@${env.domain}`;
        const alice = await env.party("alice");
        alice.send(chat(bot, "d1"));
        await receiptOf(alice, "d1");
        alice.send(chat(bot, "d1"));
        await receiptOf(alice, "d1");
        // Same conversation, so posted in order after anything stored before.
        alice.send(chat(bot, "d1", "edited"));
        await receiptOf(alice, "d1");
        await stub.waitFor((r) => r.body.includes("edited"));
        assert.deepEqual(bodies(stub), ["d1", "edited"]);
        const metrics = await (await env.fetch("/metrics")).text();
        assert.match(metrics, /^xmpp_rest_inbound_duplicates_total 1$/m);
      },
    );

    await t.step(
      "sync mode is mod_rest's: every copy is posted and receipted",
      async () => {
        await using stub = new WebhookStub();
        stub.answer = () => reply.empty(204);
        await using env = await startGatewayEnv(server, {
          callbackUrl: stub.url(),
          callbackContentType: "application/xmpp+xml",
        });
        const bot = `bot@${env.domain}`;
        const alice = await env.party("alice");
        for (let i = 0; i < 2; i++) {
          alice.send(chat(bot, "s1"));
          await receiptOf(alice, "s1");
        }
        assert.deepEqual(bodies(stub), ["s1", "s1"]);
      },
    );

    await t.step(
      "pull mode: a copy is one event; --inbound-dedupe-window 0 keeps every copy",
      async () => {
        for (
          const [window, want] of [[undefined, ["p1", "p2"]], [0, [
            "p1",
            "p1",
            "p2",
          ]]] as const
        ) {
          await using env = await startGatewayEnv(server, {
            inboundDedupeWindow: window,
          });
          const alice = await env.party("alice");
          const bot = `bot@${env.domain}`;
          for (const id of ["p1", "p1", "p2"]) alice.send(chat(bot, id));
          const got: string[] = [];
          let offset = 1;
          const deadline = Date.now() + 15_000;
          while (!got.includes("p2")) {
            assert.ok(Date.now() < deadline, `only ${got.join()}`);
            const page = await (await env.fetch(
              `/rest/updates?offset=${offset}&timeout=5`,
              { headers: { Accept: "application/json" } },
            )).json();
            for (const event of page.events) got.push(event.stanza.body);
            offset = page.next_offset;
          }
          assert.deepEqual(got, want);
        }
      },
    );
  });
});
