import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { createWebhook, WEBHOOK_ACCEPT } from "../../src/webhook/delivery.ts";
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
  IQ_RESULT,
  MSG,
  MSG_ERROR,
  PRES,
  stanza,
} from "./support.ts";
import {
  deferred,
  fakeFetch,
  type FetchAnswer,
  manualTimeouts,
  type RecordedRequest,
  recordingLogger,
} from "./fake_fetch.ts";

function setup(
  handler: (r: RecordedRequest) => FetchAnswer | Promise<FetchAnswer>,
  options: Partial<WebhookOptions> = {},
) {
  const port = new FakePort("rest.example.net");
  const fake = fakeFetch(handler);
  const logger = recordingLogger();
  const timeouts = manualTimeouts();
  const webhook = createWebhook({
    callbackUrl: "http://api.example/hook/{kind}/{type}/{to}",
    port,
    fetch: fake.fetch,
    logger,
    randomId: counterIds(),
    timeoutSignal: timeouts.timeoutSignal,
    version: "1.2.3",
    ...options,
  });
  return { port, fake, logger, timeouts, webhook };
}

const iq = (id: string): XmlElement =>
  incoming("iq", { type: "get", id }, el("ping", "urn:xmpp:ping"));

Deno.test({
  name:
    "deliver() POSTs the stanza with mod_rest's headers and sends the reply",
  permissions: "none",
  async fn() {
    const { port, fake, webhook } = setup(
      () => new Response("Pong", { headers: { "content-type": "text/plain" } }),
      { callbackUrl: "http://bot:s3cret@api.example/hook/{kind}/{type}/{to}" },
    );
    const msg = incoming(
      "message",
      { type: "chat", id: "m1", "xml:lang": "en" },
      el("body", C, {}, "Ping"),
    );
    const report = await webhook.deliver(msg);
    assert.equal(report.outcome, "answered");
    assert.equal(report.status, 200);
    const [request] = fake.requests;
    assert.equal(request.method, "POST");
    assert.equal(
      request.url,
      "http://api.example/hook/message/chat/bot%40rest.example.net",
    );
    assert.equal(request.redirect, "manual");
    assert.equal(request.headers.get("content-type"), "application/xmpp+xml");
    assert.equal(request.headers.get("accept"), WEBHOOK_ACCEPT);
    assert.equal(
      WEBHOOK_ACCEPT,
      "application/xmpp+xml, application/json, application/x-www-form-urlencoded, text/plain",
    );
    assert.equal(request.headers.get("content-language"), "en");
    assert.equal(request.headers.get("user-agent"), "xmpp-rest/1.2.3");
    assert.equal(
      request.headers.get("authorization"),
      "Basic " + btoa("bot:s3cret"),
    );
    assert.equal(
      request.body,
      `<message from="${ALICE}" to="${BOT}" type="chat" id="m1" xml:lang="en"><body>Ping</body></message>`,
    );
    assert.deepEqual(canon(port.sent), [
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "rnd1", type: "chat" },
        "<body>Pong</body>",
      ),
    ]);
  },
});

Deno.test({
  name:
    "deliver() omits Content-Language and Authorization when there are none",
  permissions: "none",
  async fn() {
    const { fake, webhook } = setup(() => new Response(null, { status: 204 }));
    await webhook.deliver(MSG);
    const headers = fake.requests[0].headers;
    assert.equal(headers.get("content-language"), null);
    assert.equal(headers.get("authorization"), null);
  },
});

Deno.test({
  name:
    "deliver() sends JSON when configured, and XML for a stanza without a JSON form",
  permissions: "none",
  async fn() {
    const { fake, logger, webhook } = setup(
      () => new Response(null, { status: 204 }),
      { callbackContentType: "json" },
    );
    await webhook.deliver(MSG);
    assert.equal(
      fake.requests[0].headers.get("content-type"),
      "application/json",
    );
    assert.equal(JSON.parse(fake.requests[0].body).body, "hi");
    const bad = incoming(
      "message",
      { type: "chat" },
      el("payload", "urn:xmpp:json-msg:0", { datatype: "x" }, "not json"),
    );
    await webhook.deliver(bad);
    assert.equal(
      fake.requests[1].headers.get("content-type"),
      "application/xmpp+xml",
    );
    assert.match(fake.requests[1].body, /^<message /);
    assert.ok(
      logger.lines.some((l) =>
        l.level === "warn" && /no JSON form/.test(l.message)
      ),
    );
  },
});

Deno.test({
  name:
    "deliver() answers stanzas the filters skip as unhandled, without a request",
  permissions: "none",
  async fn() {
    const { port, fake, webhook } = setup(
      () => new Response(null, { status: 204 }),
      {
        callbackStanzas: ["message"],
        callbackEvents: ["bare"],
      },
    );
    const toHost = incoming("message", {
      to: "rest.example.net",
      type: "chat",
    });
    assert.equal(webhook.selects(MSG), true);
    assert.equal(webhook.selects(toHost), false);
    assert.equal((await webhook.deliver(IQ_GET)).outcome, "skipped");
    assert.equal((await webhook.deliver(toHost)).outcome, "skipped");
    assert.equal((await webhook.deliver(PRES)).outcome, "skipped");
    assert.equal(fake.requests.length, 0);
    assert.deepEqual(canon(port.sent), [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q1", type: "error" },
        error("cancel", "service-unavailable"),
      ),
    ]);
  },
});

