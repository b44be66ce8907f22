import assert from "node:assert/strict";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { NewEvent } from "../../src/store/types.ts";
import { EventFeed } from "../../src/events/feed.ts";
import { createEventsHandler } from "../../src/http/events.ts";
import { SseReader } from "../support/sse_reader.ts";

const TOKEN = "Bearer t";
const auth = { domain: "rest.localhost", secret: "s", credentials: [TOKEN] };

function message(n: number): NewEvent {
  return {
    receivedAt: Date.UTC(2026, 0, 1, 0, 0, n),
    kind: "message",
    from: "alice@localhost/r",
    to: "rest.localhost",
    conversation: "alice@localhost rest.localhost",
    stanza:
      `<message from="alice@localhost/r" to="rest.localhost" type="chat" id="m${n}"><body>m${n}</body></message>`,
  };
}

async function setup(count = 0) {
  const store = createMemoryStore();
  if (count > 0) {
    await store.append(Array.from({ length: count }, (_, i) => message(i + 1)));
  }
  const feed = new EventFeed({ store });
  const handler = createEventsHandler({ store, feed, auth });
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await handler(
      new Request(`http://gw${path}`, {
        headers: { Authorization: TOKEN, ...headers },
      }),
    );
    assert.ok(response, `no response for ${path}`);
    return response;
  };
  return {
    store,
    feed,
    handler,
    get,
    async [Symbol.asyncDispose]() {
      feed.close();
      await store.close();
    },
  };
}

Deno.test("GET /rest/updates: pages by offset, acknowledges below the offset, per consumer", async () => {
  await using env = await setup(250);
  const page = async (query: string) => {
    const response = await env.get(`/rest/updates${query}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("Content-Type"), "application/json");
    return await response.json();
  };
  const first = await page("?limit=100");
  assert.deepEqual(
    first.events.map((e: { id: number }) => e.id),
    Array.from({ length: 100 }, (_, i) => i + 1),
  );
  assert.equal(first.next_offset, 101);
  assert.deepEqual(first.events[0], {
    id: 1,
    received_at: "2026-01-01T00:00:01.000Z",
    kind: "message",
    stanza: {
      kind: "message",
      type: "chat",
      id: "m1",
      from: "alice@localhost/r",
      to: "rest.localhost",
      body: "m1",
    },
  });
  // Without an offset the consumer has acknowledged nothing yet: the same page again.
  assert.equal((await page("?limit=5")).events[0].id, 1);
  const second = await page(`?offset=${first.next_offset}&limit=100`);
  assert.equal(second.events[0].id, 101);
  // The cursor moved: no offset now starts at 101.
  assert.equal((await page("?limit=1")).events[0].id, 101);
  assert.equal(await env.store.getCursor("pull:default"), 101);
  // Another consumer has its own cursor.
  assert.equal((await page("?consumer=other&limit=1")).events[0].id, 1);
  // The newest 3.
  const tail = await page("?offset=-3");
  assert.deepEqual(tail.events.map((e: { id: number }) => e.id), [
    248,
    249,
    250,
  ]);
  const empty = await page("?offset=251");
  assert.deepEqual(empty, { events: [], next_offset: 251 });
});

Deno.test("GET /rest/updates: a consumer is known to the store from its first pull, with or without an offset", async () => {
  await using env = await setup(3);
  assert.deepEqual(await env.store.listCursors(), []);
  await env.get("/rest/updates?consumer=fresh");
  await env.get("/rest/updates?consumer=acked&offset=3");
  assert.deepEqual(await env.store.listCursors(), [
    { consumer: "pull:acked", offset: 3 },
    { consumer: "pull:fresh", offset: 0 },
  ]);
  // Its unacknowledged events are kept from pruning.
  await env.store.pruneAcknowledged({ untilFirstPull: true, limit: 100 });
  assert.equal(await env.store.countEvents(), 3);
});

Deno.test("DELETE /rest/updates: a consumer leaves, its cursor is forgotten; unknown is 404, a bad name 400", async () => {
  await using env = await setup(3);
  await env.get("/rest/updates?consumer=gone");
  await env.get("/rest/updates?offset=2");
  const forget = (query: string, headers: Record<string, string> = {}) =>
    env.handler(
      new Request(`http://gw/rest/updates${query}`, {
        method: "DELETE",
        headers: { Authorization: TOKEN, ...headers },
      }),
    )!;
  const cases: [string, number, RegExp | undefined][] = [
    ["?consumer=gone", 204, undefined],
    ["?consumer=gone", 404, /No pull consumer "gone"/],
    ["", 204, undefined], // the default consumer
    ["?consumer=no%20spaces", 400, /Invalid query parameter "consumer"/],
  ];
  for (const [query, status, text] of cases) {
    const response = await forget(query);
    assert.equal(response.status, status, query);
    const body = await response.text();
    if (text) assert.match(JSON.parse(body).error.text, text, query);
    else assert.equal(body, "", query);
  }
  assert.deepEqual(await env.store.listCursors(), []);
  assert.equal(
    (await forget("?consumer=x", { Authorization: "" })).status,
    401,
  );
  // Other methods are not this handler's.
  assert.equal(
    env.handler(new Request("http://gw/rest/events", { method: "DELETE" })),
    undefined,
  );
  assert.equal(
    env.handler(new Request("http://gw/rest/updates", { method: "POST" })),
    undefined,
  );
});

