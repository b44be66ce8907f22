import assert from "node:assert/strict";
import { el, type XmlElement } from "../../src/xml/element.ts";
import { NS } from "../../src/xmpp/namespaces.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { EventStore } from "../../src/store/types.ts";
import { toNewEvent } from "../../src/inbound/rules.ts";
import { resolveWebhookSettings } from "../../src/webhook/options.ts";
import {
  createReliableDelivery,
  type ReliableDelivery,
  WEBHOOK_CONSUMER,
} from "../../src/webhook/reliable.ts";
import { createWebhookHealth } from "../../src/webhook/health.ts";
import { FakePort } from "../support/fake_port.ts";
import { fakeFetch, type FetchAnswer } from "./fake_fetch.ts";

const BOT = "bot@rest.example.net";

function message(n: number, from = "alice@example.org/phone"): XmlElement {
  return el(
    "message",
    NS.client,
    { from, to: BOT, id: `m${n}`, type: "chat" },
    el("body", NS.client, {}, String(n)),
  );
}

interface Rig extends AsyncDisposable {
  store: EventStore;
  port: FakePort;
  loop: ReliableDelivery;
  requests: ReturnType<typeof fakeFetch>["requests"];
  health: ReturnType<typeof createWebhookHealth>;
  add(...stanzas: XmlElement[]): Promise<void>;
  until(what: string, check: () => boolean | Promise<boolean>): Promise<void>;
}

/**
 * A store whose claims are answered `ms` late with what was claimable when
 * asked, as a networked store answers from a snapshot taken before a
 * settlement committed.
 */