Deno.test({
  name:
    "deliver() runs at most maxConcurrent requests, queues FIFO, refuses beyond queueLimit",
  permissions: "none",
  async fn() {
    const gates = new Map<string, ReturnType<typeof deferred<FetchAnswer>>>();
    const { port, fake, webhook } = setup((request) => {
      const gate = deferred<FetchAnswer>();
      gates.set(request.body.match(/id="(q\d)"/)![1], gate);
      return gate.promise;
    }, { maxConcurrent: 2, queueLimit: 1 });
    const reports = [iq("q1"), iq("q2"), iq("q3"), iq("q4"), MSG].map((s) =>
      webhook.deliver(s)
    );
    await Promise.resolve();
    assert.equal(fake.requests.length, 2);
    assert.equal(webhook.inFlight, 2);
    assert.equal(webhook.queued, 1);
    // q4 and the message found the queue full: refused at once.
    assert.equal((await reports[3]).outcome, "refused");
    assert.equal((await reports[4]).outcome, "refused");
    assert.deepEqual(canon(port.sent), [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q4", type: "error" },
        error(
          "wait",
          "resource-constraint",
          "Too many stanzas waiting for the webhook",
        ),
      ),
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "m1", type: "error" },
        error(
          "wait",
          "resource-constraint",
          "Too many stanzas waiting for the webhook",
        ),
      ),
    ]);
    // Finishing q2 starts the queued q3.
    gates.get("q2")!.resolve(new Response(null, { status: 204 }));
    assert.equal((await reports[1]).outcome, "answered");
    assert.equal(fake.requests.length, 3);
    assert.match(fake.requests[2].body, /id="q3"/);
    assert.equal(webhook.queued, 0);
    let drained = false;
    const drain = webhook.drain().then(() => (drained = true));
    gates.get("q1")!.resolve(new Response(null, { status: 204 }));
    await reports[0];
    assert.equal(drained, false);
    gates.get("q3")!.resolve(new Response(null, { status: 204 }));
    await drain;
    assert.equal(webhook.inFlight, 0);
    assert.deepEqual(
      port.sent.slice(2).map((s) => s.attr("id")),
      ["q2", "q1", "q3"],
    );
  },
});

Deno.test({
  name: "deliver() never refuses when queueLimit is 0 but a slot is free",
  permissions: "none",
  async fn() {
    const { webhook } = setup(() => new Response(null, { status: 204 }), {
      maxConcurrent: 1,
      queueLimit: 0,
    });
    assert.equal((await webhook.deliver(IQ_GET)).outcome, "answered");
  },
});

Deno.test({
  name: "drain() resolves at once when nothing is in flight",
  permissions: "none",
  async fn() {
    const { webhook } = setup(() => new Response(null, { status: 204 }));
    await webhook.drain();
    assert.equal(webhook.inFlight, 0);
  },
});

Deno.test({
  name:
    "deliver() turns a timeout into wait/recipient-unavailable for iq and message only",
  permissions: "none",
  async fn() {
    const { port, timeouts, webhook } = setup(
      () => new Promise<never>(() => {}),
      {
        callbackTimeout: 5,
      },
    );
    const reports = [IQ_GET, MSG, PRES, IQ_RESULT, MSG_ERROR].map((s) =>
      webhook.deliver(s)
    );
    await Promise.resolve();
    assert.deepEqual(timeouts.requested, [5000, 5000, 5000, 5000, 5000]);
    timeouts.fireAll();
    for (const report of reports) {
      assert.equal((await report).outcome, "failed");
    }
    assert.deepEqual(canon(port.sent), [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q1", type: "error" },
        error("wait", "recipient-unavailable", "Webhook timed out after 5 s"),
      ),
      stanza(
        "message",
        { from: BOT, to: ALICE, id: "m1", type: "error" },
        error("wait", "recipient-unavailable", "Webhook timed out after 5 s"),
      ),
    ]);
  },
});

Deno.test({
  name: "deliver() uses a 30 s timeout by default",
  permissions: "none",
  async fn() {
    const { timeouts, webhook } = setup(() =>
      new Response(null, { status: 204 })
    );
    await webhook.deliver(IQ_GET);
    assert.deepEqual(timeouts.requested, [30_000]);
  },
});

Deno.test({
  name:
    'deliver() turns a connection failure into recipient-unavailable "Connection failed"',
  permissions: "none",
  async fn() {
    const { port, logger, webhook } = setup(() =>
      new TypeError("error sending request: connection refused")
    );
    const report = await webhook.deliver(IQ_GET);
    assert.equal(report.outcome, "failed");
    assert.deepEqual(canon(port.sent), [
      stanza(
        "iq",
        { from: BOT, to: ALICE, id: "q1", type: "error" },
        error("wait", "recipient-unavailable", "Connection failed"),
      ),
    ]);
    assert.ok(
      logger.lines.some((l) =>
        l.level === "warn" && /connection refused/.test(String(l.fields?.error))
      ),
    );
  },
});

