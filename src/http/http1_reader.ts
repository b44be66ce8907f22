// The read side of one HTTP/1.1 connection (RFC 9112): the pooled read buffer, request heads found in it, request bodies read from it; the engine (http1_engine.ts) extends it.

import {
  HEAD_LIMITS,
  headEnd,
  leadingEmptyLines,
  parseRequestHead,
  type RequestHead,
} from "../http1/head.ts";
import {
  bufferedBody,
  NO_BODY,
  type RequestBody,
  streamedBody,
} from "./http1_body.ts";
import {
  giveBack,
  INITIAL_READ_BUFFER,
  NO_BUFFER,
  takeBuffer,
  WATCH_BUFFER,
} from "./http1_buffers.ts";

/**
 * A connection's reading state, kept on the connection object itself (the
 * engine's connection extends it: no second object per held connection).
 * One read at a time; bytes between `start` and `end` are read and not
 * yet consumed.
 */
export abstract class Http1Reader {
  /** The socket. */
  protected readonly conn: Deno.Conn;
  /** The read buffer (pooled; {@linkcode NO_BUFFER} while a push body is held). */
  protected buffer: Uint8Array<ArrayBuffer> = takeBuffer();
  /** First unconsumed byte. */
  protected start = 0;
  /** End of the bytes read. */
  protected end = 0;
  /** The read under way, shared by every caller. */
  protected reading?: Promise<boolean>;
  /** The peer has closed its side (or a read failed). */
  protected eof = false;
  /** The connection is closed: nothing more is read. */
  protected closed = false;

  /** Reads from `conn`. */
  constructor(conn: Deno.Conn) {
    this.conn = conn;
  }

  /** Writes all of `bytes` (a body stream sends `100 Continue`); false when that failed. */
  abstract send(bytes: Uint8Array): Promise<boolean>;

  /** Between requests: a buffer grown for a large head or body goes back for a pooled one. */
  protected resetIdleBuffer(): void {
    if (
      this.start === this.end && this.reading === undefined &&
      this.buffer.byteLength !== INITIAL_READ_BUFFER
    ) {
      this.buffer = takeBuffer();
      this.start = this.end = 0;
    }
  }

  /** A request waits with nothing buffered: keep only a small buffer meanwhile. */
  protected shrinkWhileWaiting(): void {
    if (
      this.start !== this.end || this.reading !== undefined ||
      this.buffer.byteLength <= WATCH_BUFFER
    ) return;
    giveBack(this.buffer);
    this.buffer = new Uint8Array(WATCH_BUFFER);
    this.start = this.end = 0;
  }

  /** A push body is held with nothing unread: its read buffer goes back to the pool. */
  protected releaseBuffer(): void {
    if (this.start !== this.end || this.reading !== undefined) return;
    giveBack(this.buffer);
    this.buffer = NO_BUFFER;
    this.start = this.end = 0;
  }

  /** The next request head, an answer refusing it, or undefined when the connection ends first. */
  protected async readHead(closing: () => boolean): Promise<
    | { ok: true; head: RequestHead }
    | { ok: false; status: number; text: string }
    | undefined
  > {
    let scanned = this.start;
    for (;;) {
      this.start += leadingEmptyLines(this.buffer, this.start, this.end);
      const end = headEnd(
        this.buffer,
        Math.max(this.start, scanned - 3),
        this.end,
      );
      if (end !== -1) {
        const parsed = parseRequestHead(
          this.buffer.subarray(this.start, end),
        );
        this.start = end;
        return parsed.ok ? parsed : { ok: false, ...parsed.error };
      }
      scanned = this.end;
      if (this.end - this.start >= HEAD_LIMITS.maxHeadBytes) {
        return {
          ok: false,
          status: 431,
          text:
            `Request header fields too large: the head exceeds ${HEAD_LIMITS.maxHeadBytes} bytes`,
        };
      }
      if (closing() && this.start === this.end) return undefined;
      const before = this.start;
      if (!await this.fill(HEAD_LIMITS.maxHeadBytes)) return undefined;
      scanned -= before - this.start; // compaction moved the bytes
    }
  }

  /**
   * Reads more bytes into the buffer (compacting it, or growing it up to
   * `max` bytes when full); false once the peer has closed. Concurrent
   * callers share the one pending read.
   */
  protected fill(max = this.buffer.byteLength): Promise<boolean> {
    if (this.eof || this.closed) return Promise.resolve(false);
    if (this.reading) return this.reading;
    if (this.buffer === NO_BUFFER) this.buffer = takeBuffer();
    if (this.start === this.end) this.start = this.end = 0;
    // Little room left at the end: move what is unread to the front, so a
    // read never gets a sliver of the buffer (one request, one read).
    if (this.start > 0 && this.end > this.buffer.byteLength / 2) {
      this.buffer.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === this.buffer.byteLength) {
      if (this.start > 0) {
        this.buffer.copyWithin(0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      } else if (this.buffer.byteLength < max) {
        const grown = new Uint8Array(
          Math.min(max + 1, this.buffer.byteLength * 4),
        );
        grown.set(this.buffer.subarray(0, this.end));
        this.buffer = grown;
      } else return Promise.resolve(true); // full: the caller decides
    }
    this.reading = this.conn.read(this.buffer.subarray(this.end)).then(
      (n) => {
        this.reading = undefined;
        if (n === null) {
          this.eof = true;
          return false;
        }
        this.end += n;
        return true;
      },
      () => {
        this.reading = undefined;
        this.eof = true;
        return false;
      },
    );
    return this.reading;
  }

  /** The request body: bytes when all of it is buffered, else a stream over the connection. */
  protected requestBody(head: RequestHead): RequestBody {
    const framing = head.body;
    if (framing.kind === "none") return NO_BODY;
    if (
      framing.kind === "length" && this.end - this.start >= framing.length
    ) {
      const start = this.start;
      this.start += framing.length;
      return bufferedBody(copyBody(this.buffer, start, this.start));
    }
    return streamedBody(head, this);
  }

  /** The bytes read and not yet consumed (a view, valid until the next read). */
  available(): Uint8Array {
    return this.buffer.subarray(this.start, this.end);
  }

  /** Marks `n` available bytes as consumed. */
  consume(n: number): void {
    this.start += n;
  }

  /** Reads more; false once the peer has closed. */
  more(): Promise<boolean> {
    return this.fill();
  }
}

/** Bodies up to this size are copied into a shared block. */
const SMALL_BODY = 4096;
/** The size of a block of small bodies. */
const BLOCK_BYTES = 64 * 1024;
let block = new Uint8Array(BLOCK_BYTES);
let blockUsed = 0;

/**
 * A copy of `buffer[from, to)` that outlives the read buffer: a small body
 * takes the next bytes of a shared block (a buffer of its own costs more
 * than the rest of reading the request); a full block is left to the
 * bodies still using it and a new one begins.
 */
function copyBody(
  buffer: Uint8Array,
  from: number,
  to: number,
): Uint8Array<ArrayBuffer> {
  const n = to - from;
  if (n > SMALL_BODY) return buffer.slice(from, to);
  if (blockUsed + n > BLOCK_BYTES) {
    block = new Uint8Array(BLOCK_BYTES);
    blockUsed = 0;
  }
  const copy = block.subarray(blockUsed, blockUsed + n);
  copy.set(buffer.subarray(from, to));
  blockUsed += n;
  return copy;
}
