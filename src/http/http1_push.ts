// RFC 9112 section 7.1: a push body (src/http/push.ts) written as chunks, one write at a time, with what its source queued meanwhile batched into the next.

import { encodeChunk, LAST_CHUNK } from "../http1/chunked.ts";
import type { PushEvents, PushSink, PushSource } from "./push.ts";
import { concatBytes } from "../wire/read.ts";

/** The connection a push body is written on (the engine's side). */
export interface PushConnection {
  /** Writes all of `bytes`; false when the connection failed. */
  send(bytes: Uint8Array): Promise<boolean>;
  /** The body ended: `ok` when it ended normally and the connection may serve on. */
  pushEnded(ok: boolean): void;
}

// The chunk last made, kept for the next sink: a fan-out writes the same
// event bytes to every client in a row, so they share one chunk (README
// "Performance": a write to many clients allocates nothing per client).
let lastPayload: Uint8Array | undefined;
let lastChunk: Uint8Array | undefined;

/** `bytes` as one chunk; the same chunk again for the same bytes in a row. */
function chunkOf(bytes: Uint8Array): Uint8Array {
  if (bytes !== lastPayload) {
    lastChunk = encodeChunk(bytes);
    lastPayload = bytes;
  }
  return lastChunk!;
}

/**
 * The engine's side of one push body: the only record a held body costs
 * the engine besides the connection (no closures, promise or target
 * object per body). Its unwritten chunks wait in `#queue` (undefined when
 * empty).
 */
export class PushWriter implements PushSink {
  #connection: PushConnection;
  #close: boolean;
  #queue: Uint8Array | Uint8Array[] | undefined;
  #queuedPayload = 0;
  #unwritten = 0;
  #writing = false;
  #ended = false;
  #finished = false;
  #events?: PushEvents;

  /**
   * Writes `head`, then what `source` produces, as chunks on `connection`;
   * what it queues while a write is in progress goes out with the next
   * one. `close`: the connection closes after the body (so it never ends
   * "ok"). The connection hears `pushEnded` once, when the body ended or
   * the client left.
   */
  constructor(
    source: PushSource,
    head: Uint8Array,
    connection: PushConnection,
    close: boolean,
  ) {
    this.#connection = connection;
    this.#close = close;
    this.#queue = head;
    this.#events = source(this);
    void this.#flush();
  }

  /** Bytes queued and not yet written. */
  get unwritten(): number {
    return this.#unwritten;
  }

  /** Queues bytes as one chunk; the bytes still unwritten afterwards. */
  write(bytes: Uint8Array): number {
    if (this.#ended || this.#finished || bytes.byteLength === 0) {
      return this.#unwritten;
    }
    this.#unwritten += bytes.byteLength;
    this.#queuedPayload += bytes.byteLength;
    this.#enqueue(chunkOf(bytes));
    void this.#flush();
    return this.#unwritten;
  }

  /** Ends the body: the last chunk, or with an error at once (the connection is dropped). */
  end(error?: Error): void {
    if (this.#ended || this.#finished) return;
    this.#ended = true;
    if (error !== undefined) return this.#finish(false);
    this.#enqueue(LAST_CHUNK);
    void this.#flush();
  }

  /** The client left or the connection failed: the source hears `closed`. */
  cancel(): void {
    if (this.#finished) return;
    this.#finish(false);
    this.#events?.closed();
  }

  #enqueue(bytes: Uint8Array): void {
    const queue = this.#queue;
    if (queue === undefined) this.#queue = bytes;
    else if (Array.isArray(queue)) queue.push(bytes);
    else this.#queue = [queue, bytes];
  }

  #finish(ok: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#queue = undefined;
    this.#connection.pushEnded(ok);
  }

  async #flush(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    while (this.#queue !== undefined && !this.#finished) {
      const queue = this.#queue;
      const payload = this.#queuedPayload;
      this.#queue = undefined;
      this.#queuedPayload = 0;
      const ok = await this.#connection.send(
        Array.isArray(queue) ? concatBytes(queue) : queue,
      );
      if (!ok) return this.cancel();
      this.#unwritten -= payload;
    }
    this.#writing = false;
    if (this.#finished) return;
    if (this.#ended) return this.#finish(!this.#close);
    if (this.#unwritten === 0) this.#events?.drained();
  }
}