Deno.test({
  name: "deliver() ignores a response body larger than maxReplyBytes",
  permissions: "none",
  async fn() {
    const { port, logger, webhook } = setup(
      () =>
        new Response("x".repeat(64), {
          headers: { "content-type": "text/plain" },
        }),
      { maxReplyBytes: 16 },
    );
    await webhook.deliver(IQ_GET);
    assert.deepEqual(canon(port.sent), [
      stanza("iq", { from: BOT, to: ALICE, id: "q1", type: "result" }),
    ]);
    assert.ok(logger.lines.some((l) => /larger than 16 bytes/.test(l.message)));
  },
});

Deno.test({
  name: "deliver() logs a reply the port refuses and still resolves",
  permissions: "none",
  async fn() {
    const { port, logger, webhook } = setup(() =>
      new Response(null, { status: 204 })
    );
    port.online = false;
    assert.equal((await webhook.deliver(IQ_GET)).outcome, "answered");
    assert.ok(
      logger.lines.some((l) => l.message === "Cannot send webhook reply"),
    );
  },
});

Deno.test({
  name:
    "probe() sends OPTIONS to the meta URL and switches to the first format in Accept",
  permissions: "none",
  async fn() {
    const { fake, webhook } = setup((r) =>
      r.method === "OPTIONS"
        ? new Response(null, {
          headers: {
            accept: "text/html, application/json;q=0.9, application/xmpp+xml",
          },
        })
        : new Response(null, { status: 204 })
    );
    assert.equal(webhook.contentType, "application/xmpp+xml");
    const result = await webhook.probe();
    assert.deepEqual(result, {
      state: "ok",
      status: 200,
      contentType: "application/json",
      switched: true,
    });
    assert.equal(fake.requests[0].method, "OPTIONS");
    assert.equal(
      fake.requests[0].url,
      "http://api.example/hook/meta/info/rest.example.net",
    );
    assert.equal(webhook.contentType, "application/json");
    await webhook.deliver(MSG);
    assert.equal(
      fake.requests[1].headers.get("content-type"),
      "application/json",
    );
  },
});

Deno.test({
  name:
    "probe() keeps the format without a usable Accept and reports other statuses",
  permissions: "none",
  async fn() {
    const cases: [Response, string][] = [
      [new Response(null, { status: 200 }), "ok"],
      [
        new Response(null, {
          status: 200,
          headers: { accept: "text/html, */*" },
        }),
        "ok",
      ],
      [
        new Response(null, {
          status: 200,
          headers: { accept: "application/json;q=0" },
        }),
        "ok",
      ],
      [
        new Response(null, {
          status: 405,
          headers: { accept: "application/json" },
        }),
        "unexpected-status",
      ],
    ];
    for (const [response, state] of cases) {
      const { logger, webhook } = setup(() => response);
      const result = await webhook.probe();
      assert.equal(result.state, state);
      assert.equal(webhook.contentType, "application/xmpp+xml");
      if (state !== "ok") {
        assert.ok(logger.lines.some((l) => l.level === "warn"));
      }
    }
  },
});

Deno.test({
  name: "probe() reports an unreachable endpoint and never throws",
  permissions: "none",
  async fn() {
    const { logger, webhook } = setup(() =>
      new TypeError("connection refused")
    );
    const result = await webhook.probe();
    assert.equal(result.state, "unreachable");
    assert.ok(
      logger.lines.some((l) =>
        l.level === "error" && /Cannot reach webhook/.test(l.message)
      ),
    );
    const timed = setup(() => new Promise<never>(() => {}));
    const pending = timed.webhook.probe();
    timed.timeouts.fireAll();
    const timedOut = await pending;
    assert.equal(timedOut.state, "unreachable");
    assert.match(
      timedOut.state === "unreachable" ? timedOut.error : "",
      /timed out after 30 s/,
    );
  },
});

Deno.test({
  name: "createWebhook() rejects bad options with every problem listed",
  permissions: "none",
  fn() {
    assert.throws(
      () =>
        createWebhook({
          callbackUrl: "ftp://x/{nope}",
          port: new FakePort(),
          maxConcurrent: 0,
        }),
      (e: unknown) =>
        e instanceof TypeError && /rest_callback_url/.test(e.message) &&
        /maxConcurrent/.test(e.message),
    );
  },
});

Deno.test({
  name: "deliver() does not modify the stanza it posts",
  permissions: "none",
  async fn() {
    const { webhook } = setup(() =>
      new Response("x", { headers: { "content-type": "text/plain" } })
    );
    const before = canonicalize(MSG);
    await webhook.deliver(MSG);
    assert.equal(canonicalize(MSG), before);
  },
});
