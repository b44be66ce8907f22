import assert from "node:assert/strict";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { EventStore, NewEvent } from "../../src/store/types.ts";
import { EventFeed } from "../../src/events/feed.ts";
import { SseReader } from "../support/sse_reader.ts";
import { SteppedTimers } from "../support/manual_timers.ts";

function message(n: number): NewEvent {
  return {
    receivedAt: Date.UTC(2026, 0, 1) + n,
    kind: "message",
    from: "alice@localhost/r",
    to: "rest.localhost",
    conversation: "alice@localhost rest.localhost",
    stanza:
      `<message from="alice@localhost/r" to="rest.localhost" type="chat"><body>m${n}</body></message>`,
  };
}

async function appendRange(store: EventStore, from: number, to: number) {
  const events = [];
  for (let n = from; n <= to; n++) events.push(message(n));
  await store.append(events);
}

function setup(options: { timers?: SteppedTimers; buffer?: number } = {}) {
  const store = createMemoryStore();
  const feed = new EventFeed({
    store,
    timers: options.timers,
    clientBufferBytes: options.buffer,
  });
  return { store, feed };
}

Deno.test("EventFeed: a client resuming after id N gets exactly the events after N, in order, then live ones", async () => {
  const { store, feed } = setup();
  await appendRange(store, 1, 250);
  const reader = new SseReader(
    await feed.subscribe({ afterId: 120, format: "json" }),
  );
  const first = await reader.next();
  assert.ok(first?.comments.includes("connected"));
  for (let id = 121; id <= 250; id++) {
    const block = await reader.nextEvent();
    assert.equal(block?.id, String(id));
    assert.equal(block?.event, "message");
    const data = JSON.parse(block!.data);
    assert.equal(data.id, id);
    assert.equal(data.stanza.body, `m${id}`);
  }
  await appendRange(store, 251, 252);
  assert.equal((await reader.nextEvent())?.id, "251");
  assert.equal((await reader.nextEvent())?.id, "252");
  await reader.cancel();
  feed.close();
  await store.close();
});

Deno.test("EventFeed: without a resume point a client starts with new events; every client gets every event", async () => {
  const { store, feed } = setup();
  await appendRange(store, 1, 5);
  const a = new SseReader(await feed.subscribe({ format: "json" }));
  const b = new SseReader(await feed.subscribe({ format: "xml" }));
  assert.equal(feed.clients, 2);
  await appendRange(store, 6, 8);
  for (const id of ["6", "7", "8"]) {
    assert.equal((await a.nextEvent())?.id, id);
    const x = await b.nextEvent();
    assert.equal(x?.id, id);
    assert.match(
      x!.data,
      new RegExp(
        `^<event id="${id}" received-at="[^"]+Z" kind="message"><message `,
      ),
    );
  }
  await a.cancel();
  await b.cancel();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(feed.clients, 0);
  feed.close();
  await store.close();
});

Deno.test("EventFeed: heartbeat comments; a client that does not read is cut off after its buffer fills, a reading one is not", async () => {
  const timers = new SteppedTimers();
  const { store, feed } = setup({ timers, buffer: 4096 });
  const idle = new SseReader(
    await feed.subscribe({ afterId: 0, format: "json" }),
  );
  const busy = new SseReader(
    await feed.subscribe({ afterId: 0, format: "json" }),
  );
  await appendRange(store, 1, 400); // far more than 4 KiB of frames
  // The busy client reads a few; the idle one reads nothing.
  for (let i = 0; i < 3; i++) await busy.nextEvent();
  await new Promise((r) => setTimeout(r, 20));
  timers.advance(15_000); // first tick: buffers full, marks them
  for (let i = 0; i < 30; i++) await busy.nextEvent(); // busy pulls again
  timers.advance(15_000); // second tick: idle still full and not read -> cut
  assert.equal(feed.clients, 1);
  await assert.rejects(async () => {
    for (;;) if ((await idle.next()) === undefined) break;
  }, /did not read/);
  // The busy one still gets every event in order.
  let last = 33;
  for (;;) {
    const block = await busy.nextEvent();
    assert.equal(block?.id, String(last + 1));
    last++;
    if (last === 400) break;
  }
  timers.advance(15_000);
  let beat;
  do beat = await busy.next(); while (beat && beat.id !== "");
  assert.ok(beat?.comments.includes("heartbeat"));
  await busy.cancel();
  feed.close();
  await store.close();
});

Deno.test("EventFeed.waitFor(): resolves on an append, or false after the wait", async () => {
  const timers = new SteppedTimers();
  const { store, feed } = setup({ timers });
  await appendRange(store, 1, 2);
  assert.equal(await feed.waitFor(2, 0), true);
  assert.equal(await feed.waitFor(3, 0), false);
  const waiting = feed.waitFor(3, 30_000);
  await new Promise((r) => setTimeout(r, 0));
  await appendRange(store, 3, 3);
  assert.equal(await waiting, true);
  const expiring = feed.waitFor(4, 30_000);
  await new Promise((r) => setTimeout(r, 0));
  timers.advance(30_000);
  assert.equal(await expiring, false);
  feed.close();
  await store.close();
});

Deno.test("EventFeed.close() ends every client stream", async () => {
  const { store, feed } = setup();
  const reader = new SseReader(await feed.subscribe({ format: "json" }));
  await reader.next();
  feed.close();
  assert.equal(await reader.next(), undefined);
  await store.close();
});

Deno.test("EventFeed.waitFor(): an append noticed while it asks the store is not lost", async () => {
  const store = createMemoryStore();
  // The store answers with what it had when asked, after the appends
  // (another instance's, say) were noticed.
  const racing = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "lastId") {
        return async () => {
          const stale = await target.lastId();
          await appendRange(target, 1, 3);
          return stale;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const feed = new EventFeed({ store: racing });
  assert.equal(await feed.waitFor(1, 300), true);
  feed.close();
  await store.close();
});
