// The SSE feed's push path (src/http/push.ts): events written to an engine's sink, bounded by what the client has not taken, with heartbeats and cut-off.

import assert from "node:assert/strict";
import { createMemoryStore } from "../../src/store/memory.ts";
import { EventFeed } from "../../src/events/feed.ts";
import type { PushSink } from "../../src/http/push.ts";
import { SteppedTimers } from "../support/manual_timers.ts";

/** A sink whose client takes bytes only when told to (`drain`). */
class FakeSink implements PushSink {
  text = "";
  unwritten = 0;
  ended?: Error | "ok";
  write(bytes: Uint8Array): number {
    this.text += new TextDecoder().decode(bytes);
    this.unwritten += bytes.byteLength;
    return this.unwritten;
  }
  end(error?: Error): void {
    this.ended = error ?? "ok";
  }
  ids(): number[] {
    return [...this.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  }
}

async function appendMessages(
  store: ReturnType<typeof createMemoryStore>,
  from: number,
  to: number,
) {
  const events = [];
  for (let n = from; n <= to; n++) {
    events.push({
      receivedAt: n,
      kind: "message" as const,
      from: "alice@localhost/r",
      to: "rest.localhost",
      conversation: "c",
      stanza: `<message to="rest.localhost"><body>m${n}</body></message>`,
    });
  }
  await store.append(events);
}

const tick = () => new Promise((r) => setTimeout(r, 10));

Deno.test("EventFeed push path: events go to the sink up to its bound, more once it drains, live ones as they come", async () => {
  const timers = new SteppedTimers();
  const store = createMemoryStore();
  const feed = new EventFeed({ store, timers, clientBufferBytes: 2048 });
  await appendMessages(store, 1, 100);
  const sink = new FakeSink();
  const events = (await feed.subscribePush({ afterId: 0, format: "json" }))(
    sink,
  );
  await tick();
  assert.match(sink.text, /^retry: 3000\n: connected\n\n/);
  const first = sink.ids();
  assert.ok(first.length > 0 && first.length < 100, `${first.length} sent`);
  assert.deepEqual(first, first.map((_, i) => i + 1));
  // The client takes everything: the rest follows, in order.
  while (sink.ids().length < 100) {
    sink.unwritten = 0;
    events.drained();
    await tick();
  }
  assert.deepEqual(sink.ids(), Array.from({ length: 100 }, (_, i) => i + 1));
  sink.unwritten = 0;
  events.drained();
  await appendMessages(store, 101, 101);
  await tick();
  assert.equal(sink.ids().at(-1), 101);
  events.closed();
  assert.equal(feed.clients, 0);
  feed.close();
  await store.close();
});

Deno.test("EventFeed push path: a client that takes nothing for a heartbeat interval while full is cut off; an idle one gets heartbeats", async () => {
  const timers = new SteppedTimers();
  const store = createMemoryStore();
  const feed = new EventFeed({ store, timers, clientBufferBytes: 1024 });
  await appendMessages(store, 1, 50);
  const stuck = new FakeSink();
  (await feed.subscribePush({ afterId: 0, format: "json" }))(stuck);
  const quiet = new FakeSink();
  (await feed.subscribePush({ format: "json" }))(quiet);
  await tick();
  timers.advance(15_000); // the stuck client is full: marked
  timers.advance(15_000); // still full, nothing taken: cut off
  assert.ok(stuck.ended instanceof Error);
  assert.match(String((stuck.ended as Error).message), /did not read/);
  assert.equal(feed.clients, 1);
  assert.match(quiet.text, /: heartbeat\n\n/);
  feed.close();
  assert.equal(quiet.ended, "ok");
  await store.close();
});

for (const count of [1, 128, 300]) {
  Deno.test(`EventFeed push path: one heartbeat timer for ${count} clients; each gets the same heartbeat bytes, and every event`, async () => {
    const timers = new SteppedTimers();
    const store = createMemoryStore();
    const feed = new EventFeed({ store, timers });
    const sinks: FakeSink[] = [];
    const written = new Set<Uint8Array>();
    for (let i = 0; i < count; i++) {
      const sink = new FakeSink();
      const write = sink.write.bind(sink);
      sink.write = (bytes) => (written.add(bytes), write(bytes));
      sinks.push(sink);
      (await feed.subscribePush({ format: "json" }))(sink);
    }
    assert.equal(
      timers.pending,
      1,
      "one timer, whatever the number of clients",
    );
    written.clear();
    timers.advance(15_000);
    for (const sink of sinks) {
      assert.match(sink.text, /^retry: 3000\n: connected\n\n: heartbeat\n\n$/);
      sink.unwritten = 0;
    }
    assert.equal(
      written.size,
      1,
      "one heartbeat buffer shared by every client",
    );
    assert.equal(timers.pending, 1, "the next beat: one timer again");
    written.clear();
    await appendMessages(store, 1, 2);
    await tick();
    for (const sink of sinks) assert.deepEqual(sink.ids(), [1, 2]);
    assert.equal(
      written.size,
      1,
      "one batch of the new events for every client",
    );
    feed.close();
    await store.close();
  });
}
