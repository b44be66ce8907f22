// Sync mode and a slow webhook over Prosody (README "Options" of "Receiving (webhooks)"): rest_callback_timeout bounds the wait from receipt, and one slow conversation does not hold the others back.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { PROSODY } from "../support/xmpp_server.ts";
import { startGatewayEnv } from "../support/gateway_env.ts";
import { reply, WebhookStub } from "./webhook_stub.ts";

if (PROSODY.installed()) {
  Deno.test("sync mode over Prosody: a webhook that hangs for one sender answers another at once, and every error comes within rest_callback_timeout of receipt", async () => {
    await using server = await PROSODY.start();
    await using stub = new WebhookStub();
    // alice's stanzas hang (until the stub closes); bob's are answered.
    stub.answer = (request, signal) =>
      request.body.includes("bob@")
        ? reply.xml(200, "<message><body>hi bob</body></message>")
        : reply.slow(request, signal);
    await using env = await startGatewayEnv(server, {
      callbackUrl: stub.url(),
      callbackTimeout: 2,
      callbackConcurrency: 4,
    });
    const alice = await env.party("alice");
    const bob = await env.party("bob");
    const bot = `bot@${env.domain}`;
    const started = Date.now();
    for (let n = 1; n <= 8; n++) {
      alice.send(
        el(
          "message",
          NS.client,
          { to: bot, type: "chat", id: `a${n}` },
          el("body", NS.client, {}, "hello"),
        ),
      );
    }
    alice.send(
      el(
        "iq",
        NS.client,
        { to: bot, type: "get", id: "q1" },
        el("query", "jabber:iq:version"),
      ),
    );
    await stub.waitFor((r) => r.body.includes('id="a1"'));
    bob.send(
      el(
        "message",
        NS.client,
        { to: bot, type: "chat", id: "b1" },
        el("body", NS.client, {}, "hello"),
      ),
    );
    const answer = await bob.next(
      (s) => s.getChildText("body", NS.client) === "hi bob",
      5_000,
    );
    assert.ok(answer);
    assert.ok(
      Date.now() - started < 1_900,
      `bob waited ${Date.now() - started} ms`,
    );

    const errors = new Map<string, { text: string; at: number }>();
    while (errors.size < 9) {
      const stanza = await alice.next(
        (s) => s.attr("type") === "error",
        10_000,
      );
      const text =
        stanza.getChild("error", NS.client)?.getChildText("text", NS.stanzas) ??
          "";
      errors.set(stanza.attr("id")!, { text, at: Date.now() - started });
    }
    for (const [id, { text, at }] of errors) {
      // 2 s from receipt, with slack for a loaded machine, never 4 s or more.
      assert.ok(at < 3_800, `${id} answered after ${at} ms`);
      assert.match(
        text,
        /^Webhook (timed out after 2 s|busy: no free slot within 2 s)$/,
        id,
      );
    }
    assert.ok(
      [...errors.values()].some((e) => e.text.startsWith("Webhook busy")),
      "some stanzas never got a slot",
    );
  });
}
