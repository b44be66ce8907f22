import assert from "node:assert/strict";
import { el } from "../../src/xml/element.ts";
import { canonicalize } from "../../src/xml/serialize.ts";
import { createWebhook, WEBHOOK_ACCEPT } from "../../src/webhook/delivery.ts";
import { FakePort } from "../support/fake_port.ts";
import {
  ALICE,
  BOT,
  C,
  canon,
  error,
  incoming,
  IQ_GET,
  MSG,
  PRES,
  stanza,
} from "./support.ts";
import { setup } from "./harness.ts";

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
        l.level === "warn" && l.fields?.reason === "connection refused"
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
  name: "createWebhook() rejects bad options with every problem listed",
  permissions: "none",
  fn() {
    assert.throws(
      () =>
        createWebhook({
          callbackUrl: "ftp://x/{nope}",
          xmpp: new FakePort(),
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
