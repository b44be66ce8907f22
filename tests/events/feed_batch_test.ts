// Batches of SSE frames: one event's batch is its frame itself, longer ones stop at the room or the count given, frames are made once per event and format.

import assert from "node:assert/strict";
import {
  type Cached,
  frameOf,
  makeBatch,
} from "../../src/events/feed_batch.ts";

function cache(count: number): Map<number, Cached> {
  const out = new Map<number, Cached>();
  for (let id = 1; id <= count; id++) {
    out.set(id, {
      event: {
        id,
        receivedAt: Date.UTC(2026, 0, 1),
        kind: "message",
        from: "alice@localhost/r",
        to: "rest.localhost",
        conversation: "c",
        stanza: `<message to="rest.localhost"><body>m${id}</body></message>`,
      },
    });
  }
  return out;
}

const ids = (bytes: Uint8Array) =>
  [...new TextDecoder().decode(bytes).matchAll(/^id: (\d+)$/gm)].map((m) =>
    Number(m[1])
  );

const cases = [
  {
    name: "everything cached fits",
    from: 1,
    room: 1e6,
    max: 100,
    want: [1, 2, 3, 4, 5],
  },
  { name: "at most `max` events", from: 2, room: 1e6, max: 2, want: [2, 3] },
  {
    name: "one event at least, even without room",
    from: 3,
    room: 1,
    max: 100,
    want: [3],
  },
  { name: "the last cached event", from: 5, room: 1e6, max: 100, want: [5] },
];

for (const c of cases) {
  Deno.test(`makeBatch(): ${c.name}`, () => {
    const events = cache(5);
    const batch = makeBatch(events, c.from, "json", c.room, c.max);
    assert.deepEqual(ids(batch.bytes), c.want);
    assert.equal(batch.from, c.from);
    assert.equal(batch.to, c.want.at(-1)! + 1);
    if (c.want.length === 1) {
      assert.equal(
        batch.bytes,
        frameOf(events.get(c.from)!, "json"),
        "the frame itself, no copy",
      );
    }
  });
}

Deno.test("makeBatch(): stops once the room is used up", () => {
  const events = cache(5);
  const one = frameOf(events.get(1)!, "json").byteLength;
  assert.deepEqual(ids(makeBatch(events, 1, "json", one + 1, 100).bytes), [
    1,
    2,
  ]);
});

Deno.test("frameOf(): made once per event and format", () => {
  const [cached] = cache(1).values();
  const json = frameOf(cached, "json");
  assert.equal(frameOf(cached, "json"), json);
  const xml = frameOf(cached, "xml");
  assert.notEqual(xml, json);
  assert.match(
    new TextDecoder().decode(xml),
    /^id: 1\nevent: message\ndata: <event /,
  );
});
