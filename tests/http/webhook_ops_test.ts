import assert from "node:assert/strict";
import { createWebhookOps } from "../../src/http/webhook_ops.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { createWebhookHealth } from "../../src/webhook/health.ts";
import {
  type ReliableDelivery,
  WEBHOOK_CONSUMER,
} from "../../src/webhook/reliable.ts";
import type { EventStore } from "../../src/store/types.ts";

const AUTH = { Authorization: "Bearer ops" };
const NOW = Date.parse("2026-01-01T12:00:00Z");

function fakeLoop(): ReliableDelivery & { wakes: number } {
  let paused: { at: number; status: number } | undefined = {
    at: NOW - 1000,
    status: 410,
  };
  const loop = {
    wakes: 0,
    wake() {
      loop.wakes++;
    },
    get paused() {
      return paused;
    },
    inFlight: 0,
    resume() {
      const was = paused !== undefined;
      paused = undefined;
      return Promise.resolve(was);
    },
    stop: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
  return loop;
}

function ops(store?: EventStore, loop?: ReliableDelivery) {
  const health = createWebhookHealth();
  health.failure({ at: NOW - 5_000, status: 503, reason: "HTTP 503" });
  return createWebhookOps({
    domain: "rest.example.net",
    credentials: ["Bearer ops"],
    mode: loop ? "reliable" : "sync",
    url: "http://hook.example/{kind}",
    health,
    store,
    reliable: loop,
    now: () => NOW,
  });
}

const get = (path: string, headers: Record<string, string> = AUTH) =>
  new Request(`http://gw${path}`, { headers });
const post = (path: string, body?: string) =>
  new Request(`http://gw${path}`, { method: "POST", headers: AUTH, body });

async function withDeadLetters(): Promise<EventStore> {
  const store = createMemoryStore();
  await store.append(
    [1, 2].map((n) => ({
      receivedAt: NOW - 60_000 + n,
      kind: "message" as const,
      from: `u${n}@x/r`,
      to: "bot@rest.example.net",
      conversation: `u${n}@x bot@rest.example.net`,
      stanza: `<message id="m${n}"/>`,
    })),
    { deliverTo: [WEBHOOK_CONSUMER] },
  );
  for (const id of [1, 2]) {
    await store.settleDelivery(WEBHOOK_CONSUMER, id, {
      outcome: "dead",
      error: { at: NOW - 1000, reason: "connection refused" },
    });
  }
  return store;
}

Deno.test({
  name: "webhook ops: the same credentials as /rest (401 without, 403 wrong)",
  permissions: "none",
  async fn() {
    const handler = ops();
    assert.equal((await handler(get("/webhook", {}))).status, 401);
    assert.equal(
      (await handler(get("/webhook", { Authorization: "Bearer nope" }))).status,
      403,
    );
  },
});

Deno.test({
  name:
    "webhook ops: GET /webhook in sync mode reports the URL and the last error",
  permissions: "none",
  async fn() {
    const response = await ops()(get("/webhook"));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      mode: "sync",
      url: "http://hook.example/{kind}",
      paused: false,
      pausedAt: null,
      pending: 0,
      oldestPendingAgeSeconds: null,
      deadLetters: 0,
      lastSuccessAt: null,
      lastError: {
        at: "2026-01-01T11:59:55.000Z",
        status: 503,
        reason: "HTTP 503",
      },
    });
  },
});

Deno.test({
  name:
    "webhook ops: dead letters, redelivery and resume need reliable mode (404 with a reason)",
  permissions: "none",
  async fn() {
    const response = await ops()(get("/webhook/dead-letters"));
    assert.equal(response.status, 404);
    assert.match(await response.text(), /callback-mode reliable/);
  },
});

Deno.test({
  name:
    "webhook ops: reliable status, dead-letter listing with paging, redelivery by ids and since, resume",
  permissions: "none",
  async fn() {
    const store = await withDeadLetters();
    const loop = fakeLoop();
    const handler = ops(store, loop);
    const status = await (await handler(get("/webhook"))).json();
    assert.equal(status.mode, "reliable");
    assert.equal(status.paused, true);
    assert.equal(status.pausedAt, "2026-01-01T11:59:59.000Z");
    assert.equal(status.deadLetters, 2);
    const page = await (await handler(get("/webhook/dead-letters?limit=1")))
      .json();
    assert.deepEqual(page.deadLetters.map((d: { id: number }) => d.id), [1]);
    assert.equal(page.deadLetters[0].lastError.reason, "connection refused");
    assert.equal(page.deadLetters[0].stanza, '<message id="m1"/>');
    const next = await (await handler(get("/webhook/dead-letters?after=1")))
      .json();
    assert.deepEqual(next.deadLetters.map((d: { id: number }) => d.id), [2]);
    const byId = await handler(post("/webhook/redeliver", '{"ids":[2]}'));
    assert.deepEqual(await byId.json(), { redelivered: 1 });
    const since = await handler(
      post("/webhook/redeliver", '{"since":"2026-01-01T11:00:00Z"}'),
    );
    assert.deepEqual(await since.json(), { redelivered: 1 });
    assert.equal(loop.wakes, 2);
    assert.deepEqual((await store.deliveryStats(WEBHOOK_CONSUMER)).dead, 0);
    assert.deepEqual(await (await handler(post("/webhook/resume"))).json(), {
      resumed: true,
    });
    assert.deepEqual(await (await handler(post("/webhook/resume"))).json(), {
      resumed: false,
    });
  },
});

Deno.test({
  name: "webhook ops: bad input gets a specific 400 or 405",
  permissions: "none",
  async fn() {
    const handler = ops(await withDeadLetters(), fakeLoop());
    const cases: [Request, number, RegExp | undefined][] = [
      [post("/webhook/redeliver", "not json"), 400, /expected a JSON body/],
      [post("/webhook/redeliver", '{"ids":[]}'), 400, /ids/],
      [post("/webhook/redeliver", '{"ids":[1.5]}'), 400, /ids/],
      [post("/webhook/redeliver", '{"since":"yesterday"}'), 400, /since/],
      [get("/webhook/dead-letters?limit=0"), 400, /limit/],
      [get("/webhook/dead-letters?after=x"), 400, /after/],
      [get("/webhook/redeliver"), 405, undefined],
      [post("/webhook"), 405, undefined],
      [get("/webhook/unknown"), 404, undefined],
    ];
    for (const [request, status, text] of cases) {
      const response = await handler(request);
      assert.equal(response.status, status, request.url);
      const body = await response.text();
      if (text) assert.match(body, text, request.url);
    }
    const allow = await handler(get("/webhook/resume"));
    assert.equal(allow.headers.get("allow"), "POST");
  },
});

Deno.test("webhook operations follow credential scopes: the operations route group is needed", async () => {
  const handler = createWebhookOps({
    domain: "rest.example.net",
    credentials: [
      { credential: "Bearer sender", scope: { routes: ["send" as const] } },
      {
        credential: "Bearer admin",
        scope: { routes: ["operations" as const] },
      },
    ],
    mode: "sync",
    url: "http://hook.example/{kind}",
    health: createWebhookHealth(),
    now: () => NOW,
  });
  const refused = await handler(
    get("/webhook", { Authorization: "Bearer sender" }),
  );
  assert.equal(refused.status, 403);
  assert.equal(
    (await refused.json()).error.text,
    "Credential may not use the operations routes (allowed: send)",
  );
  const allowed = await handler(
    get("/webhook", { Authorization: "Bearer admin" }),
  );
  assert.equal(allowed.status, 200);
  await allowed.body?.cancel();
});
