// The SSE feed on the own HTTP/1.1 engine over real loopback sockets: a client that stops reading is cut off once its bounded buffer stays full (it never grows the gateway's memory), a client that reads gets every event, a client that left is freed at the next write.

import assert from "node:assert/strict";
import { rawClient } from "./_raw_client.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { NewEvent } from "../../src/store/types.ts";
import { EventFeed } from "../../src/events/feed.ts";
import { createEventsHandler } from "../../src/http/events.ts";
import { serveHttp } from "../../src/http/server.ts";

const TOKEN = "Bearer t";
const auth = { domain: "rest.localhost", secret: "s", credentials: [TOKEN] };
const REQUEST =
  `GET /rest/events HTTP/1.1\r\nHost: gw\r\nAuthorization: ${TOKEN}\r\n\r\n`;
/** About 8 KiB per event: EVENTS of them (16 MiB) are more than the loopback socket buffers of a client that does not read take. */
const EVENTS = 2000;
const BODY = "x".repeat(8 * 1024);

function message(n: number): NewEvent {
  return {
    receivedAt: Date.UTC(2026, 0, 1) + n,
    kind: "message",
    from: "alice@localhost/r",
    to: "rest.localhost",
    conversation: "c",
    stanza:
      `<message from="alice@localhost/r" to="rest.localhost"><body>${n} ${BODY}</body></message>`,
  };
}

/** Reads `conn` until event `last` arrived; the event ids seen, in order (60 s at most). */
async function readIds(conn: Deno.Conn, last: number): Promise<number[]> {
  const ids: number[] = [];
  const buffer = new Uint8Array(256 * 1024);
  const decoder = new TextDecoder();
  const deadline = Date.now() + 60_000;
  let carry = "";
  while (ids.at(-1) !== last) {
    if (Date.now() > deadline) throw new Error(`${ids.length} events read`);
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`closed after ${ids.length} events`);
    const text = carry +
      decoder.decode(buffer.subarray(0, n), { stream: true });
    const end = text.lastIndexOf("\n") + 1; // whole lines only
    for (const m of text.slice(0, end).matchAll(/^id: (\d+)$/gm)) {
      ids.push(Number(m[1]));
    }
    carry = text.slice(end);
  }
  return ids;
}

/** Polls `done` every 20 ms for up to 30 s. */
async function eventually(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function setup() {
  const store = createMemoryStore();
  const feed = new EventFeed({
    store,
    // Short enough for a quick test, long enough that a client that does
    // read is never found full at two beats in a row on a loaded machine.
    heartbeatMs: 1000,
  });
  const events = createEventsHandler({ store, feed, auth });
  const server = serveHttp(
    { hostname: "127.0.0.1", port: 0 },
    (request) =>
      events(request) ?? Promise.resolve(new Response(null, { status: 404 })),
  );
  return {
    store,
    feed,
    server,
    async [Symbol.asyncDispose]() {
      feed.close();
      await server.close();
      await store.close();
    },
  };
}

Deno.test("SSE over the own engine: a client that stops reading is cut off after its buffer stays full; one that reads gets every event", async () => {
  await using env = setup();
  const stuck = await rawClient(env.server);
  const reader = await rawClient(env.server);
  try {
    await stuck.write(REQUEST);
    await stuck.read((t) => t.includes(": connected"));
    await reader.write(REQUEST);
    await reader.read((t) => t.includes(": connected"));
    assert.equal(env.feed.clients, 2);
    // The reader reads on; the stuck client reads nothing more.
    const reading = readIds(reader.conn, EVENTS);
    for (let n = 1; n <= EVENTS; n += 100) {
      await env.store.append(
        Array.from({ length: 100 }, (_, i) => message(n + i)),
      );
    }
    await eventually(() => env.feed.clients === 1, "the stuck client cut off");
    await eventually(
      () => env.server.openConnections === 1,
      "its connection closed",
    );
    assert.deepEqual(
      await reading,
      Array.from({ length: EVENTS }, (_, i) => i + 1),
      "the reading client got every event, in order",
    );
  } finally {
    stuck.close();
    reader.close();
  }
});

Deno.test("SSE over the own engine: a client that left is freed at the next writes (a heartbeat), nothing reading its socket", async () => {
  await using env = setup();
  const client = await rawClient(env.server);
  await client.write(REQUEST);
  await client.read((t) => t.includes(": connected"));
  assert.equal(env.feed.clients, 1);
  client.close();
  await eventually(() => env.feed.clients === 0, "the client freed");
  await eventually(
    () => env.server.openConnections === 0,
    "its connection closed",
  );
});
