// The push writer of the own HTTP/1.1 engine against a fake connection: chunks in order, short writes resumed, a failed write tells the source, drains reported once everything is out.

import assert from "node:assert/strict";
import { type PushConnection, PushWriter } from "../../src/http/http1_push.ts";
import type { PushEvents, PushSink } from "../../src/http/push.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A connection that takes at most `max` bytes per write, or fails every write after `failAfter`. */
class FakeConnection implements PushConnection {
  out = "";
  writes = 0;
  ended?: boolean;
  constructor(readonly max = Infinity, readonly failAfter = Infinity) {}
  write(bytes: Uint8Array): Promise<number> {
    if (++this.writes > this.failAfter) {
      return Promise.reject(new Error("broken pipe"));
    }
    const n = Math.min(this.max, bytes.byteLength);
    this.out += decode(bytes.subarray(0, n));
    return Promise.resolve(n);
  }
  pushEnded(ok: boolean): void {
    this.ended = ok;
  }
}

const settle = () => new Promise((r) => setTimeout(r, 10));

const cases = [
  { name: "whole writes", max: Infinity },
  { name: "one byte per write", max: 1 },
  { name: "five bytes per write", max: 5 },
];

for (const c of cases) {
  Deno.test(`PushWriter: head, chunks and the last chunk in order, ${c.name}; the source hears drained once all is out`, async () => {
    const connection = new FakeConnection(c.max);
    let sink!: PushSink;
    let drained = 0;
    const events: PushEvents = { drained: () => drained++, closed() {} };
    new PushWriter(
      (s) => (sink = s, events),
      encode("HEAD\r\n\r\n"),
      connection,
      false,
    );
    sink.write(encode("one\n"));
    sink.write(encode("two\n"));
    assert.ok(sink.unwritten > 0);
    await settle();
    assert.equal(sink.unwritten, 0);
    assert.ok(drained >= 1);
    sink.end();
    await settle();
    assert.equal(
      connection.out,
      "HEAD\r\n\r\n4\r\none\n\r\n4\r\ntwo\n\r\n0\r\n\r\n",
    );
    assert.equal(
      connection.ended,
      true,
      "ended normally: the connection may serve on",
    );
  });
}

Deno.test("PushWriter: a failed write ends the body (the connection is dropped) and the source hears closed()", async () => {
  const connection = new FakeConnection(Infinity, 1);
  let sink!: PushSink;
  let closed = false;
  new PushWriter(
    (s) => (sink = s, { drained() {}, closed: () => closed = true }),
    encode("HEAD\r\n\r\n"),
    connection,
    false,
  );
  await settle();
  sink.write(encode("lost\n"));
  await settle();
  assert.equal(closed, true);
  assert.equal(connection.ended, false);
  assert.equal(
    sink.write(encode("more\n")),
    sink.unwritten,
    "nothing queued after the end",
  );
});

Deno.test("PushWriter: the same bytes written to many bodies in a row share one chunk", async () => {
  const chunks: Uint8Array[] = [];
  const payload = encode("event\n");
  for (let i = 0; i < 3; i++) {
    const connection = new FakeConnection();
    connection.write = (
      bytes,
    ) => (chunks.push(bytes), Promise.resolve(bytes.byteLength));
    let sink!: PushSink;
    new PushWriter(
      (s) => (sink = s, { drained() {}, closed() {} }),
      encode("H"),
      connection,
      true,
    );
    await settle(); // the head went out alone
    sink.write(payload);
  }
  await settle();
  const events = chunks.filter((c) => decode(c).includes("event"));
  assert.equal(events.length, 3);
  assert.ok(events.every((c) => c === events[0]), "one chunk object for all");
});
