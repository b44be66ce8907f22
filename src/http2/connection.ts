// RFC 9113: the server side of one HTTP/2 connection as a pure state machine: bytes in, callbacks and bytes out; the preface, then frames (inbound.ts) and responses with flow control (state.ts).

import {
  connectionError,
  ERROR_CODES,
  type ErrorName,
  Http2Error,
} from "./errors.ts";
import {
  encodeFrame,
  FLAGS,
  FRAME_TYPES,
  FrameReader,
  goawayFrame,
  headersFrames,
  MIN_MAX_FRAME_SIZE,
  PREFACE,
  rstStreamFrame,
  SETTINGS,
  settingsFrame,
  windowUpdateFrame,
} from "./frame.ts";
import { encodeFields, type HeaderField } from "./hpack.ts";
import { HTTP2_DEFAULTS, type Http2Limits, type Http2Listener } from "./api.ts";
import { concatBytes } from "../wire/read.ts";
import { ConnectionState, DEFAULT_WINDOW } from "./state.ts";
import { InboundFrames } from "./inbound.ts";

/**
 * The server side of one HTTP/2 connection, without I/O: `receive` the
 * bytes read, write what `takeOutput` returns, call `flush` after each
 * write. Requests are handed to the listener; responses go in with
 * `respond` and `sendData`. Violations become RST_STREAM or GOAWAY with
 * the RFC 9113 error code; after a GOAWAY `closed` holds and the shell
 * closes the socket once the output is written.
 *
 * @example
 * ```ts
 * const h2 = new Http2Connection(listener);
 * h2.receive(bytesRead);
 * const out = h2.takeOutput(); // write it
 * ```
 */
export class Http2Connection {
  readonly #c: ConnectionState;
  readonly #inbound: InboundFrames;
  readonly #reader = new FrameReader(MIN_MAX_FRAME_SIZE);
  #prefaceSeen = false;
  #flushing = false;

  /** A connection serving `listener`; our SETTINGS go out at once. */
  constructor(listener: Http2Listener, limits: Partial<Http2Limits> = {}) {
    const c = new ConnectionState(listener, { ...HTTP2_DEFAULTS, ...limits });
    this.#c = c;
    this.#inbound = new InboundFrames(c);
    c.queue(settingsFrame([
      [SETTINGS.MAX_CONCURRENT_STREAMS, c.limits.maxConcurrentStreams],
      [SETTINGS.MAX_HEADER_LIST_SIZE, c.limits.maxHeaderListSize],
      [SETTINGS.ENABLE_PUSH, 0],
    ]));
    if (c.recvWindow > DEFAULT_WINDOW) {
      c.queue(windowUpdateFrame(0, c.recvWindow - DEFAULT_WINDOW));
    }
  }

  /** The connection error that ended the connection, if any. */
  get error(): Http2Error | undefined {
    return this.#c.error;
  }

  /** Streams open or half-closed (what max concurrent streams counts). */
  get openStreams(): number {
    return this.#c.streams.size;
  }

  /** Bytes of frames not yet taken by the shell. */
  get outputBytes(): number {
    return this.#c.outputBytes;
  }

  /** True once a GOAWAY was sent or received and no stream is left: close after writing. */
  get closed(): boolean {
    const c = this.#c;
    return (c.goawaySent || c.goawayReceived) &&
      (c.error !== undefined || c.streams.size === 0);
  }

  /** The frames to write, joined; undefined when there are none. */
  takeOutput(): Uint8Array | undefined {
    const c = this.#c;
    if (c.output.length === 0) return undefined;
    const parts = c.output;
    c.output = [];
    c.outputBytes = 0;
    return parts.length === 1 ? parts[0] : concatBytes(parts);
  }

