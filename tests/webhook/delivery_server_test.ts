// The webhook against a real HTTP server on 127.0.0.1:0, over fetch and over the pooled HTTP/1.1 client alike: what goes over the wire.
import assert from "node:assert/strict";
import { createHttp1Client } from "../../src/webhook/http1_client.ts";
import {
  fetchTransport,
  type WebhookTransport,
} from "../../src/webhook/transport.ts";
import { el } from "../../src/xml/element.ts";
import { openWebhook } from "../../src/webhook/delivery.ts";
import type { WebhookOptions } from "../../src/webhook/options.ts";
import { FakePort } from "../support/fake_port.ts";
import {
  ALICE,
  BOT,
  C,
  canon,
  counterIds,
  error,
  incoming,
  IQ_GET,
  stanza,
} from "./support.ts";

interface Seen {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

function serve(
  handler: (seen: Seen) => Response | Promise<Response>,
) {
  const seen: Seen[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const entry = {
        method: request.method,
        path: new URL(request.url).pathname,
        headers: request.headers,
        body: await request.text(),
      };
      seen.push(entry);
      return await handler(entry);
    },
  );
  return { server, seen, base: `127.0.0.1:${server.addr.port}` };
}

/** A webhook sending through `transport` (undefined: fetch). */
const webhookVia = (
  transport: WebhookTransport | undefined,
  options: WebhookOptions,
) => openWebhook(options, transport).webhook;

/** Registers `fn` once per transport: the default (fetch) and the pooled HTTP/1.1 client. */
function transportTest(
  name: string,
  fn: (transport: WebhookTransport | undefined) => Promise<void>,
): void {
  Deno.test({
    name: `${name} (fetch)`,
    permissions: { net: ["127.0.0.1"] },
    fn: () => fn(undefined),
  });
  Deno.test({
    name: `${name} (pooled HTTP/1.1 client)`,
    permissions: { net: ["127.0.0.1"] },
    async fn() {
      const client = createHttp1Client({
        fallback: fetchTransport(fetch),
        env: () => undefined,
      });
      try {
        await fn(client);
      } finally {
        await client.close();
      }
    },
  });
}

transportTest(
  "webhook over real HTTP: probe, headers on the wire, Basic auth, JSON reply",
  async (transport) => {
    const { server, seen, base } = serve((s) => {
      if (s.method === "OPTIONS") {
        return new Response(null, { headers: { accept: "application/json" } });
      }
      return Response.json({ body: "Yes, this is bot" });
    });
    await using _ = server;
    const port = new FakePort("rest.example.net");
    const webhook = webhookVia(transport, {
      callbackUrl: `http://user:p%40ss@${base}/hook/{kind}/{from}`,
      xmpp: port,
      randomId: counterIds(),
      version: "9.9.9",
    });
    assert.equal((await webhook.probe()).state, "ok");
    assert.equal(webhook.contentType, "application/json");
    const msg = incoming("message", {
      type: "chat",
      id: "m1",
      "xml:lang": "en",
    }, el("body", C, {}, "hello bot"));
    const report = await webhook.deliver(msg);
    assert.equal(report.outcome, "answered");
    const [probe, post] = seen;
    assert.equal(probe.method, "OPTIONS");
    assert.equal(probe.path, "/hook/meta/rest.example.net");
    assert.equal(post.method, "POST");
    assert.equal(post.path, "/hook/message/alice%40example.org%2fphone");
    assert.equal(
      post.headers.get("authorization"),
      "Basic " + btoa("user:p@ss"),
    );
    assert.equal(
      probe.headers.get("authorization"),
      "Basic " + btoa("user:p@ss"),
    );
    assert.equal(post.headers.get("content-type"), "application/json");
    assert.equal(
      post.headers.get("accept"),
      "application/xmpp+xml, application/json, application/x-www-form-urlencoded, text/plain",
    );
    assert.equal(post.headers.get("content-language"), "en");
    assert.equal(post.headers.get("user-agent"), "xmpp-rest/9.9.9");
    assert.deepEqual(JSON.parse(post.body), {
      kind: "message",
      type: "chat",
      id: "m1",
      from: ALICE,
      to: BOT,
      lang: "en",
      body: "hello bot",
    });
    assert.deepEqual(canon(port.sent), [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "rnd1" },
        "<body>Yes, this is bot</body>",
      ),
    ]);
  },
);

transportTest(
  "webhook over real HTTP: a redirect is not followed but answered as an error",
  async (transport) => {
    const { server, seen, base } = serve(() =>
      Response.redirect("http://127.0.0.1:1/elsewhere", 302)
    );
    await using _ = server;
    const port = new FakePort("rest.example.net");
    const webhook = webhookVia(transport, {
      callbackUrl: `http://${base}/hook`,
      xmpp: port,
    });
    await webhook.deliver(IQ_GET);
    assert.equal(seen.length, 1);
    assert.deepEqual(canon(port.sent), [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q1", type: "error" },
        error("cancel", "undefined-condition", "302 Found"),
      ),
    ]);
  },
);

transportTest(
  "webhook over real HTTP: a server that never answers times out as recipient-unavailable",
  async (transport) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { server, base } = serve(() =>
      released.then(() => new Response(null))
    );
    await using _ = server;
    const port = new FakePort("rest.example.net");
    const webhook = webhookVia(transport, {
      callbackUrl: `http://${base}/hook`,
      xmpp: port,
      callbackTimeout: 0.05,
    });
    const report = await webhook.deliver(IQ_GET);
    release();
    assert.equal(report.outcome, "failed");
    assert.deepEqual(canon(port.sent), [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q1", type: "error" },
        error(
          "wait",
          "recipient-unavailable",
          "Webhook timed out after 0.05 s",
        ),
      ),
    ]);
  },
);

transportTest(
  "webhook over real HTTP: a closed port is a connection failure",
  async (transport) => {
    const { server, base } = serve(() => new Response(null));
    await server.shutdown();
    const port = new FakePort("rest.example.net");
    const webhook = webhookVia(transport, {
      callbackUrl: `http://${base}/hook`,
      xmpp: port,
    });
    assert.equal((await webhook.probe()).state, "unreachable");
    const report = await webhook.deliver(IQ_GET);
    assert.equal(report.outcome, "failed");
    assert.deepEqual(canon(port.sent), [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q1", type: "error" },
        error("wait", "recipient-unavailable", "Connection failed"),
      ),
    ]);
  },
);
