import assert from "node:assert/strict";
import { createMemoryStore } from "../../src/store/memory.ts";
import { withIdempotency } from "../../src/http/idempotency.ts";
import { createRestHandler } from "../../src/http/rest_handler.ts";
import { el } from "../../src/xml/element.ts";
import { FakePort } from "../support/fake_port.ts";

const TOKEN = "Bearer t";
const DOMAIN = "rest.example.net";
const auth = {
  domain: DOMAIN,
  secret: "s",
  credentials: [TOKEN, "Bearer other"],
};
const CHAT = JSON.stringify({
  kind: "message",
  type: "chat",
  to: "bob@example.net",
  body: "once",
});

function setup() {
  const store = createMemoryStore();
  const port = new FakePort(DOMAIN);
  const rest = createRestHandler({ xmpp: port, ...auth });
  let clock = 1_000_000;
  const handler = withIdempotency(rest, {
    store,
    auth,
    sizeLimit: 1024,
    now: () => clock,
  });
  const post = (
    body: string,
    headers: Record<string, string> = {},
    path = "/rest",
  ) =>
    handler(
      new Request(`http://gw${path}`, {
        method: "POST",
        headers: {
          Authorization: TOKEN,
          "Content-Type": "application/json",
          "Idempotency-Key": '"k-1"',
          ...headers,
        },
        body,
      }),
    );
  return {
    store,
    port,
    post,
    tick(ms: number) {
      clock += ms;
    },
    async [Symbol.asyncDispose]() {
      await store.close();
    },
  };
}

Deno.test("Idempotency-Key: a repeat with the same body is replayed without sending again", async () => {
  await using env = setup();
  const first = await env.post(CHAT);
  assert.equal(first.status, 202);
  assert.equal(first.headers.get("Idempotent-Replayed"), null);
  for (let i = 0; i < 4; i++) {
    const again = await env.post(CHAT);
    assert.equal(again.status, 202);
    assert.equal(again.headers.get("Idempotent-Replayed"), "true");
  }
  assert.equal(env.port.sent.length, 1);
});

Deno.test("Idempotency-Key: an iq's reply is replayed with its status, body and type", async () => {
  await using env = setup();
  env.port.answerIq = (iq) =>
    el("iq", "jabber:client", {
      type: "result",
      id: iq.attr("id"),
      from: iq.attr("to"),
    });
  const iq = JSON.stringify({
    kind: "iq",
    type: "get",
    id: "p1",
    to: "example.net",
    ping: true,
  });
  const first = await env.post(iq, { Accept: "application/json" });
  assert.equal(first.status, 200);
  const text = await first.text();
  const again = await env.post(iq, { Accept: "application/json" });
  assert.equal(again.status, 200);
  assert.equal(again.headers.get("Content-Type"), "application/json");
  assert.equal(await again.text(), text);
  assert.equal(env.port.sent.length, 1);
});

Deno.test("Idempotency-Key: five at once send one stanza; the others get 409 or the replay", async () => {
  await using env = setup();
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  env.port.answerIq = async (iq) => {
    await gate;
    return el("iq", "jabber:client", { type: "result", id: iq.attr("id") });
  };
  const iq = JSON.stringify({
    kind: "iq",
    type: "get",
    id: "p2",
    to: "example.net",
    ping: true,
  });
  const all = Array.from({ length: 5 }, () => env.post(iq));
  await new Promise((r) => setTimeout(r, 20));
  release();
  const statuses = (await Promise.all(all)).map((r) => r.status).sort();
  // One sends; a request that arrives while it is in flight gets 409, one
  // that arrives after it finished (a loaded machine) gets the replay.
  assert.equal(statuses[0], 200, String(statuses));
  assert.ok(statuses.every((s) => s === 200 || s === 409), String(statuses));
  assert.equal(env.port.sent.length, 1);
});

const refusals: [
  string,
  () => [string, Record<string, string>, string?],
  number,
  RegExp,
][] = [
  [
    "another body with the same key",
    () => [CHAT.replace("once", "twice"), {}],
    422,
    /another request/,
  ],
  [
    "the same body to another path",
    () => [CHAT, {}, "/rest/message/chat/bob@example.net"],
    422,
    /another request/,
  ],
  [
    "an empty key",
    () => [CHAT, { "Idempotency-Key": '""' }],
    400,
    /must not be empty/,
  ],
  [
    "a key with a space",
    () => [CHAT, { "Idempotency-Key": "a b" }],
    400,
    /printable ASCII/,
  ],
];
for (const [name, make, status, text] of refusals) {
  Deno.test(`Idempotency-Key: ${name} is a ${status}`, async () => {
    await using env = setup();
    assert.equal((await env.post(CHAT)).status, 202);
    const [body, headers, path] = make();
    const response = await env.post(body, headers, path);
    assert.equal(response.status, status);
    assert.match(await response.text(), text);
    assert.equal(env.port.sent.length, 1);
  });
}

Deno.test("Idempotency-Key: keys are per caller, expire after 24 h, and a refused request keeps nothing", async () => {
  await using env = setup();
  assert.equal((await env.post(CHAT)).status, 202);
  // Another credential: its own key space.
  assert.equal(
    (await env.post(CHAT, { Authorization: "Bearer other" })).status,
    202,
  );
  assert.equal(env.port.sent.length, 2);
  env.tick(24 * 60 * 60 * 1000 + 1);
  const late = await env.post(CHAT);
  assert.equal(late.headers.get("Idempotent-Replayed"), null);
  assert.equal(env.port.sent.length, 3);
  // Stream down: 503, nothing kept; the retry sends.
  env.port.online = false;
  assert.equal(
    (await env.post(CHAT, { "Idempotency-Key": "k-2" })).status,
    503,
  );
  env.port.online = true;
  const retry = await env.post(CHAT, { "Idempotency-Key": "k-2" });
  assert.equal(retry.status, 202);
  assert.equal(retry.headers.get("Idempotent-Replayed"), null);
  assert.equal(env.port.sent.length, 4);
});

Deno.test("Idempotency-Key: wrong credentials are refused before any lookup; echo and requests without the key pass through", async () => {
  await using env = setup();
  assert.equal(
    (await env.post(CHAT, { Authorization: "Bearer nope" })).status,
    403,
  );
  assert.equal((await env.post(CHAT, {}, "/rest/echo")).status, 200);
  assert.equal((await env.post(CHAT, { "Idempotency-Key": "" })).status, 400);
  assert.equal(env.port.sent.length, 0);
});
