import assert from "node:assert/strict";
import { createRestHandler } from "../../src/http/rest_handler.ts";
import { OpenIqs } from "../../src/inbound/open_iqs.ts";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { FakePort } from "../support/fake_port.ts";
import { SteppedTimers } from "../support/manual_timers.ts";

const DOMAIN = "rest.example.net";
const TOKEN = "Bearer t";

function setup() {
  const port = new FakePort(DOMAIN);
  const timeouts: XmlElement[] = [];
  const timers = new SteppedTimers();
  const inboundIqs = new OpenIqs({
    timeoutMs: 30_000,
    send: (s) => timeouts.push(s),
    timers,
  });
  const handler = createRestHandler({
    xmpp: port,
    credentials: [TOKEN],
    inboundIqs,
  });
  const post = (json: unknown) =>
    handler(
      new Request("http://gw/rest", {
        method: "POST",
        headers: { Authorization: TOKEN, "Content-Type": "application/json" },
        body: JSON.stringify(json),
      }),
    );
  inboundIqs.open(
    el("iq", "jabber:client", {
      type: "get",
      id: "c1",
      from: "alice@example.net/pc",
      to: `bot@${DOMAIN}`,
    }, el("query", "urn:example:custom")),
  );
  return { port, timeouts, timers, inboundIqs, post };
}

Deno.test("POST /rest: an iq result for an open inbound iq is sent as its answer (202), once", async () => {
  const env = setup();
  const reply = {
    kind: "iq",
    type: "result",
    id: "c1",
    to: "alice@example.net/pc",
    payload: { datatype: "urn:example:custom", data: "42" },
  };
  const response = await env.post(reply);
  assert.equal(response.status, 202);
  assert.equal(env.port.sent.length, 1);
  const sent = env.port.sent[0];
  assert.equal(sent.attr("type"), "result");
  assert.equal(sent.attr("from"), `bot@${DOMAIN}`);
  assert.equal(sent.attr("to"), "alice@example.net/pc");
  const again = await env.post(reply);
  assert.equal(again.status, 409);
  assert.match(await again.text(), /already answered/);
  env.timers.advance(60_000);
  assert.equal(env.timeouts.length, 0);
});

Deno.test("POST /rest: an iq error answers too; an iq result for nothing open stays a 422 as in mod_rest", async () => {
  const env = setup();
  const error = {
    kind: "iq",
    type: "error",
    id: "c1",
    to: "alice@example.net/pc",
    error: { type: "cancel", condition: "item-not-found" },
  };
  assert.equal((await env.post(error)).status, 202);
  assert.equal(env.port.sent[0].attr("type"), "error");
  const stray = await env.post({
    kind: "iq",
    type: "result",
    id: "nope",
    to: "alice@example.net/pc",
  });
  assert.equal(stray.status, 422);
  assert.equal(env.port.sent.length, 1);
});

Deno.test("POST /rest: answering after the timeout is a 409 (service-unavailable went out)", async () => {
  const env = setup();
  env.timers.advance(30_000);
  assert.equal(env.timeouts.length, 1);
  const late = await env.post({
    kind: "iq",
    type: "result",
    id: "c1",
    to: "alice@example.net/pc",
  });
  assert.equal(late.status, 409);
  assert.equal(env.port.sent.length, 0);
});
