// The component socket shell over a Deno.Conn-like socket (direct read/write): batching, partial writes, reads, the end and failures.

import assert from "node:assert/strict";
import {
  type ComponentSocket,
  Connection,
  MAX_BATCH_UNITS,
} from "../../src/component/connection.ts";

const decoder = new TextDecoder();

/** A socket with `read` and `write` as `Deno.Conn` has them, driven by the test. */
class FakeConn implements ComponentSocket {
  /** Each write's bytes, decoded (a partial write may split a character: see `text`). */
  written: string[] = [];
  #bytes: number[] = [];
  closed = false;
  /** Most bytes one write takes (partial writes when small). */
  maxWrite = Infinity;
  failWrites?: Error;
  #reads: ((n: Uint8Array | null | Error) => void)[] = [];
  #pending: (Uint8Array | null | Error)[] = [];

  get readable(): ReadableStream<Uint8Array> {
    throw new Error("the stream was used instead of read()");
  }
  get writable(): WritableStream<Uint8Array> {
    throw new Error("the stream was used instead of write()");
  }

  read(buffer: Uint8Array): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const deliver = (next: Uint8Array | null | Error) => {
        if (next instanceof Error) return reject(next);
        if (next === null) return resolve(null);
        buffer.set(next);
        resolve(next.byteLength);
      };
      const next = this.#pending.shift();
      if (next !== undefined) deliver(next);
      else this.#reads.push(deliver);
    });
  }

  /** The server sends `text` (or ends the stream with null, or fails). */
  push(next: string | null | Error): void {
    const item = typeof next === "string"
      ? new TextEncoder().encode(next)
      : next;
    const waiting = this.#reads.shift();
    if (waiting) waiting(item);
    else this.#pending.push(item);
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.failWrites) return Promise.reject(this.failWrites);
    const n = Math.min(bytes.byteLength, this.maxWrite);
    this.written.push(decoder.decode(bytes.subarray(0, n)));
    for (const byte of bytes.subarray(0, n)) this.#bytes.push(byte);
    return Promise.resolve(n);
  }

  /** Everything written, decoded as one. */
  get text(): string {
    return decoder.decode(new Uint8Array(this.#bytes));
  }

  close(): void {
    this.closed = true;
    this.push(null);
  }
}

function open(conn: FakeConn) {
  const events: string[] = [];
  const connection = new Connection(conn, {
    onData: (chunk) => events.push(`data:${decoder.decode(chunk)}`),
    onClose: (error) =>
      events.push(`close:${error instanceof Error ? error.message : "-"}`),
  });
  return { connection, events };
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("Connection over read/write: writes of one turn go out in one write, partial writes are completed", async () => {
  const cases: [name: string, maxWrite: number, parts: string[]][] = [
    ["whole", Infinity, ["<a/>", "<b/>", "<c>é€😀</c>"]],
    ["partial", 3, ["<a/>", "<b/>", "<c>é€😀</c>"]],
    ["large", Infinity, ["x".repeat(100_000), "<y/>"]],
  ];
  for (const [name, maxWrite, parts] of cases) {
    const conn = new FakeConn();
    conn.maxWrite = maxWrite;
    const { connection } = open(conn);
    for (const part of parts) connection.write(part);
    await turn();
    assert.equal(conn.text, parts.join(""), name);
    if (maxWrite === Infinity) assert.equal(conn.written.length, 1, name);
    // The buffer is reused (or replaced after a large batch): later writes are intact.
    connection.write("<after/>");
    await turn();
    assert.ok(conn.text.endsWith(parts.join("") + "<after/>"), name);
    connection.close();
    await turn();
    assert.ok(conn.closed, name);
  }
});

Deno.test("Connection over read/write: a deep queue goes out in slices of at most MAX_BATCH_UNITS, in order, room made after each", async () => {
  const conn = new FakeConn();
  const { connection } = open(conn);
  const stanza = (i: number) => `<m id="${i}">${"x".repeat(1000)}</m>`;
  const parts = Array.from({ length: 1000 }, (_, i) => stanza(i));
  for (const part of parts) connection.write(part);
  const total = parts.reduce((n, p) => n + p.length, 0);
  assert.equal(connection.queuedUnits, total);
  let rooms = 0;
  const waitRoom = (): Promise<void> =>
    connection.whenRoom(1_000).then(() => {
      rooms++;
      return connection.queued > 0 ? waitRoom() : undefined;
    });
  await waitRoom();
  assert.equal(conn.text, parts.join(""));
  assert.ok(conn.written.length >= Math.ceil(total / MAX_BATCH_UNITS));
  for (const write of conn.written) {
    assert.ok(write.length <= MAX_BATCH_UNITS, `one write of ${write.length}`);
  }
  assert.ok(rooms >= 2, `room made ${rooms} times`);
  assert.equal(connection.queued, 0);
  assert.equal(connection.queuedUnits, 0);
});

Deno.test("Connection over read/write: a stanza above MAX_BATCH_UNITS still goes out whole", async () => {
  const conn = new FakeConn();
  const { connection } = open(conn);
  const big = "y".repeat(MAX_BATCH_UNITS + 10);
  connection.write("<a/>");
  connection.write(big);
  connection.write("<b/>");
  await turn();
  await turn();
  assert.equal(conn.text, "<a/>" + big + "<b/>");
  assert.equal(connection.queued, 0);
});

Deno.test("Connection over read/write: reads reach onData, the end and a failure reach onClose once", async () => {
  const ended = new FakeConn();
  const a = open(ended);
  ended.push("<stream>");
  ended.push("<x/>");
  ended.push(null);
  await turn();
  assert.deepEqual(a.events, ["data:<stream>", "data:<x/>", "close:-"]);

  const failed = new FakeConn();
  const b = open(failed);
  failed.push(new Error("reset"));
  await turn();
  assert.deepEqual(b.events, ["close:reset"]);
  assert.ok(failed.closed);

  const writeFails = new FakeConn();
  writeFails.failWrites = new Error("broken pipe");
  const c = open(writeFails);
  c.connection.write("<x/>");
  c.connection.write("<y>é</y>");
  assert.equal(c.connection.queued, 2);
  assert.equal(c.connection.queuedUnits, 4 + 8, "UTF-16 units of both");
  await turn();
  assert.deepEqual(c.events, ["close:broken pipe"]);
  assert.equal(c.connection.queued, 0);
  assert.equal(c.connection.queuedUnits, 0);
});

Deno.test("Connection over read/write: close() sends what is queued first, then nothing more", async () => {
  const conn = new FakeConn();
  const { connection, events } = open(conn);
  connection.write("<last/>");
  connection.close();
  connection.write("<ignored/>");
  await turn();
  assert.deepEqual(conn.written, ["<last/>"]);
  assert.ok(conn.closed);
  assert.deepEqual(events, [], "no callbacks after close()");
});