Deno.test("GET /rest/updates: long polling answers when an event arrives, or empty after the timeout", async () => {
  await using env = await setup(1);
  const started = Date.now();
  const waiting = env.get("/rest/updates?offset=2&timeout=20");
  await new Promise((r) => setTimeout(r, 50));
  await env.store.append([message(2)]);
  const body = await (await waiting).json();
  assert.deepEqual(body.events.map((e: { id: number }) => e.id), [2]);
  assert.ok(Date.now() - started < 10_000);
  const t0 = Date.now();
  const none = await (await env.get("/rest/updates?offset=3&timeout=0.2"))
    .json();
  assert.deepEqual(none.events, []);
  assert.ok(Date.now() - t0 >= 150);
});

Deno.test("GET /rest/updates in XML when Accept asks", async () => {
  await using env = await setup(2);
  const response = await env.get("/rest/updates?offset=2", {
    Accept: "application/xmpp+xml",
  });
  assert.equal(response.headers.get("Content-Type"), "application/xmpp+xml");
  assert.equal(
    await response.text(),
    '<events next-offset="3"><event id="2" received-at="2026-01-01T00:00:02.000Z" kind="message"><message from="alice@localhost/r" to="rest.localhost" type="chat" id="m2"><body>m2</body></message></event></events>',
  );
});

const refused: [string, Record<string, string>, number, RegExp][] = [
  ["/rest/updates?limit=0", {}, 400, /query parameter \\"limit/],
  ["/rest/updates?offset=x", {}, 400, /query parameter \\"offset/],
  ["/rest/updates?consumer=a%20b", {}, 400, /query parameter \\"consumer/],
  ["/rest/updates", { Authorization: "Bearer wrong" }, 403, /not-authorized/],
  ["/rest/events", { Authorization: "" }, 401, /not-authorized/],
  ["/rest/events?format=yaml", {}, 400, /query parameter \\"format/],
  ["/rest/events", { "Last-Event-ID": "abc" }, 400, /Last-Event-ID/],
];
for (const [path, headers, status, text] of refused) {
  Deno.test(`GET ${path} ${JSON.stringify(headers)} is a ${status} naming the problem`, async () => {
    await using env = await setup();
    const response = await env.get(path, headers);
    assert.equal(response.status, status);
    assert.match(await response.text(), text);
  });
}

Deno.test("GET /rest/events streams SSE from Last-Event-ID; other methods and paths are not taken", async () => {
  await using env = await setup(5);
  const response = await env.get("/rest/events", { "Last-Event-ID": "3" });
  assert.equal(response.status, 200);
  assert.equal(
    response.headers.get("Content-Type"),
    "text/event-stream; charset=utf-8",
  );
  const reader = new SseReader(response.body!);
  assert.equal((await reader.nextEvent())?.id, "4");
  const fifth = await reader.nextEvent();
  assert.equal(fifth?.event, "message");
  assert.equal(JSON.parse(fifth!.data).stanza.body, "m5");
  await reader.cancel();
  assert.equal(
    env.handler(new Request("http://gw/rest/updates", { method: "POST" })),
    undefined,
  );
  assert.equal(env.handler(new Request("http://gw/rest/ping/x")), undefined);
});

Deno.test("events routes follow credential scopes: the events route group is needed", async () => {
  const store = createMemoryStore();
  const feed = new EventFeed({ store });
  const handler = createEventsHandler({
    store,
    feed,
    auth: {
      ...auth,
      credentials: [
        { credential: "Bearer sender", scope: { routes: ["send" as const] } },
        { credential: "Bearer reader", scope: { routes: ["events" as const] } },
      ],
    },
  });
  try {
    const get = (token: string) =>
      handler(
        new Request("http://gw/rest/updates?timeout=0", {
          headers: { Authorization: token },
        }),
      );
    const refused = (await get("Bearer sender"))!;
    assert.equal(refused.status, 403);
    assert.equal(
      (await refused.json()).error.text,
      "Credential may not use the events routes (allowed: send)",
    );
    const allowed = (await get("Bearer reader"))!;
    assert.equal(allowed.status, 200);
    await allowed.body?.cancel();
  } finally {
    feed.close();
    await store.close();
  }
});