function lateClaims(inner: EventStore, ms: number): EventStore {
  return new Proxy(inner, {
    get(target, key) {
      if (key === "claimDeliveries") {
        return (...args: Parameters<EventStore["claimDeliveries"]>) => {
          const result = target.claimDeliveries(...args);
          return new Promise((resolve) =>
            setTimeout(() => resolve(result), ms)
          );
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function rig(
  answer: (body: string, attempt: number) => FetchAnswer | Promise<FetchAnswer>,
  schedule = [0, 10, 10],
  claimDelayMs = 0,
): Promise<Rig> {
  const memory = createMemoryStore();
  const store = claimDelayMs > 0 ? lateClaims(memory, claimDelayMs) : memory;
  const port = new FakePort("rest.example.net");
  const counts = new Map<string, number>();
  const fake = fakeFetch((request) => {
    const n = (counts.get(request.body) ?? 0) + 1;
    counts.set(request.body, n);
    return answer(request.body, n);
  });
  const health = createWebhookHealth();
  const loop = await createReliableDelivery({
    store,
    settings: resolveWebhookSettings({
      callbackUrl: "http://user:pw@hook.example/{kind}",
      xmpp: port,
      callbackSecrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    }),
    contentType: () => "application/xmpp+xml",
    xmpp: port,
    schedule,
    concurrency: 4,
    health,
    fetch: fake.fetch,
    randomId: () => "r",
  });
  const unwatch = store.watch(() => loop.wake());
  return {
    store,
    port,
    loop,
    requests: fake.requests,
    health,
    async add(...stanzas) {
      await store.append(stanzas.map((s) => toNewEvent(s, Date.now())), {
        deliverTo: [WEBHOOK_CONSUMER],
      });
    },
    async until(what, check) {
      const deadline = Date.now() + 5_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`Timed out: ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async [Symbol.asyncDispose]() {
      unwatch();
      await loop.stop();
      await store.close();
    },
  };
}

const pending = (store: EventStore) =>
  store.deliveryStats(WEBHOOK_CONSUMER).then((s) => s);

Deno.test("reliable delivery: a claim answered after the attempt settled does not post the event again", async () => {
  const answer = async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return new Response(null, { status: 204 });
  };
  await using r = await rig(answer, [0], 100);
  await r.add(message(1));
  await r.until("the first attempt", () => r.requests.length === 1);
  // The loop claims again while the attempt runs; that claim sees the
  // event still pending and is answered after the attempt settled.
  r.loop.wake();
  await r.until(
    "delivered",
    async () => (await pending(r.store)).pending === 0,
  );
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.equal(r.requests.length, 1);
});

Deno.test("reliable delivery: 5xx and refused connections are retried with the same webhook-id, then delivered, and the reply is sent", async () => {
  await using r = await rig((_, attempt) =>
    attempt === 1
      ? new TypeError(
        "error sending request: Connection refused (os error 111)",
      )
      : attempt === 2
      ? new Response("busy", { status: 503 })
      : new Response("<message><body>ok</body></message>", {
        status: 200,
        headers: { "content-type": "application/xmpp+xml" },
      })
  );
  await r.add(message(1));
  await r.until(
    "delivered",
    async () => (await pending(r.store)).pending === 0,
  );
  assert.equal(r.requests.length, 3);
  assert.deepEqual(
    new Set(r.requests.map((q) => q.headers.get("webhook-id"))),
    new Set(["1"]),
  );
  assert.match(r.requests[0].headers.get("webhook-signature")!, /^v1,/);
  assert.equal(r.requests[0].url, "http://hook.example/message");
  assert.equal(r.port.sent.length, 1);
  assert.equal(r.port.sent[0].getChildText("body", NS.client), "ok");
  assert.equal(r.health.lastError?.status, 503);
  assert.ok(r.health.lastSuccessAt);
});

Deno.test("reliable delivery: one conversation in order, one at a time; others go on in parallel", async () => {
  const order: string[] = [];
  let inFlightAlice = 0;
  let maxAlice = 0;
  await using r = await rig(async (body) => {
    const n = /<body>(\d+)</.exec(body)![1];
    const alice = body.includes("alice@");
    if (alice) maxAlice = Math.max(maxAlice, ++inFlightAlice);
    await new Promise((res) => setTimeout(res, alice ? 5 : 1));
    if (alice) inFlightAlice--;
    order.push(`${alice ? "a" : "b"}${n}`);
    return new Response(null, { status: 204 });
  });
  await r.add(
    message(1),
    message(2),
    message(3, "bob@example.org/x"),
    message(4),
  );
  await r.until(
    "all delivered",
    async () => (await pending(r.store)).pending === 0,
  );
  assert.equal(maxAlice, 1);
  assert.deepEqual(order.filter((o) => o.startsWith("a")), ["a1", "a2", "a4"]);
  assert.ok(order.indexOf("b3") < order.indexOf("a4"), order.join());
});

Deno.test("reliable delivery: out of retries the event is a dead letter, no bounce; redeliver brings it back", async () => {
  let up = false;
  await using r = await rig(() =>
    up
      ? new Response(null, { status: 204 })
      : new Response(null, { status: 500 })
  );
  await r.add(message(1));
  await r.until("dead", async () => (await pending(r.store)).dead === 1);
  assert.equal(r.requests.length, 3);
  assert.deepEqual(r.port.sent, []);
  const [letter] = await r.store.listDeadLetters(WEBHOOK_CONSUMER, {
    limit: 10,
  });
  assert.equal(letter.attempts, 3);
  assert.deepEqual(letter.lastError.status, 500);
  up = true;
  assert.equal(
    await r.store.redeliver(WEBHOOK_CONSUMER, { ids: [1] }, Date.now()),
    1,
  );
  await r.until("delivered", async () => {
    const s = await pending(r.store);
    return s.pending === 0 && s.dead === 0;
  });
  assert.equal(r.requests.length, 4);
});

Deno.test("reliable delivery: another 4xx is final, answered as in sync mode and kept as a dead letter", async () => {
  await using r = await rig(() =>
    new Response("go away", {
      status: 403,
      headers: { "content-type": "text/plain" },
    })
  );
  await r.add(message(1));
  await r.until("dead", async () => (await pending(r.store)).dead === 1);
  assert.equal(r.requests.length, 1);
  assert.equal(r.port.sent.length, 1);
  const error = r.port.sent[0].getChild("error", NS.client)!;
  assert.equal(r.port.sent[0].attr("type"), "error");
  assert.ok(error.getChild("forbidden", NS.stanzas));
});

Deno.test("reliable delivery: 410 pauses the endpoint (events wait) until resumed", async () => {
  let gone = true;
  await using r = await rig(() =>
    gone
      ? new Response(null, { status: 410 })
      : new Response(null, { status: 204 })
  );
  await r.add(message(1), message(2, "bob@example.org/x"));
  await r.until("paused", () => r.loop.paused !== undefined);
  await new Promise((res) => setTimeout(res, 50));
  const before = r.requests.length;
  await r.add(message(3));
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(r.requests.length, before, "no attempts while paused");
  assert.equal((await pending(r.store)).pending, 3);
  assert.equal(
    await r.store.getSetting(WEBHOOK_CONSUMER, "paused") !== undefined,
    true,
  );
  gone = false;
  assert.equal(await r.loop.resume(), true);
  await r.until(
    "delivered",
    async () => (await pending(r.store)).pending === 0,
  );
  assert.equal(r.loop.paused, undefined);
});
