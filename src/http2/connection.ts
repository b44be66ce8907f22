// RFC 9113: the server side of one HTTP/2 connection as a pure state machine: bytes in, callbacks and bytes out; preface, SETTINGS, PING, GOAWAY, stream states, flow control, header blocks with CONTINUATION.

import {
  connectionError,
  ERROR_CODES,
  type ErrorName,
  Http2Error,
  streamError,
} from "./errors.ts";
import {
  encodeFrame,
  FLAGS,
  type Frame,
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
import { encodeFields, type HeaderField, HpackDecoder } from "./hpack.ts";
import { requestFields } from "./request_fields.ts";
import { HTTP2_DEFAULTS, type Http2Limits, type Http2Listener } from "./api.ts";
import { SendQueue } from "./send_queue.ts";
import { DataScheduler } from "./scheduler.ts";
import { concatBytes } from "../wire/read.ts";
import { HeaderBlock } from "./header_block.ts";
import {
  checkGoaway,
  checkPriority,
  pingNeedsAck,
  rstStreamCode,
  settingsOf,
  unpadded,
  windowIncrement,
} from "./frame_checks.ts";

/** RFC 9113 section 6.9.2: the initial window of a stream and of the connection. */
const DEFAULT_WINDOW = 65535;

/** One stream as the connection tracks it (RFC 9113 section 5.1). */
interface Stream {
  readonly id: number;
  /** The peer sent END_STREAM (half-closed remote). */
  remoteEnded: boolean;
  /** Request body bytes the peer may still send before a WINDOW_UPDATE. */
  recvWindow: number;
  /** Content-Length of the request, when given (checked against DATA, section 8.1.1). */
  expected: number;
  received: number;
  /** Response frames still to send. */
  readonly send: SendQueue;
}

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
  readonly #listener: Http2Listener;
  readonly #limits: Http2Limits;
  readonly #reader = new FrameReader(MIN_MAX_FRAME_SIZE);
  readonly #decoder = new HpackDecoder();
  readonly #streams = new Map<number, Stream>();
  /** Streams with DATA waiting for window or room, in round-robin order. */
  readonly #scheduler = new DataScheduler<Stream>();
  #output: Uint8Array[] = [];
  #outputBytes = 0;
  #prefaceSeen = false;
  #settingsSeen = false;
  #block?: HeaderBlock;
  #lastStream = 0;
  #recvWindow: number;
  #unacked = 0;
  #peerInitialWindow = DEFAULT_WINDOW;
  /** GOAWAY sent (`error`: a connection error) or received. */
  #goawaySent = false;
  #goawayReceived = false;
  #flushing = false;
  /** The connection error that ended the connection, if any. */
  error?: Http2Error;

  /** A connection serving `listener`; our SETTINGS go out at once. */
  constructor(listener: Http2Listener, limits: Partial<Http2Limits> = {}) {
    this.#listener = listener;
    this.#limits = { ...HTTP2_DEFAULTS, ...limits };
    this.#recvWindow = this.#limits.connectionWindow;
    this.#queue(settingsFrame([
      [SETTINGS.MAX_CONCURRENT_STREAMS, this.#limits.maxConcurrentStreams],
      [SETTINGS.MAX_HEADER_LIST_SIZE, this.#limits.maxHeaderListSize],
      [SETTINGS.ENABLE_PUSH, 0],
    ]));
    if (this.#recvWindow > DEFAULT_WINDOW) {
      this.#queue(windowUpdateFrame(0, this.#recvWindow - DEFAULT_WINDOW));
    }
  }

  /** Streams open or half-closed (what max concurrent streams counts). */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Bytes of frames not yet taken by the shell. */
  get outputBytes(): number {
    return this.#outputBytes;
  }

  /** True once a GOAWAY was sent or received and no stream is left: close after writing. */
  get closed(): boolean {
    return (this.#goawaySent || this.#goawayReceived) &&
      (this.error !== undefined || this.#streams.size === 0);
  }

  /** The frames to write, joined; undefined when there are none. */
  takeOutput(): Uint8Array | undefined {
    if (this.#output.length === 0) return undefined;
    const parts = this.#output;
    this.#output = [];
    this.#outputBytes = 0;
    return parts.length === 1 ? parts[0] : concatBytes(parts);
  }

  /** Feeds bytes read from the socket (split anywhere). */
  receive(bytes: Uint8Array): void {
    if (this.error !== undefined) return;
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
          this.#frame(frame);
        } catch (error) {
          if (!(error instanceof Http2Error) || error.stream === undefined) {
            throw error;
          }
          this.#resetStream(error.stream, error.code);
        }
        if (this.error !== undefined) return;
      }
    } catch (error) {
      this.#fail(
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
    if (this.#goawaySent) return;
    this.#goawaySent = true;
    this.#queue(goawayFrame(this.#lastStream, ERROR_CODES.NO_ERROR));
  }

  /** Sends the response head (END_STREAM when `endStream`: no body follows). */
  respond(
    stream: number,
    fields: readonly HeaderField[],
    endStream: boolean,
  ): void {
    const s = this.#streams.get(stream);
    if (s === undefined) return;
    for (
      const frame of headersFrames(
        stream,
        encodeFields(fields),
        endStream,
        this.#scheduler.maxFrame,
      )
    ) this.#queue(frame);
    if (endStream) this.#localEnded(s);
  }

  /** Queues body bytes (and the end); returns the bytes of the stream not yet framed. */
  sendData(stream: number, bytes: Uint8Array, endStream: boolean): number {
    const s = this.#streams.get(stream);
    if (s === undefined) return 0;
    s.send.push(bytes, endStream);
    this.#scheduler.add(s);
    this.flush();
    return s.send.queued;
  }

  /** Bytes queued on `stream` and not yet framed (0 when it is gone). */
  unsent(stream: number): number {
    return this.#streams.get(stream)?.send.queued ?? 0;
  }

  /** Ends a stream abnormally from our side (RST_STREAM; no `reset` callback). */
  cancel(stream: number, code: ErrorName = "CANCEL"): void {
    const s = this.#streams.get(stream);
    if (s === undefined) return;
    this.#drop(s);
    this.#queue(rstStreamFrame(stream, ERROR_CODES[code]));
  }

  /** The shell read `n` body bytes of `stream`: the peer may send that much more. */
  consumed(stream: number, n: number): void {
    if (n <= 0 || this.error !== undefined) return;
    const s = this.#streams.get(stream);
    if (s !== undefined && !s.remoteEnded) {
      s.recvWindow += n;
      this.#queue(windowUpdateFrame(stream, n));
    }
    this.#replenish(n);
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
    this.#scheduler.run(
      () => this.#outputBytes < this.#limits.outputHighWater,
      (s, piece) => {
        this.#queue(encodeFrame(
          FRAME_TYPES.DATA,
          piece.end ? FLAGS.END_STREAM : 0,
          s.id,
          piece.bytes,
        ));
        if (piece.end) this.#localEnded(s);
        else if (s.send.queued === 0) this.#listener.drained(s.id);
      },
    );
  }

  #queue(frame: Uint8Array): void {
    this.#output.push(frame);
    this.#outputBytes += frame.byteLength;
  }

  /** A connection error: GOAWAY with its code, then nothing more is read. */
  #fail(error: Http2Error): void {
    this.error = error;
    this.#goawaySent = true;
    this.#queue(
      goawayFrame(this.#lastStream, ERROR_CODES[error.code], error.message),
    );
    for (const s of [...this.#streams.values()]) {
      this.#drop(s);
      this.#listener.reset(s.id, error.code);
    }
  }

  /** A stream error: RST_STREAM, and the shell hears of it. */
  #resetStream(stream: number, code: ErrorName): void {
    this.#queue(rstStreamFrame(stream, ERROR_CODES[code]));
    const s = this.#streams.get(stream);
    if (s === undefined) return;
    this.#drop(s);
    this.#listener.reset(stream, code);
  }

  #drop(s: Stream): void {
    this.#streams.delete(s.id);
    this.#scheduler.remove(s);
  }

  /** Our END_STREAM went out: the stream closes, or, the request body still coming, is reset with NO_ERROR (RFC 9113 section 8.1). */
  #localEnded(s: Stream): void {
    this.#drop(s);
    if (!s.remoteEnded) this.#queue(rstStreamFrame(s.id, ERROR_CODES.NO_ERROR));
  }

  /** Gives back connection window for `n` consumed or discarded bytes, in batches. */
  #replenish(n: number): void {
    this.#unacked += n;
    if (this.#unacked >= this.#limits.connectionWindow / 4) {
      this.#recvWindow += this.#unacked;
      this.#queue(windowUpdateFrame(0, this.#unacked));
      this.#unacked = 0;
    }
  }

  #frame(frame: Frame): void {
    if (!this.#settingsSeen && frame.type !== FRAME_TYPES.SETTINGS) {
      throw connectionError(
        "PROTOCOL_ERROR",
        "the first frame is not SETTINGS",
      );
    }
    if (
      this.#block !== undefined &&
      (frame.type !== FRAME_TYPES.CONTINUATION ||
        frame.stream !== this.#block.stream)
    ) {
      throw connectionError(
        "PROTOCOL_ERROR",
        "header block interrupted before END_HEADERS",
      );
    }
    switch (frame.type) {
      case FRAME_TYPES.DATA:
        return this.#data(frame);
      case FRAME_TYPES.HEADERS:
        return this.#headers(frame);
      case FRAME_TYPES.PRIORITY:
        return checkPriority(frame);
      case FRAME_TYPES.RST_STREAM:
        return this.#rstStream(frame);
      case FRAME_TYPES.SETTINGS:
        return this.#settings(frame);
      case FRAME_TYPES.PUSH_PROMISE:
        throw connectionError("PROTOCOL_ERROR", "PUSH_PROMISE from a client");
      case FRAME_TYPES.PING:
        if (pingNeedsAck(frame)) {
          this.#queue(
            encodeFrame(FRAME_TYPES.PING, FLAGS.ACK, 0, frame.payload),
          );
        }
        return;
      case FRAME_TYPES.GOAWAY:
        checkGoaway(frame);
        this.#goawayReceived = true;
        return;
      case FRAME_TYPES.WINDOW_UPDATE:
        return this.#windowUpdate(frame);
      case FRAME_TYPES.CONTINUATION:
        return this.#continuation(frame);
      default:
        return; // unknown types are ignored (RFC 9113 section 5.5)
    }
  }

  #data(frame: Frame): void {
    const id = frame.stream;
    if (id === 0) throw connectionError("PROTOCOL_ERROR", "DATA on stream 0");
    if (id > this.#lastStream) {
      throw connectionError("PROTOCOL_ERROR", `DATA on idle stream ${id}`);
    }
    const length = frame.payload.byteLength;
    if (length > this.#recvWindow) {
      throw connectionError(
        "FLOW_CONTROL_ERROR",
        "DATA beyond the connection window",
      );
    }
    this.#recvWindow -= length;
    const s = this.#streams.get(id);
    if (s === undefined) return this.#replenish(length); // closed: ignored (section 5.1)
    if (s.remoteEnded) {
      this.#replenish(length);
      throw streamError("STREAM_CLOSED", "DATA after END_STREAM", id);
    }
    if (length > s.recvWindow) {
      throw streamError(
        "FLOW_CONTROL_ERROR",
        "DATA beyond the stream window",
        id,
      );
    }
    s.recvWindow -= length;
    const body = unpadded(frame);
    this.#replenish(length - body.byteLength); // padding counts, is never read
    s.received += body.byteLength;
    const end = (frame.flags & FLAGS.END_STREAM) !== 0;
    if (
      s.expected >= 0 &&
      (s.received > s.expected || (end && s.received !== s.expected))
    ) {
      throw streamError(
        "PROTOCOL_ERROR",
        "DATA length differs from content-length",
        id,
      );
    }
    if (end) s.remoteEnded = true;
    this.#listener.data(id, body.slice(), end);
  }

  #headers(frame: Frame): void {
    const id = frame.stream;
    if (id === 0 || id % 2 === 0) {
      throw connectionError("PROTOCOL_ERROR", `HEADERS on stream ${id}`);
    }
    const fragment = unpadded(frame, frame.flags & FLAGS.PRIORITY ? 5 : 0);
    const end = (frame.flags & FLAGS.END_STREAM) !== 0;
    this.#block = new HeaderBlock(id, end, 2 * this.#limits.maxHeaderListSize);
    this.#fragment(fragment, (frame.flags & FLAGS.END_HEADERS) !== 0);
  }

  #continuation(frame: Frame): void {
    if (this.#block === undefined) {
      throw connectionError("PROTOCOL_ERROR", "CONTINUATION without HEADERS");
    }
    this.#fragment(frame.payload, (frame.flags & FLAGS.END_HEADERS) !== 0);
  }

  #fragment(bytes: Uint8Array, last: boolean): void {
    const block = this.#block!;
    const whole = block.add(bytes, last);
    if (whole === undefined) return;
    this.#block = undefined;
    const decoded = this.#decoder.decode(whole, this.#limits.maxHeaderListSize);
    this.#headerList(block, decoded.fields, decoded.tooLarge);
  }

  /** A complete header list: a new request, or trailers, or something to ignore. */
  #headerList(
    block: HeaderBlock,
    fields: HeaderField[],
    tooLarge: boolean,
  ): void {
    const id = block.stream;
    const existing = this.#streams.get(id);
    if (existing !== undefined) { // trailers: must end the stream (section 8.1)
      if (existing.remoteEnded || !block.endStream) {
        throw streamError(
          "PROTOCOL_ERROR",
          "HEADERS in the middle of a stream",
          id,
        );
      }
      existing.remoteEnded = true;
      this.#listener.data(id, new Uint8Array(0), true);
      return;
    }
    if (id <= this.#lastStream) return; // a stream we closed or reset: ignored
    this.#lastStream = id;
    if (
      this.#goawaySent ||
      this.#streams.size >= this.#limits.maxConcurrentStreams
    ) {
      this.#queue(rstStreamFrame(id, ERROR_CODES.REFUSED_STREAM));
      return;
    }
    const s: Stream = {
      id,
      remoteEnded: block.endStream,
      recvWindow: DEFAULT_WINDOW,
      expected: -1,
      received: 0,
      send: new SendQueue(this.#peerInitialWindow),
    };
    this.#streams.set(id, s);
    if (tooLarge) {
      this.#listener.refused(
        id,
        431,
        `Request header fields too large: the header list exceeds ${this.#limits.maxHeaderListSize} bytes`,
      );
      return;
    }
    const parsed = requestFields(fields);
    if (!parsed.ok) throw streamError("PROTOCOL_ERROR", parsed.error, id);
    s.expected = parsed.request.contentLength;
    if (block.endStream && s.expected > 0) {
      throw streamError("PROTOCOL_ERROR", "content-length without DATA", id);
    }
    this.#listener.request(id, parsed.request, block.endStream);
  }

  #rstStream(frame: Frame): void {
    const code = rstStreamCode(frame, this.#lastStream);
    const s = this.#streams.get(frame.stream);
    if (s === undefined) return;
    this.#drop(s);
    this.#listener.reset(frame.stream, code);
  }

  #settings(frame: Frame): void {
    const settings = settingsOf(frame);
    if (settings.ack) return;
    this.#settingsSeen = true;
    if (settings.initialWindow !== undefined) {
      // Section 6.9.2: open streams' windows move by the difference.
      const delta = settings.initialWindow - this.#peerInitialWindow;
      this.#peerInitialWindow = settings.initialWindow;
      for (const s of this.#streams.values()) {
        if (!s.send.grow(delta)) {
          throw connectionError(
            "FLOW_CONTROL_ERROR",
            "a stream window beyond 2^31-1",
          );
        }
        this.#scheduler.add(s);
      }
    }
    if (settings.maxFrameSize !== undefined) {
      this.#scheduler.maxFrame = settings.maxFrameSize;
    }
    this.#queue(encodeFrame(FRAME_TYPES.SETTINGS, FLAGS.ACK, 0));
  }

  #windowUpdate(frame: Frame): void {
    const increment = windowIncrement(frame);
    const id = frame.stream;
    if (id === 0) {
      if (!this.#scheduler.grow(increment)) {
        throw connectionError(
          "FLOW_CONTROL_ERROR",
          "connection window beyond 2^31-1",
        );
      }
      return;
    }
    if (id > this.#lastStream) {
      throw connectionError(
        "PROTOCOL_ERROR",
        "WINDOW_UPDATE on an idle stream",
      );
    }
    const s = this.#streams.get(id);
    if (s === undefined) return;
    if (!s.send.grow(increment)) {
      throw streamError(
        "FLOW_CONTROL_ERROR",
        "stream window beyond 2^31-1",
        id,
      );
    }
    this.#scheduler.add(s);
  }
}

function isPrefix(seen: Uint8Array, of: Uint8Array): boolean {
  for (let i = 0; i < seen.byteLength && i < of.byteLength; i++) {
    if (seen[i] !== of[i]) return false;
  }
  return true;
}