  /** Feeds bytes read from the socket (split anywhere). */
  receive(bytes: Uint8Array): void {
    const c = this.#c;
    if (c.error !== undefined) return;
    this.#reader.push(bytes);
    try {
      if (!this.#prefaceSeen) {
        const seen = this.#reader.peek(PREFACE.byteLength);
        if (!isPrefix(seen, PREFACE)) {
          throw connectionError("PROTOCOL_ERROR", "invalid connection preface");
        }
        if (seen.byteLength < PREFACE.byteLength) return;
        this.#reader.take(PREFACE.byteLength);
        this.#prefaceSeen = true;
      }
      for (;;) {
        const frame = this.#reader.next();
        if (frame === undefined) break;
        try {
          this.#inbound.frame(frame);
        } catch (error) {
          if (!(error instanceof Http2Error) || error.stream === undefined) {
            throw error;
          }
          c.resetStream(error.stream, error.code);
        }
        if (c.error !== undefined) return;
      }
    } catch (error) {
      c.fail(
        error instanceof Http2Error
          ? error
          : connectionError("INTERNAL_ERROR", String(error)),
      );
    } finally {
      this.#reader.detach();
    }
    this.flush();
  }

  /** Sends a GOAWAY with NO_ERROR: no new streams; the open ones finish (RFC 9113 section 6.8). */
  goaway(): void {
    const c = this.#c;
    if (c.goawaySent) return;
    c.goawaySent = true;
    c.queue(goawayFrame(c.lastStream, ERROR_CODES.NO_ERROR));
  }

  /** Sends the response head (END_STREAM when `endStream`: no body follows). */
  respond(
    stream: number,
    fields: readonly HeaderField[],
    endStream: boolean,
  ): void {
    const c = this.#c;
    const s = c.streams.get(stream);
    if (s === undefined) return;
    for (
      const frame of headersFrames(
        stream,
        encodeFields(fields),
        endStream,
        c.scheduler.maxFrame,
      )
    ) c.queue(frame);
    if (endStream) c.localEnded(s);
  }

  /** Queues body bytes (and the end); returns the bytes of the stream not yet framed. */
  sendData(stream: number, bytes: Uint8Array, endStream: boolean): number {
    const c = this.#c;
    const s = c.streams.get(stream);
    if (s === undefined) return 0;
    s.send.push(bytes, endStream);
    c.scheduler.add(s);
    this.flush();
    return s.send.queued;
  }

  /** Bytes queued on `stream` and not yet framed (0 when it is gone). */
  unsent(stream: number): number {
    return this.#c.streams.get(stream)?.send.queued ?? 0;
  }

  /** Ends a stream abnormally from our side (RST_STREAM; no `reset` callback). */
  cancel(stream: number, code: ErrorName = "CANCEL"): void {
    const c = this.#c;
    const s = c.streams.get(stream);
    if (s === undefined) return;
    c.drop(s);
    c.queue(rstStreamFrame(stream, ERROR_CODES[code]));
  }

  /** The shell read `n` body bytes of `stream`: the peer may send that much more. */
  consumed(stream: number, n: number): void {
    const c = this.#c;
    if (n <= 0 || c.error !== undefined) return;
    const s = c.streams.get(stream);
    if (s !== undefined && !s.remoteEnded) {
      s.recvWindow += n;
      c.queue(windowUpdateFrame(stream, n));
    }
    c.replenish(n);
  }

  /** Frames queued DATA as windows and output room allow, one frame per stream per round. */
  flush(): void {
    if (this.#flushing) return; // a drained producer queued more: this loop sends it
    this.#flushing = true;
    try {
      this.#flushData();
    } finally {
      this.#flushing = false;
    }
  }

  #flushData(): void {
    const c = this.#c;
    c.scheduler.run(
      () => c.outputBytes < c.limits.outputHighWater,
      (s, piece) => {
        c.queue(encodeFrame(
          FRAME_TYPES.DATA,
          piece.end ? FLAGS.END_STREAM : 0,
          s.id,
          piece.bytes,
        ));
        if (piece.end) c.localEnded(s);
        else if (s.send.queued === 0) c.listener.drained(s.id);
      },
    );
  }
}

function isPrefix(seen: Uint8Array, of: Uint8Array): boolean {
  for (let i = 0; i < seen.byteLength && i < of.byteLength; i++) {
    if (seen[i] !== of[i]) return false;
  }
  return true;
}
