// RFC 9112 section 7.1: a push body (src/http/push.ts) written as chunks, one write at a time, with what its source queued meanwhile batched into the next.

import { encodeChunk, LAST_CHUNK } from "../http1/chunked.ts";
import type { PushEvents, PushSink, PushSource } from "./push.ts";
import { concatBytes } from "../wire/read.ts";

/** The connection a push body is written on (the engine's side). */
export interface PushConnection {
  /** Writes `bytes` once: how many went out (maybe fewer), or a rejection when the connection failed. */
  write(bytes: Uint8Array): Promise<number>;
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
  /** The bytes being written (the rest of them after a short write). */
  #sending?: Uint8Array;
  /** Payload bytes (not framing) of what is being written. */
  #sendingPayload = 0;
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
    this.#flush();
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
    this.#flush();
    return this.#unwritten;
  }

  /** Ends the body: the last chunk, or with an error at once (the connection is dropped). */
  end(error?: Error): void {
    if (this.#ended || this.#finished) return;
    this.#ended = true;
    if (error !== undefined) return this.#finish(false);
    this.#enqueue(LAST_CHUNK);
    this.#flush();
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

  /**
   * Starts the next write when none is in progress, with everything
   * queued as one buffer; without async functions, so a write to many
   * clients at once (a fan-out, a heartbeat) costs each little more than
   * the socket write itself (README "Performance").
   */
  #flush(): void {
    if (this.#sending !== undefined || this.#finished) return;
    const queue = this.#queue;
    if (queue === undefined) {
      if (this.#ended) this.#finish(!this.#close);
      else if (this.#unwritten === 0) this.#events?.drained();
      return;
    }
    this.#queue = undefined;
    this.#sendingPayload = this.#queuedPayload;
    this.#queuedPayload = 0;
    this.#send(Array.isArray(queue) ? concatBytes(queue) : queue);
  }

  #send(bytes: Uint8Array): void {
    this.#sending = bytes;
    this.#connection.write(bytes).then(
      (n) => this.#written(n),
      () => this.cancel(),
    );
  }

  #written(n: number): void {
    const bytes = this.#sending!;
    this.#sending = undefined;
    if (this.#finished) return;
    if (n < bytes.byteLength) return this.#send(bytes.subarray(n));
    this.#unwritten -= this.#sendingPayload;
    this.#sendingPayload = 0;
    this.#flush();
  }
}
