// Reliable mode end to end over every installed server (README "Reliable mode"): Retry-After, receipts on delivery, a store that cannot write.

import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { forEachServer } from "../support/xmpp_server.ts";
import { startGatewayEnv } from "../support/gateway_env.ts";
import { failingStore } from "../support/failing_store.ts";
import { reply, WebhookStub } from "./webhook_stub.ts";

const chat = (to: string, id: string, ...extra: ReturnType<typeof el>[]) =>
  el(
    "message",
    NS.client,
    { to, type: "chat", id },
    el("body", NS.client, {}, id),
    ...extra,
  );

forEachServer("reliable webhook features", (kind) => {
  Deno.test(`reliable webhook features over ${kind.name}`, async (t) => {
    await using server = await kind.start();

    await t.step(
      "a 503 with Retry-After: 2 is not retried before 2 s; the receipt goes out on delivery",
      async () => {
        await using stub = new WebhookStub();
        const times: number[] = [];
        stub.answer = () => {
          times.push(Date.now());
          return times.length === 1
            ? new Response("busy", {
              status: 503,
              headers: { "Retry-After": "2" },
            })
            : reply.empty(204);
        };
        await using env = await startGatewayEnv(server, {
          callbackUrl: stub.url(),
          callbackMode: "reliable",
          callbackRetry: [0, 100, 100],
          dataDir: ":memory:",
        });
        const alice = await env.party("alice");
        alice.send(
          chat(`bot@${env.domain}`, "r1", el("request", NS.receipts)),
        );
        const receipt = await alice.next(
          (s) => s.getChild("received", NS.receipts) !== undefined,
          15_000,
        );
        assert.equal(
          receipt.getChild("received", NS.receipts)!.attr("id"),
          "r1",
        );
        assert.equal(times.length, 2);
        assert.ok(
          times[1] - times[0] >= 2_000,
          `retried after ${times[1] - times[0]} ms`,
        );
        const posts = stub.takePosts();
        assert.equal(
          posts[0].headers.get("webhook-id"),
          posts[1].headers.get("webhook-id"),
        );
      },
    );

    await t.step(
      "a store that cannot write: wait/resource-constraint to the sender, /readyz 503, and back when it writes again",
      async () => {
        await using stub = new WebhookStub();
        const store = failingStore(createMemoryStore());
        await using env = await startGatewayEnv(server, {
          callbackUrl: stub.url(),
          callbackMode: "reliable",
          store,
        });
        const alice = await env.party("alice");
        store.failing = true;
        alice.send(chat(`bot@${env.domain}`, "f1"));
        const bounce = await alice.next((s) => s.attr("id") === "f1", 10_000);
        assert.equal(bounce.attr("type"), "error");
        const error = bounce.getChild("error", NS.client)!;
        assert.equal(error.attr("type"), "wait");
        assert.ok(error.getChild("resource-constraint", NS.stanzas));
        const notReady = await fetch(`${env.url}/readyz`);
        assert.equal(notReady.status, 503);
        assert.match(await notReady.text(), /Event store cannot write/);
        store.failing = false;
        alice.send(chat(`bot@${env.domain}`, "f2"));
        const posted = await stub.waitFor((r) => r.body.includes('id="f2"'));
        assert.ok(posted);
        assert.equal(
          stub.requests.filter((r) => r.body.includes('id="f1"')).length,
          0,
        );
        const ready = await fetch(`${env.url}/readyz`);
        await ready.body?.cancel();
        assert.equal(ready.status, 200);
        await store.close();
      },
    );
  });
});
